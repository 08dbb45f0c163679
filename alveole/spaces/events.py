"""The live events spaces emit (see alveole.live)."""

from __future__ import annotations

from typing import Literal

from alveole.live.publish import LiveEvent


class SpaceCreated(LiveEvent):
    """Widens what people may see: every process recomputes its sockets' rights before delivering
    the space's next event (the creator, and everyone but guests when the space is open)."""

    type: Literal["space.created"] = "space.created"
    space_id: int
    name: str
    kind: str
    visibility: str
    created_by: int


class SpaceMemberAdded(LiveEvent):
    type: Literal["space.member_added"] = "space.member_added"
    space_id: int
    user_id: int
    role: str


class SpaceMemberRemoved(LiveEvent):
    type: Literal["space.member_removed"] = "space.member_removed"
    space_id: int
    user_id: int


class SpaceUpdated(LiveEvent):
    type: Literal["space.updated"] = "space.updated"
    space_id: int
    name: str
    description: str
    kind: str
    visibility: str
    archived: bool
