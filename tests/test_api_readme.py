"""The README's curl script (section API) runs as written against a live server: it makes a
token with the flask command, submits a report through the API, finds it on the board
through the API, and receives the signed webhook when the coach takes the report on."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from app.extensions import db
from tests.factories import make_user

ROOT = Path(__file__).resolve().parent.parent
MARKER = "<!-- api-curl-script:"


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _script() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    after = readme[readme.index(MARKER) :]
    match = re.search(r"```sh\n(.*?)```", after, re.DOTALL)
    assert match, "the README's curl script is gone"
    return match.group(1)


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_the_readme_curl_script_works(app, database_url):
    with app.app_context():
        make_user("Eva Jansen", email="coach@rodeknop.test", roles=("employee", "coach"))
        make_user("Bea Heer", email="beheer@rodeknop.test", roles=("employee", "admin"))
        db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        env = {
            **os.environ,
            "BASE": f"http://127.0.0.1:{server.server_port}",
            "FLASK": f"{sys.executable} -m flask --app wsgi",
            "RODEKNOP_ENV": "test",
            "DATABASE_URL": database_url,
            "HOOK_PORT": str(_free_port()),
        }
        result = subprocess.run(
            ["bash", "-c", _script()], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
        )
    finally:
        server.shutdown()
        thread.join(timeout=10)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Gemeld: RK-" in result.stdout and "Op het bord: RK-" in result.stdout
    assert "Webhook: report.status_changed ondertekend" in result.stdout, result.stdout
