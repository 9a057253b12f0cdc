"""Browser tests: Playwright drives Debian's Chromium (installed by `make test`) against pytest-django's live server."""

import os
import shutil
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

# Playwright's sync API keeps an event loop in the test's thread; the tests still read the database directly.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Debian's chromium, not a browser Playwright would download (PLAYWRIGHT_CHROMIUM_EXECUTABLE_PATH is ignored)."""
    executable = shutil.which("chromium") or "/usr/bin/chromium"
    return {**browser_type_launch_args, "executable_path": executable, "args": CHROMIUM_ARGS}


@pytest.fixture
def screenshot():
    """Save a full-page screenshot as screenshots/<name>.png (the folder is gitignored): look at them."""
    SCREENSHOTS.mkdir(exist_ok=True)

    def take(page, name):
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)

    return take


class _Landing(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 -- the http.server API
        body = b"<!doctype html><title>Acme</title><h1>Acme landing</h1>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def landing_server():
    """The advertiser's landing page, served on 127.0.0.1 (a click's redirect cannot be intercepted by Playwright)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Landing)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


# A desktop Chrome's user agent instead of headless Chromium's ("HeadlessChrome" is a bot to the click's traffic
# quality checks, docs/clicks.md#traffic-quality, which would redirect it without storing a click).
DESKTOP_USER_AGENT = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"
)


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "user_agent": DESKTOP_USER_AGENT}
