"""Local identity providers for the SSO tests: real protocol servers in their own processes, never mocks.

- `oidc_idp` / `start_oidc_idp`: Node's `oidc-provider` (tests/sso/oidc/idp.mjs; `make setup-dev` runs `npm ci` there);
- `saml_certs`, `start_saml_idp`: pysaml2's IdP (tests/sso/saml_idp.py), signing with a key made here, at test time.

Each IdP binds a free port itself (port 0) and prints "ready <base url>"; the fixture waits for that line while watching
the pid, and stops the process by that pid at the end. Without Node (or xmlsec1), the tests skip, except under CI
(`CI=true` in .ci/run), where a missing provider is a failure.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

HERE = Path(__file__).resolve().parent
OIDC_DIR = HERE / "oidc"
READY_TIMEOUT = 20.0


def unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (required under CI)")
    pytest.skip(reason)


@dataclass
class IdpProcess:
    """A provider started by a fixture: its base URL (the OIDC issuer), pid and log."""

    url: str
    process: subprocess.Popen
    log: Path
    env: dict[str, str] = field(default_factory=dict)

    @property
    def pid(self) -> int:
        return self.process.pid

    def stop(self) -> None:
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                os.kill(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)


def start_process(command: list[str], env: dict[str, str], log: Path, cwd: Path) -> IdpProcess:
    """Start `command`, wait for its "ready <url>" line (watching the pid), and return it running."""
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, cwd=cwd, env={**os.environ, **env}, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
        )
    deadline = time.monotonic() + READY_TIMEOUT
    while True:
        for line in log.read_text(errors="replace").splitlines():
            if line.startswith("ready "):
                return IdpProcess(url=line.split(" ", 1)[1].strip(), process=process, log=log, env=env)
        if process.poll() is not None:
            raise RuntimeError(f"{command} exited with {process.returncode}:\n{log.read_text(errors='replace')}")
        if time.monotonic() > deadline:
            IdpProcess("", process, log).stop()
            raise RuntimeError(f"{command} not ready after {READY_TIMEOUT} s:\n{log.read_text(errors='replace')}")
        time.sleep(0.02)


@pytest.fixture(scope="session")
def sso_tmp(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("sso")


# --- OpenID Connect: oidc-provider on Node ---------------------------------------------------------------------------

OIDC_CLIENT_ID = "alveole"
OIDC_CLIENT_SECRET = "alveole-secret"  # a test secret for a provider that lives as long as the test session


@pytest.fixture(scope="session")
def start_oidc_idp(sso_tmp) -> Iterator[Callable[..., IdpProcess]]:
    """Start an oidc-provider: `start_oidc_idp(redirect_uris=[…], redirect_uri_prefixes=[…], accounts={…},
    expired=False, id_token_claims=False, id_token_aud="", clients=[…])`. All started ones stop at the end of the
    session."""
    node = shutil.which("node")
    started: list[IdpProcess] = []

    def start(
        redirect_uris: list[str] | None = None,
        redirect_uri_prefixes: list[str] | None = None,
        accounts: dict[str, dict] | None = None,
        clients: list[dict[str, str]] | None = None,
        expired: bool = False,
        id_token_claims: bool = False,
        id_token_aud: str = "",
    ) -> IdpProcess:
        if not node:
            unavailable("node is not installed")
        if not (OIDC_DIR / "node_modules" / "oidc-provider").is_dir():
            unavailable("oidc-provider is not installed: run `make setup-dev` (npm ci --prefix tests/sso/oidc)")
        env = {
            "REDIRECT_URIS": ",".join(redirect_uris or []),
            "REDIRECT_URI_PREFIXES": ",".join(redirect_uri_prefixes or []),
            "OIDC_ACCOUNTS": json.dumps(accounts or {}),
            "OIDC_CLIENTS": json.dumps(clients or [{"client_id": OIDC_CLIENT_ID, "client_secret": OIDC_CLIENT_SECRET}]),
            "OIDC_EXPIRED": "1" if expired else "",
            "OIDC_ID_TOKEN_CLAIMS": "1" if id_token_claims else "",
            "OIDC_ID_TOKEN_AUD": id_token_aud,
        }
        idp = start_process([str(node), "idp.mjs"], env, sso_tmp / f"oidc-{len(started)}.log", cwd=OIDC_DIR)
        started.append(idp)
        return idp

    yield start
    for idp in started:
        idp.stop()


@pytest.fixture(scope="session")
def oidc_idp(start_oidc_idp) -> IdpProcess:
    """One provider for the session; any redirect URI under http://127.0.0.1 or http://localhost is allowed."""
    return start_oidc_idp(redirect_uri_prefixes=["http://127.0.0.1:", "http://localhost:"])


# --- SAML: pysaml2's IdP ----------------------------------------------------------------------------------------------


@dataclass
class Certificate:
    key: Path
    cert: Path
    pem: str  # the certificate, as an SP is given it

    @property
    def body(self) -> str:
        """The base64 body of the certificate (python3-saml's and allauth's `x509cert`)."""
        return "".join(line for line in self.pem.splitlines() if "-----" not in line)


def make_certificate(directory: Path, name: str = "idp") -> Certificate:
    """A throw-away RSA key and self-signed certificate, written to `directory` (never committed)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"Alvéole test {name}")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=2))
        .sign(key, hashes.SHA256())
    )
    key_path, cert_path = directory / f"{name}.key", directory / f"{name}.crt"
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    key_path.chmod(0o600)
    pem = cert.public_bytes(serialization.Encoding.PEM).decode()
    cert_path.write_text(pem)
    return Certificate(key=key_path, cert=cert_path, pem=pem)


@pytest.fixture(scope="session")
def saml_certs(sso_tmp) -> Certificate:
    return make_certificate(sso_tmp, "saml-idp")


def xmlsec_binary() -> str:
    return os.environ.get("XMLSEC_BINARY") or shutil.which("xmlsec1") or "/usr/bin/xmlsec1"


@pytest.fixture(scope="session")
def start_saml_idp(sso_tmp, saml_certs) -> Iterator[Callable[..., IdpProcess]]:
    """Start a pysaml2 IdP: `start_saml_idp(sp_metadata=<path or URL>, accounts={…}, tamper=False, travel=0,
    unsigned=False)`.
    `travel` (seconds, e.g. -7200) shifts the IdP's clock, so its assertions arrive expired."""
    started: list[IdpProcess] = []

    def start(
        sp_metadata: str | Path,
        accounts: dict[str, dict] | None = None,
        tamper: bool = False,
        travel: int = 0,
        unsigned: bool = False,
    ) -> IdpProcess:
        if not Path(xmlsec_binary()).is_file():
            unavailable("xmlsec1 is not installed (apt-get install xmlsec1): pysaml2 signs with it")
        env = {
            "IDP_KEY": str(saml_certs.key),
            "IDP_CERT": str(saml_certs.cert),
            "IDP_SP_METADATA": str(sp_metadata),
            "IDP_ACCOUNTS": json.dumps(accounts or {}),
            "IDP_TAMPER": "1" if tamper else "",
            "IDP_UNSIGNED": "1" if unsigned else "",
            "IDP_TRAVEL": str(travel or ""),
            "XMLSEC_BINARY": xmlsec_binary(),
            "PYTHONWARNINGS": "ignore::DeprecationWarning",
        }
        idp = start_process(
            [sys.executable, str(HERE / "saml_idp.py")], env, sso_tmp / f"saml-{len(started)}.log", cwd=HERE
        )
        started.append(idp)
        return idp

    yield start
    for idp in started:
        idp.stop()
