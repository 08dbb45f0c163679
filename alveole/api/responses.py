"""Responses for hot read paths, serialized without a second validation pass.

django-ninja validates a view's return value against its response schema before
rendering it. For a feed page that is 30 nested items rebuilt field by field:
about an eighth of the request (bench/RESULTS.md). The hot views build exactly
the schema's shape themselves (tests validate it against the schema), so they
hand ninja a finished response, rendered with the same encoder ninja uses.
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpResponse
from ninja.responses import NinjaJSONEncoder


def prevalidated(payload: Any, status: int = 200) -> HttpResponse:
    return HttpResponse(
        json.dumps(payload, cls=NinjaJSONEncoder), status=status, content_type="application/json; charset=utf-8"
    )
