"""schemathesis against the OpenAPI schema, on a live test server, as a manager with a token.

Every operation is called with generated input, valid and invalid (settings in schemathesis.toml beside this
file): no answer may be a 5xx, and every answer must be a documented status, JSON, and match the schema. It runs
schemathesis's command line (its pytest plugin does not work under pytest 9.2) and shows its report on failure.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

from django.db import connection
from django.test.testcases import QuietWSGIRequestHandler
from rest_framework.authtoken.models import Token

from conversions import outbound

CONFIG = Path(__file__).with_name("schemathesis.toml")
RUN_CLI = "from schemathesis.cli import schemathesis; schemathesis()"


def test_every_operation_answers_without_server_errors_and_as_documented(live_server, network, tmp_path, monkeypatch):
    # Generated postback URLs are checked without asking a DNS server (the live server runs in this process).
    monkeypatch.setattr(outbound, "resolve_host", lambda host, port: ["93.184.216.34"])
    # The test server writes a response's headers and body separately: with Nagle's algorithm on, each answer on
    # a kept-alive connection waits for a delayed ACK (about 40 ms), which would more than double the run.
    monkeypatch.setattr(QuietWSGIRequestHandler, "disable_nagle_algorithm", True)
    token = Token.objects.get_or_create(user=network.users["manager"])[0].key
    # SQLite's in-memory test database is one connection shared with the server thread: one request at a time.
    workers = "2" if connection.vendor == "postgresql" else "1"
    command = [sys.executable, "-c", RUN_CLI, "--config-file", str(CONFIG), "--no-color"]
    command += ["run", f"{live_server.url}/api/schema/", "--workers", workers]
    env = {**os.environ, "TALLY_API_TOKEN": token, "NO_COLOR": "1"}
    result = subprocess.run(  # noqa: S603 (our own interpreter, fixed arguments)
        command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600, check=False
    )
    report = result.stdout + result.stderr
    assert result.returncode == 0, report
    operations = re.search(r"Operations:\s+(\d+) selected / (\d+) total", report)
    assert operations and operations[1] == operations[2] and int(operations[1]) >= 32, report
