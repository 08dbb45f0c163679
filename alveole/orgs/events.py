"""The live events organisations emit (see alveole.live)."""

from __future__ import annotations

from typing import Literal

from alveole.live.publish import LiveEvent


class MemberUpdated(LiveEvent):
    type: Literal["member.updated"] = "member.updated"
    user_id: int
    role: str
    is_active: bool


class MemberDeactivated(LiveEvent):
    type: Literal["member.deactivated"] = "member.deactivated"
    user_id: int
