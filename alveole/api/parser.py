"""Request parsing for the API: JSON bodies, query strings and forms, refused whole when they hold text
no database can store (NUL, which PostgreSQL refuses, or a lone surrogate, which is not UTF-8).

Checked here, once, before any schema or action sees the data, so every endpoint answers a 400
with the field's name instead of failing at the markdown renderer or the database.
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest
from django.utils.datastructures import MultiValueDict
from ninja.parser import Parser

from alveole.core.bounds import check_text


class CheckedParser(Parser):
    def parse_body(self, request: HttpRequest) -> Any:
        data = json.loads(request.body)
        # Raised inside ninja's "cannot parse" wrapper; errors.http_error answers with this cause.
        check_text(data)
        return data

    def parse_querydict(self, data: MultiValueDict, list_fields: list[str], request: HttpRequest) -> dict[str, Any]:
        result = super().parse_querydict(data, list_fields, request)
        check_text({key: _text_of(value) for key, value in result.items()})
        return result


def _text_of(value: Any) -> Any:
    """The text in a query, form or file value: an uploaded file counts by its name."""
    if isinstance(value, list):
        return [_text_of(v) for v in value]
    return value if isinstance(value, str) else getattr(value, "name", None)
