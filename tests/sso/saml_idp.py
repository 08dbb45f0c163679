"""The local SAML 2.0 identity provider of the SSO tests: pysaml2's own IdP (`saml2.server.Server`) behind wsgiref.

Run as a process (tests/sso/conftest.py starts it, reads the "ready <base url>" line and stops it by pid):

    python tests/sso/saml_idp.py

Environment:
    IDP_KEY, IDP_CERT    the signing key and self-signed certificate (PEM files, made at test time; never committed)
    IDP_SP_METADATA      the service provider's metadata: a file path or an http(s) URL, read again on each sign-in,
                         so a test may start the IdP first and write (or serve) the SP's metadata afterwards
    IDP_PORT             port on 127.0.0.1; 0 (the default) lets the system pick a free one
    IDP_ACCOUNTS         JSON {email: {"role": …, "given_name": …, "surname": …}}; any other email signs in as a member
    IDP_TAMPER=1         edits the role (or the email, when the role is absent) of the assertion after it is signed
    IDP_UNSIGNED=1       signs neither the Response nor the Assertion (a service provider must refuse it)
    IDP_TRAVEL=-7200     shifts the IdP's clock by that many seconds (time-machine): its assertions arrive expired
    XMLSEC_BINARY        default /usr/bin/xmlsec1 (pysaml2 signs by running it: Debian's `xmlsec1` package)

Endpoints: GET /metadata (the IdP's metadata), GET /sso/redirect (HTTP-Redirect binding: a sign-in form for the
AuthnRequest), POST /sso/login (the form: answers with the signed Response in an auto-posting form to the SP's ACS).
Assertion and Response are both signed (RSA-SHA256, SHA-256 digests). The attributes, as python3-saml names them:
ATTRIBUTES below.
"""

from __future__ import annotations

import base64
import html
import json
import os
import sys
import urllib.request
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, make_server

from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2 import xmldsig as ds
from saml2.config import IdPConfig
from saml2.metadata import entity_descriptor
from saml2.saml import AUTHN_PASSWORD_PROTECTED, NAMEID_FORMAT_EMAILADDRESS, NameID
from saml2.server import Server

# The Attribute Name of each value in the assertion (pysaml2 writes the standard URIs for the LDAP names).
ATTRIBUTES = {
    "email": "urn:oid:0.9.2342.19200300.100.1.3",  # mail
    "uid": "urn:oid:0.9.2342.19200300.100.1.1",  # uid
    "first_name": "urn:oid:2.5.4.42",  # givenName
    "last_name": "urn:oid:2.5.4.4",  # sn
    "role": "role",  # no standard name: sent as is
}


def sp_metadata() -> str:
    source = os.environ["IDP_SP_METADATA"]
    if source.startswith(("http://", "https://")):
        with urllib.request.urlopen(source, timeout=10) as answer:
            return answer.read().decode()
    with open(source, encoding="utf-8") as file:
        return file.read()


def idp_server(base: str, with_sp: bool = True) -> Server:
    config: dict[str, Any] = {
        "entityid": f"{base}/metadata",
        "service": {
            "idp": {
                "name": "Alvéole test IdP",
                "endpoints": {"single_sign_on_service": [(f"{base}/sso/redirect", BINDING_HTTP_REDIRECT)]},
                "name_id_format": [NAMEID_FORMAT_EMAILADDRESS],
                "want_authn_requests_signed": False,
                "sign_response": os.environ.get("IDP_UNSIGNED") != "1",
                "sign_assertion": os.environ.get("IDP_UNSIGNED") != "1",
                "policy": {"default": {"lifetime": {"minutes": 5}, "attribute_restrictions": None}},
            }
        },
        "key_file": os.environ["IDP_KEY"],
        "cert_file": os.environ["IDP_CERT"],
        "xmlsec_binary": os.environ.get("XMLSEC_BINARY", "/usr/bin/xmlsec1"),
        "signing_algorithm": ds.SIG_RSA_SHA256,
        "digest_algorithm": ds.DIGEST_SHA256,
        "metadata": {"inline": [sp_metadata()]} if with_sp else {},
    }
    idp_config = IdPConfig()
    idp_config.load(config)
    return Server(config=idp_config)


def identity_of(email: str) -> dict[str, list[str]]:
    account = json.loads(os.environ.get("IDP_ACCOUNTS") or "{}").get(email, {})
    local = email.split("@", 1)[0]
    identity = {
        "mail": [email],
        "uid": [local],
        "givenName": [account.get("given_name", local.capitalize())],
        "sn": [account.get("surname", "Test")],
    }
    if account.get("role", "member") is not None:
        identity["role"] = [account.get("role", "member")]
    return identity


def tamper(xml: str, identity: dict[str, list[str]]) -> str:
    """Edit a value of the signed assertion, as an attacker between the IdP and the SP would."""
    if "role" in identity:
        before, after = identity["role"][0], "owner" if identity["role"][0] != "owner" else "guest"
    else:
        before = identity["mail"][0]
        after = "mallory@" + before.split("@", 1)[1]
    tampered = xml.replace(f">{before}</", f">{after}</")
    assert tampered != xml, "nothing to tamper with"
    return tampered


def page(body: str, status: str = "200 OK") -> tuple[str, list[tuple[str, str]], bytes]:
    return status, [("Content-Type", "text/html; charset=utf-8")], body.encode()


def login_form(saml_request: str, relay_state: str) -> str:
    return (
        "<!doctype html><html lang='en'><head><title>Test IdP: sign in</title></head><body>"
        "<h1>Test IdP</h1><form method='post' action='/sso/login'>"
        f"<input type='hidden' name='SAMLRequest' value='{html.escape(saml_request, quote=True)}'>"
        f"<input type='hidden' name='RelayState' value='{html.escape(relay_state, quote=True)}'>"
        "<label>Email <input type='email' name='email' required autofocus></label>"
        "<button type='submit'>Sign in</button></form></body></html>"
    )


def respond(base: str, saml_request: str, relay_state: str, email: str) -> str:
    server = idp_server(base)
    request = server.parse_authn_request(saml_request, BINDING_HTTP_REDIRECT)
    args = server.response_args(request.message, [BINDING_HTTP_POST])
    identity = identity_of(email)
    signed = os.environ.get("IDP_UNSIGNED") != "1"
    xml = str(
        server.create_authn_response(
            identity,
            args["in_response_to"],
            args["destination"],
            args["sp_entity_id"],
            name_id=NameID(format=NAMEID_FORMAT_EMAILADDRESS, text=email),
            userid=email,
            authn={"class_ref": AUTHN_PASSWORD_PROTECTED, "authn_auth": f"{base}/metadata"},
            sign_response=signed,
            sign_assertion=signed,
            sign_alg=ds.SIG_RSA_SHA256,  # pysaml2 would sign with RSA-SHA1 otherwise, whatever its config says
            digest_alg=ds.DIGEST_SHA256,
        )
    )
    if os.environ.get("IDP_TAMPER") == "1":
        xml = tamper(xml, identity)
    http_args = server.apply_binding(BINDING_HTTP_POST, xml, args["destination"], relay_state, response=True)
    return http_args["data"]


def app(base: str):
    def wsgi(environ, start_response):
        path, method = environ.get("PATH_INFO", ""), environ["REQUEST_METHOD"]
        try:
            if path == "/metadata" and method == "GET":
                xml = str(entity_descriptor(idp_server(base, with_sp=False).config))
                status, headers, body = "200 OK", [("Content-Type", "application/samlmetadata+xml")], xml.encode()
            elif path == "/sso/redirect" and method == "GET":
                query = parse_qs(environ.get("QUERY_STRING", ""))
                saml_request = query.get("SAMLRequest", [""])[0]
                status, headers, body = page(login_form(saml_request, query.get("RelayState", [""])[0]))
            elif path == "/sso/login" and method == "POST":
                length = int(environ.get("CONTENT_LENGTH") or 0)
                form = parse_qs(environ["wsgi.input"].read(length).decode())
                field = {key: values[0] for key, values in form.items()}
                status, headers, body = page(
                    respond(base, field["SAMLRequest"], field.get("RelayState", ""), field["email"])
                )
            else:
                status, headers, body = page("<p>Not found</p>", "404 Not Found")
        except Exception as error:  # noqa: BLE001 (the test reads the reason on the page and in the log)
            print(f"saml idp error: {error!r}", file=sys.stderr, flush=True)
            status, headers, body = page(f"<p>IdP error: {html.escape(repr(error))}</p>", "400 Bad Request")
        start_response(status, [*headers, ("Content-Length", str(len(body)))])
        return [body]

    return wsgi


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):
        pass


def main() -> None:
    httpd = make_server("127.0.0.1", int(os.environ.get("IDP_PORT") or 0), lambda e, s: [], handler_class=QuietHandler)
    base = f"http://127.0.0.1:{httpd.server_port}"
    httpd.set_app(app(base))
    travel = int(os.environ.get("IDP_TRAVEL") or 0)
    if travel:
        import time_machine

        time_machine.travel(datetime.now(UTC) + timedelta(seconds=travel), tick=True).start()
    print(f"ready {base}", flush=True)
    httpd.serve_forever()


def decode_post_form(page_html: str) -> dict[str, str]:
    """The hidden fields of the IdP's auto-posting form (SAMLResponse, RelayState) and its action."""
    from html.parser import HTMLParser

    fields: dict[str, str] = {}

    class Parser(HTMLParser):
        def handle_starttag(self, tag, attrs):
            attributes = dict(attrs)
            if tag == "form":
                fields["action"] = attributes.get("action") or ""
            elif tag == "input" and attributes.get("name"):
                fields[attributes["name"] or ""] = attributes.get("value") or ""

    Parser().feed(page_html)
    return fields


def response_xml(saml_response: str) -> str:
    return base64.b64decode(saml_response).decode()


if __name__ == "__main__":
    main()
