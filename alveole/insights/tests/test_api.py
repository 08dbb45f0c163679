"""GET /api/v1/insights: the same figures and the same scoping as the page."""

from __future__ import annotations

import pytest

from alveole.testing import World

from .conftest import make_manager

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_now")]


def test_the_figures_as_json(world: World, known, api_client_for) -> None:
    response = api_client_for(world.owner).get("/api/v1/insights?weeks=52")
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["period"]["weeks"] == 52 and data["scope"]["space"] is None and data["scope"]["profile_posts"]
    assert {s["name"] for s in data["scope"]["spaces"]} == {"Everyone", "Client project"}
    assert sum(w["posts"] for w in data["activity"]) == 7
    assert sum(w["guests"] for w in data["activity"]) == 1
    assert [(t["post_id"], t["count"]) for t in data["most_read"]] == [(known.p1.pk, 3), (known.p6.pk, 2),
                                                                       (known.p2.pk, 1)]  # fmt: skip
    assert data["most_commented"][0]["space"] == {"id": world.open_space.pk, "name": "Everyone"}
    assert (data["questions"]["asked"], data["questions"]["answered"]) == (3, 2)
    assert data["questions"]["median_seconds"] == 48600
    assert sum(m["decisions"] for m in data["decisions"]) == 3  # October's counts too over 52 weeks
    assert sum(w["late"] for w in data["tasks"]) == 3


def test_a_manager_sees_their_space_only(world: World, known, api_client_for) -> None:
    client = api_client_for(world.member)
    assert client.get("/api/v1/insights").status_code == 403
    make_manager(world.member, world.open_space)
    data = client.get("/api/v1/insights?weeks=52").json()
    assert [s["name"] for s in data["scope"]["spaces"]] == ["Everyone"] and not data["scope"]["profile_posts"]
    assert {t["space"]["name"] for t in data["most_read"] + data["most_commented"]} == {"Everyone"}
    assert client.get(f"/api/v1/insights?space_id={world.private_space.pk}").status_code == 403
    assert client.get(f"/api/v1/insights?space_id={world.other_space.pk}").status_code == 404


def test_bad_input_answers_with_a_sentence(world: World, api_client_for) -> None:
    client = api_client_for(world.owner)
    for query in ("weeks=0", "weeks=105", "weeks=x", "space_id=x", "space_id=0"):
        response = client.get(f"/api/v1/insights?{query}")
        assert response.status_code == 422, query  # the API's answer to a field out of bounds
        assert response.json()["message"]
