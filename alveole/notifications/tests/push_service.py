"""A push service for the tests: a real HTTP server on loopback that does what Mozilla's or Google's would with
a push — it checks the VAPID signature (RFC 8292) against the key the browser was given, decrypts the aes128gcm
body (RFC 8291) with the device's private key, and answers 201, or what the test tells it to (404, 410, 500)."""

from __future__ import annotations

import base64
import json
import os
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import http_ece
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature


def b64decode(value: str) -> bytes:
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


def b64encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


@dataclass
class Device:
    """A browser's side of a push subscription: its key pair and authentication secret."""

    endpoint: str
    private_key: ec.EllipticCurvePrivateKey = field(default_factory=lambda: ec.generate_private_key(ec.SECP256R1()))
    auth: bytes = field(default_factory=lambda: os.urandom(16))

    @property
    def p256dh(self) -> str:
        raw = self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return b64encode(raw)

    def subscription_json(self, device: str = "Test browser") -> dict:
        """What `PushSubscription.toJSON()` gives the page, plus the label the page adds."""
        return {
            "endpoint": self.endpoint,
            "expirationTime": None,
            "keys": {"p256dh": self.p256dh, "auth": b64encode(self.auth)},
            "device": device,
        }


@dataclass
class Push:
    path: str
    vapid_key: str  # the `k` of the Authorization header, checked against the JWT's signature
    claims: dict
    ttl: str
    message: dict  # the decrypted body


class PushService:
    def __init__(self) -> None:
        self.devices: dict[str, Device] = {}
        self.answers: dict[str, list[int]] = {}  # path -> statuses to answer, in turn (then 201)
        self.received: list[Push] = []
        self.errors: list[str] = []  # what a real push service would have refused
        self.hits: list[str] = []  # every path posted to, refused or not
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                status = service.handle(self.path, dict(self.headers.items()), body)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def device(self, name: str) -> Device:
        device = Device(endpoint=f"{self.origin}/push/{name}")
        self.devices[urlsplit(device.endpoint).path] = device
        return device

    def handle(self, path: str, headers: dict[str, str], body: bytes) -> int:
        self.hits.append(path)
        headers = {k.lower(): v for k, v in headers.items()}
        answers = self.answers.get(path)
        if answers:
            return answers.pop(0)
        device = self.devices.get(path)
        if device is None:
            return 404
        try:
            key, claims = self._check_vapid(headers.get("authorization", ""))
            if headers.get("content-encoding") != "aes128gcm":
                raise ValueError(f"content-encoding {headers.get('content-encoding')!r}")
            plain = http_ece.decrypt(body, private_key=device.private_key, auth_secret=device.auth, version="aes128gcm")
            message = json.loads(plain)
        except Exception as error:  # noqa: BLE001 (whatever a real service would refuse; the test reads `errors`)
            self.errors.append(f"{path}: {error!r}")
            return 400
        self.received.append(Push(path, key, claims, headers.get("ttl", ""), message))
        return 201

    def _check_vapid(self, authorization: str) -> tuple[str, dict]:
        """`vapid t=<JWT>,k=<public key>` (RFC 8292 §3): the JWT is ES256-signed by k, for our origin, unexpired."""
        scheme, _, params = authorization.partition(" ")
        if scheme.lower() != "vapid":
            raise ValueError(f"authorization scheme {scheme!r}")
        parts = dict(p.strip().split("=", 1) for p in params.split(","))
        token, key = parts["t"], parts["k"]
        header_b64, claims_b64, signature_b64 = token.split(".")
        header = json.loads(b64decode(header_b64))
        if header.get("alg") != "ES256":
            raise ValueError(f"alg {header.get('alg')!r}")
        signature = b64decode(signature_b64)
        public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), b64decode(key))
        r, s = int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
        public.verify(encode_dss_signature(r, s), f"{header_b64}.{claims_b64}".encode(), ec.ECDSA(hashes.SHA256()))
        claims = json.loads(b64decode(claims_b64))
        if claims.get("aud") != self.origin:
            raise ValueError(f"aud {claims.get('aud')!r}")
        if not (time.time() < int(claims["exp"]) <= time.time() + 24 * 3600):
            raise ValueError("exp out of range")
        if not str(claims.get("sub", "")).startswith(("mailto:", "https:")):
            raise ValueError(f"sub {claims.get('sub')!r}")
        return key, claims

    def __enter__(self) -> PushService:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
