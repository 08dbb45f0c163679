"""What every tab of a space shows above its content: name, membership, faces, and what the viewer may do."""

from __future__ import annotations

from alveole.accounts.models import User

from .access import can_manage, membership_of
from .models import Space
from .selectors import members_of

FACES = 8  # member faces shown in the header


def space_header(viewer: User, space: Space, tab: str) -> dict:
    membership = membership_of(viewer, space)
    members = members_of(space)
    return {
        "space": space,
        "membership": membership,
        "can_manage": can_manage(viewer, space, membership),
        "can_join": membership is None and space.is_open and not viewer.is_guest and not space.is_archived,
        "faces": [m.user for m in members[:FACES]],
        "member_count": members.count(),
        "tab": tab,
    }
