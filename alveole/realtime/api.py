from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from alveole.accounts.access import viewer_of
from alveole.core.bounds import Id
from alveole.live import presence
from alveole.spaces.people import people_visible_to

router = Router(tags=["live"])


class PresenceQuery(Schema):
    user_id: list[Id] = Field(default_factory=list, max_length=200, description="people to look up (repeat)")


class PresenceOut(Schema):
    user_id: int
    state: str = Field(description="online, away or offline")


@router.get(
    "/presence",
    response=list[PresenceOut],
    summary="Who is online among these people",
    operation_id="live_api_get_presence",  # its name from before the socket transport moved to realtime/
)
def get_presence(request: HttpRequest, query: Query[PresenceQuery]) -> list[dict]:
    viewer = viewer_of(request)
    # People the viewer may not see are left out, not reported offline.
    visible = list(people_visible_to(viewer).filter(pk__in=query.user_id).values_list("pk", flat=True))
    found = presence.states(viewer.org_id, visible)
    return [{"user_id": uid, "state": found[uid]} for uid in visible]
