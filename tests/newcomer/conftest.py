# The browser tests here launch Debian's chromium and save screenshots like those in tests/e2e.
from tests.e2e.conftest import browser_type_launch_args, screenshot  # noqa: F401 -- fixtures
