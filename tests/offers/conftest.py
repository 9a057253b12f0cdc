"""The API tests' network and callers (tests/api/conftest.py), for the offers' API tests here."""

from tests.api.conftest import api, network  # noqa: F401 -- fixtures
