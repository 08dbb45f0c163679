"""What an owner may point Alvéole at: the server-side fetches of discovery documents and IdP metadata must not
become a way to reach the internal network (SSRF). https only, and never a private, loopback or link-local address,
unless the operator allows it (ALVEOLE_SSO_ALLOW_INSECURE_ISSUERS, for a local provider in tests or development)."""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.utils.translation import gettext as _

from alveole.core.errors import Invalid

DISCOVERY_TIMEOUT = 5


def check_public_url(url: str, field: str) -> str:
    """The URL, stripped, if the server may fetch it; otherwise Invalid with a sentence on `field`."""
    url = (url or "").strip()
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise Invalid(fields={field: _("Enter a full address starting with https://.")})
    if settings.ALVEOLE_SSO_ALLOW_INSECURE_ISSUERS:
        return url
    if parts.scheme != "https":
        raise Invalid(fields={field: _("The address must start with https://.")})
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(parts.hostname, parts.port or 443)}
    except (socket.gaierror, UnicodeError):
        raise Invalid(fields={field: _("This host name does not resolve.")}) from None
    for address in addresses:
        ip = ipaddress.ip_address(str(address).split("%", 1)[0])
        if not ip.is_global:
            raise Invalid(fields={field: _("This address points to a private network, which Alvéole does not call.")})
    return url


def discover(issuer: str) -> dict:
    """The provider's OpenID configuration; its `issuer` must be the one given (OpenID Connect Discovery §4.3)."""
    issuer = check_public_url(issuer, "issuer").rstrip("/")
    url = f"{issuer}/.well-known/openid-configuration"
    try:
        answer = requests.get(url, timeout=DISCOVERY_TIMEOUT, allow_redirects=False)
        answer.raise_for_status()
        config = answer.json()
    except (requests.RequestException, ValueError):
        raise Invalid(
            fields={"issuer": _("No OpenID Connect configuration could be read at %(url)s.") % {"url": url}}
        ) from None
    if not isinstance(config, dict) or str(config.get("issuer", "")).rstrip("/") != issuer:
        raise Invalid(fields={"issuer": _("The provider names another issuer: copy its issuer exactly.")})
    return config
