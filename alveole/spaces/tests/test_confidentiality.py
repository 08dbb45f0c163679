"""Confidentiality labels: the one rule (spaces.labels) and the actions that enforce it."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from alveole.core.errors import Conflict, Invalid, NotFound, PermissionDenied
from alveole.core.models import AuditEvent
from alveole.core.policies import SpaceCreators
from alveole.factories import MembershipFactory
from alveole.feed import actions as feed_actions
from alveole.feed.models import Post
from alveole.feed.selectors import feed_page, space_posts
from alveole.orgs import actions as org_actions
from alveole.spaces import actions, labels
from alveole.spaces.access import get_space_for, visible_space_ids_many, visible_spaces
from alveole.spaces.models import Label, SpaceRole

pytestmark = pytest.mark.django_db


def label(world, name: str) -> Label:
    return Label.objects.get(organisation=world.org, name=name)


def confidential_space(world, name: str = "Board"):
    return actions.create_space(world.owner, name=name, label=label(world, "Confidential"))


# --- the rule ---------------------------------------------------------------------------------


def test_a_space_without_a_label_carries_the_lowest_and_is_not_restricted(world):
    assert labels.space_label(world.open_space) is None
    assert not labels.is_restricted(world.open_space)
    space = actions.create_space(world.owner, name="Plain", label=label(world, "Internal"))
    assert space.label_id is None  # the lowest label is stored as none


def test_a_post_raises_its_space_label_and_is_restricted(world):
    post, _ = feed_actions.create_post(
        world.member, space=world.open_space, body="Salaries", label=label(world, "Confidential")
    )
    post = Post.objects.select_related(*labels.FEED_JOINS, "space").get(pk=post.pk)
    assert labels.post_label(post) == label(world, "Confidential")
    assert labels.is_restricted(post)
    assert Post.objects.filter(labels.restricted_posts(), pk=post.pk).exists()


def test_a_post_never_lowers_its_space_label(world):
    space = confidential_space(world)
    with pytest.raises(Invalid) as refused:
        feed_actions.create_post(world.owner, space=space, body="x", label=label(world, "Internal"))
    assert "never lower" in str(refused.value.fields["label_id"])
    post, _ = feed_actions.create_post(world.owner, space=space, body="x", label=label(world, "Confidential"))
    assert post.label_id is None  # the same as its space's: nothing stored
    assert labels.is_restricted(post)


def test_a_label_of_another_organisation_is_not_found(world):
    foreign = Label.objects.get(organisation=world.other_org, name="Confidential")
    with pytest.raises(NotFound):
        actions.create_space(world.owner, name="X", label=foreign)
    with pytest.raises(NotFound):
        feed_actions.create_post(world.member, space=world.open_space, body="x", label=foreign)
    with pytest.raises(NotFound):
        labels.get_label_for(world.owner, foreign.pk)


def test_a_page_of_cards_knows_each_label_without_a_query_per_card(world, django_assert_max_num_queries):
    confidential = label(world, "Confidential")
    for i in range(5):
        feed_actions.create_post(world.member, space=world.open_space, body=f"p{i}", label=confidential)
        feed_actions.create_post(world.member, space=world.open_space, body=f"q{i}")
    space = get_space_for(world.member, world.open_space.pk)
    items, _ = feed_page(world.member, space_posts(world.member, space), cursor=None, limit=20, space=space)
    with django_assert_max_num_queries(0):
        restricted = [labels.is_restricted(i.post) for i in items]
        shown = [labels.post_label(i.post) for i in items]
    assert restricted.count(True) == 5
    assert {str(s) for s in shown} == {"Confidential", "None"}


# --- guests ----------------------------------------------------------------------------------


def test_a_guest_cannot_be_added_to_a_confidential_space(world):
    space = confidential_space(world)
    with pytest.raises(Conflict):
        actions.add_space_member(world.owner, space=space, user=world.guest)
    assert not space.memberships.filter(user=world.guest).exists()


def test_a_guest_cannot_be_added_to_a_space_holding_a_confidential_post(world):
    feed_actions.create_post(world.owner, space=world.open_space, body="x", label=label(world, "Confidential"))
    with pytest.raises(Conflict):
        actions.add_space_member(world.owner, space=world.open_space, user=world.guest)


def test_restricting_a_space_with_guests_is_refused_and_names_them(world):
    with pytest.raises(Conflict) as refused:
        actions.update_space(world.owner, space=world.private_space, label=label(world, "Confidential"))
    assert "Gina Guest" in refused.value.message
    world.private_space.refresh_from_db()
    assert world.private_space.label_id is None
    # The manager removes the guest explicitly; then the label is accepted.
    actions.remove_space_member(world.owner, space=world.private_space, user=world.guest)
    actions.update_space(world.owner, space=world.private_space, label=label(world, "Confidential"))
    world.private_space.refresh_from_db()
    assert labels.is_restricted(world.private_space)
    event = AuditEvent.objects.filter(action="space.label").latest("id")
    assert event.data["after"] == "Confidential"


def test_a_confidential_post_is_refused_in_a_space_with_guests(world):
    with pytest.raises(Conflict) as refused:
        feed_actions.create_post(world.member, space=world.private_space, body="x", label=label(world, "Confidential"))
    assert "Gina Guest" in refused.value.message
    assert not Post.objects.filter(space=world.private_space).exists()


def test_a_guest_invited_to_a_confidential_space_is_refused(world):
    space = confidential_space(world)
    with pytest.raises(Invalid):
        org_actions.invite_member(world.owner, email="g2@example.com", role="guest", spaces=[space])


def test_a_guest_never_joins_a_space_that_became_confidential_after_the_invitation(world):
    space = actions.create_space(world.owner, name="Later")
    _invitation, link = org_actions.invite_member(world.owner, email="g3@example.com", role="guest", spaces=[space])
    actions.update_space(world.owner, space=space, label=label(world, "Confidential"))
    user = org_actions.accept_invitation(
        secret=link.rstrip("/").rsplit("/", 1)[-1], full_name="G", password="a long pass 12!"
    )
    assert not space.memberships.filter(user=user).exists()


# --- who may restrict -------------------------------------------------------------------------


def test_the_policy_says_who_creates_confidential_spaces(world):
    world.org.confidential_space_creators = SpaceCreators.ADMINS
    world.org.save()
    world.member.refresh_from_db()
    world.org.space_creators = SpaceCreators.MEMBERS
    world.org.save()
    world.member.organisation.refresh_from_db()
    with pytest.raises(PermissionDenied):
        actions.create_space(world.member, name="Secret", label=label(world, "Confidential"))
    actions.create_space(world.member, name="Not secret")
    # A manager cannot restrict their space either, nor lift the restriction.
    space = actions.create_space(world.admin, name="Board", label=label(world, "Confidential"))
    actions.add_space_member(world.admin, space=space, user=world.member, role=SpaceRole.MANAGER)
    with pytest.raises(PermissionDenied):
        actions.update_space(world.member, space=space, label=label(world, "Internal"))


# --- label management -------------------------------------------------------------------------


def test_owners_rename_add_and_restrict_labels(world):
    secret = actions.create_label(world.owner, name="Secret", restricted=True)
    assert secret.rank > label(world, "Confidential").rank
    actions.update_label(world.owner, label=label(world, "Internal"), name="Interne")
    assert Label.objects.filter(organisation=world.org, name="Interne").exists()
    with pytest.raises(Conflict):
        actions.create_label(world.owner, name="secret")
    with pytest.raises(PermissionDenied):
        actions.create_label(world.admin, name="Other")
    with pytest.raises(Invalid):
        actions.update_label(world.owner, label=label(world, "Interne"), restricted=True)


def test_a_label_with_guests_behind_it_cannot_become_restricted(world):
    partner = actions.create_label(world.owner, name="Partners")
    actions.update_space(world.owner, space=world.private_space, label=partner)
    with pytest.raises(Conflict) as refused:
        actions.update_label(world.owner, label=partner, restricted=True)
    assert "Client project" in refused.value.message
    partner.refresh_from_db()
    assert not partner.restricted


# --- share and download -----------------------------------------------------------------------


def test_a_confidential_post_is_not_shared_out_of_its_space(world):
    post, _ = feed_actions.create_post(
        world.member, space=world.open_space, body="x", label=label(world, "Confidential")
    )
    with pytest.raises(PermissionDenied):
        feed_actions.share_post(world.member, post=post, space=world.private_space)
    with pytest.raises(PermissionDenied):
        feed_actions.share_post(world.member, post=post, space=None)


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), (1, 2, 3)).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def confidential_file(world, settings, tmp_path, api_client_for):
    settings.MEDIA_ROOT = tmp_path / "media"
    client = api_client_for(world.owner)
    response = client.post(
        "/api/v1/files", {"file": SimpleUploadedFile("plan.pdf", b"%PDF-1.4\n%%EOF\n"), "name": "plan.pdf"}
    )
    assert response.status_code == 201, response.content
    file_id = response.json()["id"]
    space = confidential_space(world)
    actions.add_space_member(world.owner, space=space, user=world.member)
    post, _ = feed_actions.create_post(world.owner, space=space, body="the plan", attachment_ids=[file_id])
    return post.attachments.get()


def test_a_confidential_download_carries_the_name_and_time_and_is_audited(world, client_for, confidential_file):
    response = client_for(world.member).get(f"/files/{confidential_file.pk}/plan.pdf")
    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    assert "Mia Member" in disposition and "plan (" in disposition
    event = AuditEvent.objects.get(action="file.download")
    assert event.actor_id == world.member.pk and event.target_id == confidential_file.pk


def test_confidential_downloads_can_be_refused_altogether(world, client_for, confidential_file):
    world.org.confidential_downloads = False
    world.org.save()
    response = client_for(world.member).get(f"/files/{confidential_file.pk}/plan.pdf")
    assert response.status_code == 403
    assert AuditEvent.objects.filter(action="file.download.denied", actor=world.member).exists()
    assert not AuditEvent.objects.filter(action="file.download").exists()


def test_an_ordinary_download_keeps_its_name_and_is_not_audited(world, client_for, settings, tmp_path, api_client_for):
    settings.MEDIA_ROOT = tmp_path / "media"
    response = api_client_for(world.member).post(
        "/api/v1/files", {"file": SimpleUploadedFile("a.png", _png()), "name": "a.png"}
    )
    file_id = response.json()["id"]
    feed_actions.create_post(world.member, space=world.open_space, body="x", attachment_ids=[file_id])
    response = client_for(world.member).get(f"/files/{file_id}/a.png")
    assert response.status_code == 200 and 'filename="a.png"' in response["Content-Disposition"]
    assert not AuditEvent.objects.filter(action__startswith="file.download").exists()


# --- the API --------------------------------------------------------------------------------------


def test_labels_through_the_api(world, api_client_for):
    owner = api_client_for(world.owner)
    listed = owner.get("/api/v1/labels").json()
    assert [(item["name"], item["confidential"]) for item in listed] == [("Internal", False), ("Confidential", True)]
    created = owner.post("/api/v1/labels", {"name": "Secret", "confidential": True}, "application/json")
    assert created.status_code == 201 and created.json()["rank"] > 10
    assert owner.post("/api/v1/labels", {"name": "secret"}, "application/json").status_code == 409
    space = owner.post("/api/v1/spaces", {"name": "Board", "label_id": created.json()["id"]}, "application/json").json()
    assert space["confidential"] is True and space["label_id"] == created.json()["id"]
    assert owner.post("/api/v1/spaces", {"name": "X", "label_id": 99999999}, "application/json").status_code == 404
    refused = owner.patch("/api/v1/organisation", {"confidential_space_creators": "everyone"}, "application/json")
    assert refused.status_code == 400
    changed = owner.patch("/api/v1/organisation", {"confidential_downloads": False}, "application/json")
    assert changed.status_code == 200 and changed.json()["confidential_downloads"] is False


def test_a_post_label_is_changed_by_its_author_and_never_lowered(world, api_client_for):
    post, _ = feed_actions.create_post(world.member, space=world.open_space, body="x")
    member = api_client_for(world.member)
    raised = member.put(
        f"/api/v1/posts/{post.pk}/label", {"label_id": label(world, "Confidential").pk}, "application/json"
    )
    assert raised.status_code == 200 and raised.json()["confidential"] is True
    assert AuditEvent.objects.filter(action="post.label", target_id=post.pk).exists()
    space = confidential_space(world)
    actions.add_space_member(world.owner, space=space, user=world.member)
    inside, _ = feed_actions.create_post(world.member, space=space, body="y")
    lowered = member.put(
        f"/api/v1/posts/{inside.pk}/label", {"label_id": label(world, "Internal").pk}, "application/json"
    )
    assert lowered.status_code == 400


def test_a_guest_slipped_into_a_confidential_space_still_reads_nothing_of_it(world, api_client_for):
    """The backstop: even a membership written around the actions shows a guest no confidential post."""
    space = confidential_space(world)
    post, _ = feed_actions.create_post(world.owner, space=space, body="Board minutes")
    MembershipFactory.create(space=space, user=world.guest)
    guest = api_client_for(world.guest)
    assert guest.get(f"/api/v1/posts/{post.pk}").status_code == 404
    assert "Board minutes" not in guest.get("/api/v1/feed").content.decode()
    assert "Board minutes" not in guest.get("/api/v1/search?q=Board").content.decode()
    assert "Board minutes" not in guest.get(f"/api/v1/spaces/{space.pk}/posts").content.decode()
    # The live layer's batch form agrees: the guest's sockets get none of the space's events.
    ids = set(visible_spaces(world.guest).values_list("pk", flat=True))
    state = visible_space_ids_many([world.guest.pk])[world.guest.pk]
    assert state is not None and space.pk not in state.spaces and set(state.spaces) == ids


def test_a_member_of_confidential_spaces_is_not_made_a_guest_silently(world):
    space = confidential_space(world)
    actions.add_space_member(world.owner, space=space, user=world.member)
    with pytest.raises(Conflict) as refused:
        org_actions.change_role(world.owner, member=world.member, role="guest")
    assert "Board" in refused.value.message and world.member.full_name in refused.value.message
    world.member.refresh_from_db()
    assert world.member.role == "member"
    actions.remove_space_member(world.owner, space=space, user=world.member)
    org_actions.change_role(world.owner, member=world.member, role="guest")
    world.member.refresh_from_db()
    assert world.member.role == "guest"
