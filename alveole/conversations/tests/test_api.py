from __future__ import annotations

import json

from alveole.testing import World


def _post(client, path: str, body: dict | None = None):
    return client.post("/api/v1" + path, data=json.dumps(body or {}), content_type="application/json")


def test_write_read_and_page_through_messages(world: World, api_client_for) -> None:
    mia, noah = api_client_for(world.member), api_client_for(world.nonmember)
    started = _post(mia, "/conversations", {"people": [world.nonmember.pk], "body": "First"})
    assert started.status_code == 201
    conversation = started.json()["conversation"]
    assert conversation["name"] == world.nonmember.full_name
    again = _post(noah, "/conversations", {"people": [world.member.pk]})
    assert again.status_code == 200 and again.json()["conversation"]["id"] == conversation["id"]
    for i in range(4):
        assert _post(mia, f"/conversations/{conversation['id']}/messages", {"body": f"m{i}"}).status_code == 201
    listed = noah.get("/api/v1/conversations").json()
    assert listed["unread"] == 5 and listed["items"][0]["unread"] == 5
    page = noah.get(f"/api/v1/conversations/{conversation['id']}/messages?limit=3").json()
    assert [m["body"] for m in page["items"]] == ["m3", "m2", "m1"]
    rest = noah.get(f"/api/v1/conversations/{conversation['id']}/messages?limit=3&cursor={page['next_cursor']}").json()
    assert [m["body"] for m in rest["items"]] == ["m0", "First"] and rest["next_cursor"] is None
    assert _post(noah, f"/conversations/{conversation['id']}/read").json() == {"unread": 0}


def test_clear_refusals(world: World, api_client_for) -> None:
    gina = api_client_for(world.guest)
    empty = _post(gina, "/conversations", {"people": []})
    assert empty.status_code == 400 and "at least one person" in empty.json()["message"]
    outside = _post(gina, "/conversations", {"people": [world.nonmember.pk]})
    assert outside.status_code == 404 and "cannot write to them" in outside.json()["message"]
    other_org = _post(api_client_for(world.other), "/conversations", {"people": [world.member.pk]})
    assert other_org.status_code == 404
    started = _post(gina, "/conversations", {"people": [world.member.pk]}).json()["conversation"]
    blank = _post(gina, f"/conversations/{started['id']}/messages", {"body": "  "})
    assert blank.status_code == 400 and blank.json()["fields"]["body"] == "Write something first."
    assert api_client_for(world.owner).get(f"/api/v1/conversations/{started['id']}").status_code == 404
