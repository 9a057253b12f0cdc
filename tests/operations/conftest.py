import pytest

# The browser test of the system page launches Debian's Chromium like tests/e2e does (and saves its screenshots).
from tests.e2e.conftest import browser_type_launch_args, screenshot  # noqa: F401 -- fixtures
from tests.operations.serve import start_server


@pytest.fixture
def server_process(tmp_path):
    """start(**environment): a real Tally server process (tests/operations/serve.py), stopped after the test."""
    servers = []

    def start(**environment):
        server = start_server(tmp_path / f"server-{len(servers)}.log", **environment)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()
