"""Integrations run the way their users run them: the advertisers' postback snippets and the affiliates' verifier
examples as real curl, PHP, Python and Node.js programs (`make test` installs php-cli, nodejs and curl with apt, like
chromium), against a live test server or a real signed delivery."""

import shutil
import socket
import subprocess
import sys
import time

import pytest

# The API tests' small network (a manager, affiliates A and B, advertiser X's user), for the generated client.
from tests.api.conftest import network  # noqa: F401

INSTALL_HINT = "`make test` installs it (its integration-tools step: apt-get install -y php-cli nodejs curl)"


def tool(name):
    """The path of a program the test needs; the test fails (not skips) without it: CI must run every snippet."""
    if name == "python3":
        return sys.executable
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is not installed: {INSTALL_HINT}")
    return path


def run(command, *, cwd, env=None, timeout=30):
    """Run a program to its end; returns what it printed (stdout and stderr), failing the test on a crash."""
    result = subprocess.run(  # noqa: S603 (our own programs, fixed arguments)
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"{command} exited with {result.returncode}:\n{output}"
    return output


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port, process, timeout=15):
    """Wait until something listens on 127.0.0.1:port (the program started by `process`)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the server exited with {process.returncode}: {process.stderr.read()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    pytest.fail(f"nothing listens on 127.0.0.1:{port} after {timeout} s")
