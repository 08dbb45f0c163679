"""Managers turn a space's address on, replace it, and choose whether emails carry post text."""

from __future__ import annotations

import pytest

from alveole.mail.inbound import check_recipient

pytestmark = pytest.mark.django_db


def test_a_manager_turns_the_address_on_and_members_see_it(world, api_client_for):
    url = f"/api/v1/spaces/{world.open_space.pk}/email-address"
    on = api_client_for(world.owner).post(url).json()
    assert on["address_enabled"] and on["address"].startswith("space+") and on["can_manage"]
    seen_by_member = api_client_for(world.member).get(f"/api/v1/spaces/{world.open_space.pk}/email").json()
    assert seen_by_member["address"] == on["address"] and not seen_by_member["can_manage"]
    seen_by_nonmember = api_client_for(world.nonmember).get(f"/api/v1/spaces/{world.open_space.pk}/email").json()
    assert seen_by_nonmember["address_enabled"] and seen_by_nonmember["address"] is None
    assert check_recipient(on["address"]).accepted
    replaced = api_client_for(world.owner).post(url).json()["address"]
    assert replaced != on["address"] and check_recipient(replaced).accepted
    assert not check_recipient(on["address"]).accepted  # the old address stops working
    assert api_client_for(world.owner).delete(url).status_code == 204
    assert not check_recipient(replaced).accepted


def test_a_member_cannot_change_the_email_settings(world, api_client_for):
    response = api_client_for(world.member).patch(
        f"/api/v1/spaces/{world.open_space.pk}/email", {"include_content": True}, content_type="application/json"
    )
    assert response.status_code == 403
    assert response.json()["message"] == "Only the space's managers can change its email settings."


def test_the_address_is_hidden_while_the_server_receives_no_email(world, api_client_for, settings):
    settings.ALVEOLE_MAIL_DOMAIN = ""
    on = api_client_for(world.owner).post(f"/api/v1/spaces/{world.open_space.pk}/email-address").json()
    assert on["address_enabled"] and on["address"] is None and not on["receiving"]
