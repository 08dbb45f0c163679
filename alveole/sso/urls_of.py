"""The addresses an owner copies into the identity provider."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse

from .models import IdentityProvider, Protocol


def provider_urls(request: HttpRequest, idp: IdentityProvider) -> dict[str, str]:
    if idp.protocol == Protocol.OIDC:
        callback = reverse("openid_connect_callback", kwargs={"provider_id": idp.slug})
        return {"redirect_uri": request.build_absolute_uri(callback)}
    metadata = request.build_absolute_uri(reverse("saml_metadata", args=[idp.slug]))
    return {
        "entity_id": metadata,
        "acs_url": request.build_absolute_uri(reverse("saml_acs", args=[idp.slug])),
        "metadata_url": metadata,
    }
