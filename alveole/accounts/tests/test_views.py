"""Profile and personal access token pages."""

from __future__ import annotations

from django.urls import reverse

from alveole.accounts.actions import create_token
from alveole.accounts.models import AccessToken


def test_profile_page_links_to_security(world, client_for) -> None:
    response = client_for(world.member).get(reverse("profile"))
    assert response.status_code == 200
    html = response.content.decode()
    for name in ("account_change_password", "mfa_index", "usersessions_list", "tokens"):
        assert reverse(name) in html
    assert 'value="Mia Member"' in html


def test_profile_update_saves_and_redirects(world, client_for) -> None:
    client = client_for(world.member)
    data = {"full_name": "Mia  Martin", "title": "Designer", "language": "fr", "time_zone": "Europe/Paris"}
    response = client.post(reverse("profile"), data)
    assert response.status_code == 302
    world.member.refresh_from_db()
    assert (world.member.full_name, world.member.language, world.member.time_zone) == (
        "Mia Martin",
        "fr",
        "Europe/Paris",
    )
    # The user's language now applies to every page.
    assert client.get(reverse("profile")).content.decode().count('<html lang="fr">') == 1


def test_profile_bad_input_is_400_and_writes_nothing(world, client_for) -> None:
    response = client_for(world.member).post(
        reverse("profile"), {"full_name": "   ", "title": "", "language": "", "time_zone": "Mars/Olympus"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "aria-invalid" in html and "id_time_zone_error" in html
    world.member.refresh_from_db()
    assert world.member.full_name == "Mia Member"


def test_profile_requires_sign_in(client) -> None:
    assert client.get(reverse("profile")).status_code == 302


def test_token_is_shown_once_then_listed_by_prefix(world, client_for) -> None:
    client = client_for(world.member)
    response = client.post(reverse("tokens"), {"name": "CI"})
    assert response.status_code == 200
    token = AccessToken.objects.get(user=world.member)
    html = response.content.decode()
    assert 'data-testid="new-token"' in html and token.prefix in html
    assert response["Cache-Control"] == "no-store"
    listing = client.get(reverse("tokens")).content.decode()
    assert 'data-testid="new-token"' not in listing
    assert token.prefix in listing and "CI" in listing


def test_token_without_a_name_is_400(world, client_for) -> None:
    response = client_for(world.member).post(reverse("tokens"), {"name": "  "})
    assert response.status_code == 400
    assert not AccessToken.objects.filter(user=world.member).exists()


def test_token_revoke(world, client_for) -> None:
    token, _secret = create_token(world.member, name="script")
    client = client_for(world.member)
    assert client.get(reverse("token_revoke", args=[token.pk])).status_code == 405
    response = client.post(reverse("token_revoke", args=[token.pk]))
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_someone_elses_token_is_404(world, client_for) -> None:
    token, _secret = create_token(world.member, name="mine")
    for user in (world.owner, world.other):
        response = client_for(user).post(reverse("token_revoke", args=[token.pk]))
        assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
