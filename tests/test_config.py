"""Configuration: production refuses unsafe settings; gunicorn serves wsgi:app."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _run_create_app(env: dict) -> subprocess.CompletedProcess:
    clean = {
        k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "ANONYMITY_KEY", "DATABASE_URL", "RODEKNOP_ENV"}
    }
    clean.update(env)
    return subprocess.run(
        [sys.executable, "-c", "from app import create_app; create_app(); print('started')"],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    "env, missing",
    [
        ({}, "SECRET_KEY, ANONYMITY_KEY, DATABASE_URL"),
        ({"SECRET_KEY": "x" * 40, "ANONYMITY_KEY": "a" * 40}, "DATABASE_URL"),
        ({"SECRET_KEY": "x" * 40, "DATABASE_URL": "sqlite:///:memory:"}, "ANONYMITY_KEY"),
        ({"DATABASE_URL": "sqlite:///:memory:", "ANONYMITY_KEY": "a" * 40}, "SECRET_KEY"),
    ],
)
def test_production_refuses_to_start_without_its_keys_and_database(env, missing):
    result = _run_create_app({"RODEKNOP_ENV": "production", **env})
    assert result.returncode != 0
    assert f"refuses to start in production without: {missing}" in result.stderr


@pytest.mark.parametrize(
    "keys, message",
    [
        ({"SECRET_KEY": "kort", "ANONYMITY_KEY": "a" * 40}, "SECRET_KEY must be at least 32 characters"),
        ({"SECRET_KEY": "s" * 40, "ANONYMITY_KEY": "kort"}, "ANONYMITY_KEY must be at least 32 characters"),
        # One key for both would let whoever signs sessions also link anonymous reporters.
        ({"SECRET_KEY": "s" * 40, "ANONYMITY_KEY": "s" * 40}, "ANONYMITY_KEY must differ from SECRET_KEY"),
    ],
)
def test_production_refuses_weak_keys(keys, message):
    result = _run_create_app({"RODEKNOP_ENV": "production", "DATABASE_URL": "sqlite:///:memory:", **keys})
    assert result.returncode != 0 and message in result.stderr


def test_production_starts_with_all_three(tmp_path):
    result = _run_create_app(
        {
            "RODEKNOP_ENV": "production",
            "SECRET_KEY": "s" * 48,
            "ANONYMITY_KEY": "a" * 48,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'p.db'}",
        }
    )
    assert result.returncode == 0, result.stderr
    assert "started" in result.stdout


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_gunicorn_serves_the_app_with_several_workers(database_url):
    port = _free_port()
    env = {
        **os.environ,
        "RODEKNOP_ENV": "production",
        "SECRET_KEY": "g" * 48,
        "ANONYMITY_KEY": "h" * 48,
        "DATABASE_URL": database_url,
    }
    proc = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "-w", "2", "-b", f"127.0.0.1:{port}", "wsgi:app"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        body = None
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/inloggen", timeout=5) as response:
                    body = response.read().decode()
                    headers = response.headers
                break
            except OSError:
                time.sleep(0.2)
        assert body is not None, "gunicorn did not answer"
        assert "Inloggen" in body
        # Production cookies only travel over HTTPS.
        assert "Secure" in headers["Set-Cookie"] and "HttpOnly" in headers["Set-Cookie"]
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        if proc.stdout:
            proc.stdout.close()
