"""Smoke tests of the local identity providers (tests/sso/conftest.py), without Alvéole in between.

The OIDC tests run whole authorization-code flows against oidc-provider, the way a relying party does; the SAML tests
check pysaml2's responses with python3-saml (what allauth's `saml` provider uses): signed → valid; tampered or expired →
refused.
"""

from __future__ import annotations

import re
import secrets
from html.parser import HTMLParser
from urllib.parse import parse_qs, urljoin, urlsplit

import jwt
import pytest
import requests

from .conftest import OIDC_CLIENT_ID, OIDC_CLIENT_SECRET
from .saml_idp import ATTRIBUTES, decode_post_form, response_xml

CALLBACK = "http://127.0.0.1:8000/accounts/oidc/otest/login/callback/"


def test_xml_libraries_agree():
    """lxml and xmlsec must be built on the same libxml2, or python3-saml fails at import with "lxml & xmlsec libxml2
    library version mismatch": keep their pins together in the lock files."""
    import lxml.etree
    import xmlsec

    assert lxml.etree.LIBXML_VERSION == xmlsec.get_libxml_version(), (
        f"lxml runs libxml2 {lxml.etree.LIBXML_VERSION}, xmlsec {xmlsec.get_libxml_version()}: "
        "pin versions built on the same libxml2"
    )
    import onelogin.saml2.auth  # noqa: F401
    import saml2.server  # noqa: F401


# --- OpenID Connect ---------------------------------------------------------------------------------------------------


class Forms(HTMLParser):
    """The first form of a page: its action and its named inputs."""

    def __init__(self) -> None:
        super().__init__()
        self.action: str | None = None
        self.fields: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form" and self.action is None:
            self.action = attributes.get("action") or ""
        elif tag == "input" and attributes.get("name") and self.action is not None:
            self.fields[attributes["name"] or ""] = attributes.get("value") or ""


def first_form(html: str) -> Forms:
    forms = Forms()
    forms.feed(html)
    assert forms.action is not None, html[:2000]
    return forms


def code_flow(issuer: str, login: str, redirect_uri: str = CALLBACK, client_id: str = OIDC_CLIENT_ID) -> dict:
    """Sign in at the provider as `login` (devInteractions: login, then consent); return the callback's parameters."""
    session = requests.Session()
    config = session.get(f"{issuer}/.well-known/openid-configuration", timeout=10).json()
    state, nonce = secrets.token_urlsafe(16), secrets.token_urlsafe(16)
    answer = session.get(
        config["authorization_endpoint"],
        params={
            "client_id": client_id,
            "response_type": "code",
            "scope": "openid email profile alveole",
            "redirect_uri": redirect_uri,
            "state": state,
            "nonce": nonce,
        },
        allow_redirects=False,
        timeout=10,
    )
    for _ in range(10):
        if answer.is_redirect:
            location = urljoin(answer.url, answer.headers["Location"])
            if location.startswith(redirect_uri):
                query = {key: values[0] for key, values in parse_qs(urlsplit(location).query).items()}
                assert query.get("state") == state, query
                return {**query, "nonce": nonce, "config": config, "session": session}
            answer = session.get(location, allow_redirects=False, timeout=10)
            continue
        assert answer.status_code == 200, answer.text[:2000]
        form = first_form(answer.text)
        fields = dict(form.fields)
        if fields.get("prompt") == "login":
            fields.update(login=login, password="any password")
        answer = session.post(urljoin(answer.url, form.action), data=fields, allow_redirects=False, timeout=10)
    raise AssertionError("the provider never redirected to the callback")


def exchange(flow: dict, redirect_uri: str = CALLBACK) -> dict:
    answer = flow["session"].post(
        flow["config"]["token_endpoint"],
        data={
            "grant_type": "authorization_code",
            "code": flow["code"],
            "redirect_uri": redirect_uri,
            "client_id": OIDC_CLIENT_ID,
            "client_secret": OIDC_CLIENT_SECRET,
        },
        timeout=10,
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


def verified_id_token(flow: dict, tokens: dict) -> dict:
    """The id_token, its signature checked against the provider's JWKS, with its iss, aud and exp."""
    config = flow["config"]
    key = jwt.PyJWKClient(config["jwks_uri"]).get_signing_key_from_jwt(tokens["id_token"])
    return jwt.decode(
        tokens["id_token"], key.key, algorithms=["RS256"], audience=OIDC_CLIENT_ID, issuer=config["issuer"]
    )


def test_oidc_code_flow(start_oidc_idp):
    idp = start_oidc_idp(
        redirect_uris=[CALLBACK], accounts={"ada": {"email": "ada@acme.test", "name": "Ada Lovelace", "role": "admin"}}
    )
    flow = code_flow(idp.url, "ada")
    assert "code" in flow, flow
    tokens = exchange(flow)
    claims = verified_id_token(flow, tokens)
    assert claims["sub"] == "ada"
    assert claims["nonce"] == flow["nonce"]
    assert "alveole_role" not in claims  # by default the scope claims come from userinfo only

    userinfo = requests.get(
        flow["config"]["userinfo_endpoint"], headers={"Authorization": f"Bearer {tokens['access_token']}"}, timeout=10
    ).json()
    assert userinfo["email"] == "ada@acme.test"
    assert userinfo["email_verified"] is True
    assert userinfo["name"] == "Ada Lovelace"
    assert userinfo["alveole_role"] == "admin"


def test_oidc_redirect_uris_by_prefix(oidc_idp):
    """The session's provider accepts any callback under 127.0.0.1 (allauth's provider_id is made after it starts),
    and still refuses any other."""
    flow = code_flow(
        oidc_idp.url, "bob@acme.test", redirect_uri="http://127.0.0.1:8123/accounts/oidc/o42/login/callback/"
    )
    assert "code" in flow
    config = requests.get(f"{oidc_idp.url}/.well-known/openid-configuration", timeout=10).json()
    refused = requests.get(
        config["authorization_endpoint"],
        params={
            "client_id": OIDC_CLIENT_ID,
            "response_type": "code",
            "scope": "openid",
            "redirect_uri": "https://evil.test/callback",
        },
        allow_redirects=False,
        timeout=10,
    )
    assert refused.status_code == 400
    assert "redirect_uri" in refused.text


def test_oidc_id_token_claims_mode(start_oidc_idp):
    """OIDC_ID_TOKEN_CLAIMS=1 puts the role in the id_token, as Entra ID does with `roles`."""
    idp = start_oidc_idp(
        redirect_uris=[CALLBACK], accounts={"eve@acme.test": {"role": ["member", "admin"]}}, id_token_claims=True
    )
    flow = code_flow(idp.url, "eve@acme.test")
    claims = verified_id_token(flow, exchange(flow))
    assert claims["email"] == "eve@acme.test"
    assert claims["alveole_role"] == ["member", "admin"]


def test_oidc_expired_mode(start_oidc_idp):
    """OIDC_EXPIRED=1: the id_token has expired by the time the token response arrives."""
    idp = start_oidc_idp(redirect_uris=[CALLBACK], expired=True)
    flow = code_flow(idp.url, "late@acme.test")
    tokens = exchange(flow)
    with pytest.raises(jwt.ExpiredSignatureError):
        verified_id_token(flow, tokens)


# --- SAML -------------------------------------------------------------------------------------------------------------

SP_ENTITY_ID = "http://127.0.0.1:8000/accounts/saml/acme/metadata/"
ACS_URL = "http://127.0.0.1:8000/accounts/saml/acme/acs/"


def sp_settings(idp_url: str, certificate_body: str):
    from onelogin.saml2.constants import OneLogin_Saml2_Constants as C
    from onelogin.saml2.settings import OneLogin_Saml2_Settings

    return OneLogin_Saml2_Settings(
        {
            "strict": True,
            "sp": {
                "entityId": SP_ENTITY_ID,
                "assertionConsumerService": {"url": ACS_URL, "binding": C.BINDING_HTTP_POST},
                "NameIDFormat": C.NAMEID_EMAIL_ADDRESS,
            },
            "idp": {
                "entityId": f"{idp_url}/metadata",
                "singleSignOnService": {"url": f"{idp_url}/sso/redirect", "binding": C.BINDING_HTTP_REDIRECT},
                "x509cert": certificate_body,
            },
            "security": {
                "wantAssertionsSigned": True,
                "wantMessagesSigned": True,
                "rejectDeprecatedAlgorithm": True,
            },
        },
        sp_validation_only=True,
    )


@pytest.fixture
def sp_metadata(sso_tmp, saml_certs):
    """The SP's metadata (as Alvéole will serve it at …/metadata/), for the IdP to know the ACS."""
    path = sso_tmp / "sp-metadata.xml"
    path.write_text(sp_settings("http://127.0.0.1:1", saml_certs.body).get_sp_metadata())
    return path


def saml_sign_in(idp_url: str, certificate_body: str, email: str):
    """Send an AuthnRequest to the IdP, sign in on its form and return python3-saml's view of the Response."""
    from onelogin.saml2.authn_request import OneLogin_Saml2_Authn_Request
    from onelogin.saml2.response import OneLogin_Saml2_Response

    settings = sp_settings(idp_url, certificate_body)
    authn_request = OneLogin_Saml2_Authn_Request(settings)
    session = requests.Session()
    form_page = session.get(
        f"{idp_url}/sso/redirect",
        params={"SAMLRequest": authn_request.get_request(), "RelayState": "/after"},
        timeout=10,
    )
    assert form_page.status_code == 200, form_page.text
    form = first_form(form_page.text)
    posted = session.post(urljoin(idp_url, form.action), data={**form.fields, "email": email}, timeout=30)
    assert posted.status_code == 200, posted.text
    auto_post = decode_post_form(posted.text)
    assert auto_post["action"] == ACS_URL
    assert auto_post["RelayState"] == "/after"
    response = OneLogin_Saml2_Response(settings, auto_post["SAMLResponse"])
    request_data = {
        "https": "off",
        "http_host": "127.0.0.1:8000",
        "script_name": urlsplit(ACS_URL).path,
        "get_data": {},
        "post_data": {"SAMLResponse": auto_post["SAMLResponse"]},
    }
    valid = response.is_valid(request_data, request_id=authn_request.get_id())
    return valid, response, response_xml(auto_post["SAMLResponse"])


def test_saml_signed_response_is_valid(start_saml_idp, saml_certs, sp_metadata):
    idp = start_saml_idp(sp_metadata, accounts={"ada@acme.test": {"role": "admin", "given_name": "Ada"}})
    metadata = requests.get(f"{idp.url}/metadata", timeout=10).text  # what allauth's "metadata_url" would read
    assert f'entityID="{idp.url}/metadata"' in metadata
    assert saml_certs.body in "".join(metadata.split())
    valid, response, xml = saml_sign_in(idp.url, saml_certs.body, "ada@acme.test")
    assert valid, response.get_error()
    assert len(re.findall(r"<\w+:Signature[ >]", xml)) == 2  # the Response and the Assertion
    assert response.get_nameid() == "ada@acme.test"
    attributes = response.get_attributes()
    assert attributes[ATTRIBUTES["email"]] == ["ada@acme.test"]
    assert attributes[ATTRIBUTES["first_name"]] == ["Ada"]
    assert attributes[ATTRIBUTES["role"]] == ["admin"]


def test_saml_tampered_response_is_refused(start_saml_idp, saml_certs, sp_metadata):
    idp = start_saml_idp(sp_metadata, tamper=True)
    valid, response, xml = saml_sign_in(idp.url, saml_certs.body, "bob@acme.test")
    assert ">owner</" in xml  # the role was raised after signing
    assert not valid
    assert "ignature" in (response.get_error() or ""), response.get_error()


def test_saml_expired_response_is_refused(start_saml_idp, saml_certs, sp_metadata):
    idp = start_saml_idp(sp_metadata, travel=-7200)
    valid, response, _ = saml_sign_in(idp.url, saml_certs.body, "carol@acme.test")
    assert not valid
    assert "expired" in (response.get_error() or ""), response.get_error()
