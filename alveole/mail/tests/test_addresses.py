from __future__ import annotations

import pytest
from django.core import signing

from alveole.mail.addresses import (
    read_reply_token,
    read_unsubscribe_token,
    reply_address,
    split_recipient,
    unsubscribe_address,
)


def test_reply_addresses_round_trip_and_fit_in_an_email_address():
    address = reply_address(123456, 9876543, 4567890)
    local = address.split("@")[0]
    assert len(local) <= 64 and local == local.lower()
    recipient = split_recipient(address.upper())  # some mail systems upper- or lower-case addresses
    assert recipient.kind == "reply"
    target = read_reply_token(recipient.token)
    assert (target.user_id, target.post_id, target.comment_id) == (123456, 9876543, 4567890)


def test_a_tampered_reply_token_is_refused():
    token = split_recipient(reply_address(1, 2)).token
    user, post, rest = token.split(".", 2)
    with pytest.raises(signing.BadSignature):
        read_reply_token(f"{user}.{int(post) + 1}.{rest}")
    with pytest.raises(signing.BadSignature):
        read_reply_token("1.2.abc.def")


def test_unsubscribe_tokens_are_signed():
    token = split_recipient(unsubscribe_address(42)).token
    assert read_unsubscribe_token(token) == 42
    with pytest.raises(signing.BadSignature):
        read_unsubscribe_token("43." + token.split(".")[1])


def test_addresses_of_other_domains_are_not_ours():
    assert split_recipient("reply+abc@elsewhere.example").kind == ""
    assert split_recipient("someone@mail.alveole.test").kind == ""
