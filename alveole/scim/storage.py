"""scim2-server's storage, over Alvéole's tables, bound to one organisation.

scim2-server speaks the protocol (routing, validation, PATCH, filters, errors); this storage keeps each
resource's document (ScimResource) and projects it onto accounts and spaces through scim/actions.py.
Every query starts from the token's organisation: another organisation's ids answer 404."""

from __future__ import annotations

import uuid
from collections.abc import Generator, Iterator
from contextlib import contextmanager
from typing import Any, Union

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from scim2_models import (
    ForbiddenException,
    InvalidValueException,
    NotFoundException,
    PreconditionFailedException,
    Resource,
    ResourceType,
    ResponseParameters,
    ScimFilter,
    SearchRequest,
    UniquenessException,
)
from scim2_models.path import CompareOperator, Comparison
from scim2_server.service import ScimService
from scim2_server.storage import ScimStorage, SearchPage
from scim2_server.utils import parametrize

from alveole.accounts.models import User
from alveole.core.errors import AlveoleError, Conflict, NotFound, PermissionDenied

from . import actions
from .models import ResourceKind, ScimResource, ScimToken

# Attributes never kept: a password is not Alvéole's to store (people sign in through their identity
# or single sign-on), and id/meta are the storage's own.
DROPPED = ("id", "meta", "password")
# The attributes stored lowercased in ScimResource.key, for uniqueness and the equality fast path.
KEY_ATTRIBUTE = {ResourceKind.USER: "username", ResourceKind.GROUP: "displayname"}


@contextmanager
def scim_errors() -> Iterator[None]:
    """Alvéole's domain refusals, as the SCIM errors a provider understands (never a 500)."""
    try:
        yield
    except NotFound as exc:
        raise NotFoundException(detail=exc.message) from None
    except PermissionDenied as exc:
        raise ForbiddenException(detail=exc.message) from None
    except Conflict as exc:
        raise UniquenessException(detail=exc.message) from None
    except AlveoleError as exc:
        detail = " ".join([exc.message, *exc.fields.values()])
        raise InvalidValueException(detail=detail) from None


def _version(row: ScimResource) -> str:
    return f'W/"{row.version}"'


class OrgScimStorage(ScimStorage):
    """The resources of one organisation; writes act as the owner who created the token."""

    def __init__(self, token: ScimToken, service: ScimService) -> None:
        self.token = token
        self.org_id = token.organisation_id
        assert token.created_by is not None  # authenticate_scim_token refuses a token without its owner
        self.actor: User = token.created_by
        self.service = service

    @contextmanager
    def operation(self) -> Generator[None]:
        # One operation, one transaction: a refused projection leaves neither the document nor half an account.
        with transaction.atomic():
            yield

    # --- reading ---------------------------------------------------------------------------------

    def _rows(self, kinds: list[str]) -> QuerySet[ScimResource]:
        return ScimResource.objects.filter(
            organisation_id=self.org_id, kind__in=kinds, deleted_at__isnull=True
        ).select_related("account")

    def _row(self, resource_type: ResourceType, resource_id: str | None, *, lock: bool = False) -> ScimResource:
        try:
            scim_id = uuid.UUID(str(resource_id))
        except ValueError:
            scim_id = None
        rows = self._rows([str(resource_type.name)])
        if lock:
            rows = rows.select_for_update(of=("self",))
        row = rows.filter(scim_id=scim_id).first() if scim_id is not None else None
        if row is None:
            raise NotFoundException(detail=f"{resource_type.name} {resource_id!r} not found")
        return row

    def _resource(self, row: ScimResource) -> Resource[Any]:
        doc = dict(row.data)
        doc["id"] = str(row.scim_id)
        doc["meta"] = {
            "resourceType": row.kind,
            "created": row.created_at.isoformat(),
            "lastModified": row.updated_at.isoformat(),
            "version": _version(row),
        }
        if row.kind == ResourceKind.USER and row.account is not None and "active" in doc:
            # The account is the truth: an admin may have deactivated it in Alvéole. (A provider that
            # removed the attribute gets it back absent, as it sent it.)
            doc["active"] = row.account.is_active
        model = self.service.get_model(self.service.get_resource_type(row.kind))
        return model.model_validate(doc)

    def get(
        self,
        resource_type: ResourceType,
        resource_id: str,
        *,
        response_parameters: ResponseParameters[Any] | None = None,
    ) -> Resource[Any]:
        return self._resource(self._row(resource_type, resource_id))

    def search(
        self,
        resource_types: list[ResourceType],
        search_request: SearchRequest[Any],
        *,
        position: Any = None,
    ) -> SearchPage:
        kinds = list(dict.fromkeys(str(rt.name) for rt in resource_types))
        rows = self._rows(kinds)
        scim_filter = search_request.filter
        rows = self._equality_fast_path(rows, kinds, scim_filter)
        candidates = [self._resource(row) for row in rows.order_by("pk")]
        if scim_filter is not None and not scim_filter.models and candidates:
            # A search at the root: the filter is read against every searched model, as InMemoryStorage does.
            models = tuple(dict.fromkeys(type(r) for r in candidates))
            scim_filter = parametrize(ScimFilter, Union[models])(str(scim_filter))  # noqa: UP007
        found = [r for r in candidates if scim_filter is None or scim_filter.match(r)]
        descending = (
            search_request.sort_by is not None and search_request.sort_order == SearchRequest.SortOrder.descending
        )

        def sort_key(resource: Resource[Any]) -> tuple[bool, Any, str]:
            value = search_request.sort_value(resource)
            return value is None, value if value is not None else "", str(resource.id)

        found.sort(key=sort_key, reverse=descending)
        start = search_request.start_index_0 or 0
        stop = None if search_request.count is None else start + search_request.count
        return SearchPage(len(found), found[start:stop])

    @staticmethod
    def _equality_fast_path(
        rows: QuerySet[ScimResource], kinds: list[str], scim_filter: ScimFilter[Any] | None
    ) -> QuerySet[ScimResource]:
        """`userName eq "…"` (how providers look a person up before creating them), `displayName eq "…"`
        on groups and `externalId eq "…"` narrow the rows in SQL; the filter still decides on what is left."""
        if scim_filter is None or len(kinds) != 1:
            return rows
        node = scim_filter.ast
        if not isinstance(node, Comparison) or node.op != CompareOperator.eq or not isinstance(node.value, str):
            return rows
        attribute = str(node.attr_path).lower().rsplit(":", 1)[-1]
        if attribute == KEY_ATTRIBUTE.get(ResourceKind(kinds[0])):
            return rows.filter(key=node.value.lower()[:255])
        if attribute == "externalid":
            return rows.filter(external_id=node.value[:255])
        return rows

    # --- writing ---------------------------------------------------------------------------------

    @staticmethod
    def _document(resource: Resource[Any]) -> dict[str, Any]:
        doc = resource.model_dump(mode="json")
        for name in DROPPED:
            doc.pop(name, None)
        return doc

    def _key(self, kind: str, doc: dict[str, Any]) -> str:
        value = doc.get("userName") if kind == ResourceKind.USER else doc.get("displayName")
        return str(value or "").lower()[:255]

    def _check_unique(self, kind: str, key: str, row: ScimResource | None) -> None:
        # userName is unique (RFC 7643 §4.1.1, case-insensitive) within the organisation; group names are not.
        if kind != ResourceKind.USER or not key:
            return
        clash = self._rows([kind]).filter(key=key)
        if row is not None:
            clash = clash.exclude(pk=row.pk)
        if clash.exists():
            raise UniquenessException(detail="This userName is already taken.")

    def _project(self, row: ScimResource, doc: dict[str, Any], previous: dict[str, Any] | None) -> None:
        with scim_errors():
            if row.kind == ResourceKind.USER:
                actions.project_user(self.actor, row, doc)
            else:
                actions.project_group(self.actor, row, doc, previous)

    def create(self, resource_type: ResourceType, resource: Resource[Any]) -> Resource[Any]:
        kind = str(resource_type.name)
        doc = self._document(resource)
        key = self._key(kind, doc)
        self._check_unique(kind, key, None)
        now = timezone.now()
        row = ScimResource(
            organisation_id=self.org_id,
            kind=kind,
            key=key,
            external_id=str(doc.get("externalId") or "")[:255],
            data=doc,
            created_at=now,
            updated_at=now,
        )
        self._project(row, doc, None)
        row.save()
        return self._resource(row)

    def update(
        self,
        resource_type: ResourceType,
        resource: Resource[Any],
        *,
        expected_version: str | None = None,
    ) -> Resource[Any]:
        row = self._row(resource_type, resource.id, lock=True)
        if expected_version is not None and expected_version != _version(row):
            raise PreconditionFailedException
        doc = self._document(resource)
        key = self._key(row.kind, doc)
        self._check_unique(row.kind, key, row)
        previous = row.data
        self._project(row, doc, previous)
        row.key = key
        row.external_id = str(doc.get("externalId") or "")[:255]
        row.data = doc
        row.version += 1
        row.updated_at = timezone.now()
        row.save()
        if row.account is not None:
            row.account.refresh_from_db(fields=["is_active"])
        return self._resource(row)

    def delete(self, resource_type: ResourceType, resource_id: str, *, expected_version: str | None = None) -> None:
        row = self._row(resource_type, resource_id, lock=True)
        if expected_version is not None and expected_version != _version(row):
            raise PreconditionFailedException
        with scim_errors():
            if row.kind == ResourceKind.USER:
                actions.retire_user(self.actor, row)
            else:
                actions.retire_group(self.actor, row)
        # Marked, never erased: GET answers 404 from now on (RFC 7644 §3.6), the content stays.
        row.deleted_at = timezone.now()
        row.save(update_fields=["deleted_at"])
