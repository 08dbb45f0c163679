"""The `alveole` command and its operator tasks."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from alveole.accounts.actions import user_for_token
from alveole.accounts.models import Role, User

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_createorg_createuser_and_token():
    out = run(
        "createorg",
        "--name",
        "Initech",
        "--owner-email",
        "boss@initech.example",
        "--owner-name",
        "Bill Lumbergh",
        "--password",
        "tps-reports-forever",
    )
    assert "Initech" in out
    owner = User.objects.get(email="boss@initech.example")
    assert owner.role == Role.OWNER and owner.identity.check_password("tps-reports-forever")
    run("createuser", "--email", "peter@initech.example", "--name", "Peter Gibbons", "--role", "member")
    assert User.objects.get(email="peter@initech.example").organisation == owner.organisation
    secret = run("token", "create", "--email", "boss@initech.example").strip()
    assert user_for_token(secret) == owner


@pytest.mark.django_db
def test_cli_errors_say_what_to_fix():
    with pytest.raises(CommandError, match="password"):
        run("createorg", "--name", "X", "--owner-email", "x@example.com", "--owner-name", "X", "--password", "123")
    with pytest.raises(CommandError, match="No active account"):
        run("token", "create", "--email", "nobody@example.com")


@pytest.mark.django_db
def test_demo_data_is_created_once():
    from alveole.shell.demo import DEMO_PEOPLE, seed_demo

    org = seed_demo()
    assert seed_demo() == org
    # The owner's first step is to rename it; `alveole run --demo` must still find it.
    org.name = "Renamed by Camille"
    org.save(update_fields=["name"])
    assert seed_demo() == org
    assert User.objects.filter(organisation=org).count() == len(DEMO_PEOPLE)
    guest = User.objects.get(role=Role.GUEST, organisation=org)
    assert [s.name for s in guest.spaces.all()] == ["Website redesign"]
    # The confidential space shows what labels do; the guest never sees it.
    leadership = org.spaces.get(name="Leadership")
    assert leadership.label is not None and leadership.label.restricted


def test_the_console_script_prints_its_usage():
    script = Path(sys.executable).parent / "alveole"
    result = subprocess.run([str(script), "--help"], capture_output=True, text=True, check=True)
    assert "alveole run" in result.stdout and "alveole token create" in result.stdout


def _settings_in_production(**env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("ALVEOLE_", "SECRET_KEY", "ALLOWED_HOSTS"))}
    clean.update({"ALVEOLE_ENV": "production", "ALVEOLE_VAR_DIR": str(ROOT / "var" / "test-prod"), **env})
    return subprocess.run(
        [sys.executable, "-c", "import alveole.settings"], capture_output=True, text=True, env=clean, cwd=ROOT
    )


def test_production_refuses_an_insecure_configuration():
    result = _settings_in_production()
    assert result.returncode != 0
    assert "Refusing to start in production" in result.stderr
    assert "SECRET_KEY" in result.stderr and "ALLOWED_HOSTS" in result.stderr and "EMAIL_URL" in result.stderr


def test_production_starts_with_a_secure_configuration():
    result = _settings_in_production(
        SECRET_KEY="k" * 60, ALLOWED_HOSTS="alveole.example.com", EMAIL_URL="smtp://mail.example.com:25"
    )
    assert result.returncode == 0, result.stderr


def test_production_turns_on_secure_cookies_and_hsts():
    code = "import alveole.settings as s; print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS)"
    clean = {k: v for k, v in os.environ.items() if not k.startswith("ALVEOLE_")}
    clean.update(
        ALVEOLE_ENV="production",
        SECRET_KEY="k" * 60,
        ALLOWED_HOSTS="a.example.com",
        EMAIL_URL="smtp://mail.example.com",
        ALVEOLE_VAR_DIR=str(ROOT / "var" / "test-prod"),
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=clean, cwd=ROOT)
    assert result.stdout.split() == ["True", "True", "31536000"]


def _plain_install(folder) -> tuple[int, dict[str, str]]:
    """A free port, and the environment of a plain install: SQLite in `folder`, no outside services."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("ALVEOLE_", "DATABASE_URL", "REDIS_URL", "DJANGO_"))
    }
    env.update(ALVEOLE_VAR_DIR=str(folder), ALVEOLE_EMBEDDED_WORKER="0", ALVEOLE_LOG_LEVEL="warning")
    return port, env


def test_run_with_reuse_port_lets_one_process_per_core_share_the_port(tmp_path):
    """`--reuse-port` is how a deployment runs a process per core without uvicorn's shared accept queue."""
    import http.client
    import time

    port, env = _plain_install(tmp_path)
    subprocess.run([sys.executable, "-m", "alveole.cli", "migrate", "-v0"], env=env, cwd=ROOT, check=True)
    command = [sys.executable, "-m", "alveole.cli", "run", "--no-migrate", "--reuse-port", "--port", str(port)]
    servers = [subprocess.Popen(command, env=env, cwd=ROOT, stderr=subprocess.PIPE) for _ in range(2)]
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("GET", "/healthz")
                assert conn.getresponse().status == 200
                break
            except OSError:
                assert time.monotonic() < deadline, "nothing answered"
                time.sleep(0.2)
        time.sleep(2)  # a process that could not bind would have exited by now
        assert [p.poll() for p in servers] == [None, None], [p.stderr.read() for p in servers if p.poll() is not None]
    finally:
        for p in servers:
            p.terminate()
            p.wait(20)


def test_run_refuses_reuse_port_with_workers():
    with pytest.raises(CommandError, match="either --reuse-port"):
        call_command("run", "--no-migrate", "--reuse-port", "--workers", "2")


def test_invitation_links_follow_the_port_really_served(tmp_path):
    """`PORT=8841 make run` must not email links to :8000 when ALVEOLE_BASE_URL is not set."""
    import http.client
    import json
    import time

    port, env = _plain_install(tmp_path)
    server = subprocess.Popen(
        [sys.executable, "-m", "alveole.cli", "run", "--demo", "--port", str(port)],
        env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline and server.poll() is None, "the server did not start"
            time.sleep(0.2)
        token = subprocess.run(
            [sys.executable, "-m", "alveole.cli", "token", "create", "--email", "camille@example.com"],
            env=env, cwd=ROOT, capture_output=True, text=True, check=True,
        ).stdout.split()[-1]  # fmt: skip
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        body = json.dumps({"email": "new.person@example.com", "role": "member"})
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        conn.request("POST", "/api/v1/invitations", body=body, headers=headers)
        response = conn.getresponse()
        payload = json.loads(response.read())
        assert response.status == 201, payload
        assert payload["link"].startswith(f"http://127.0.0.1:{port}/invite/"), payload["link"]
    finally:
        server.terminate()
        server.wait(20)
