"""Hypothesis profiles for the fuzz tests (tests/security/test_fuzz_*.py), and the `world` of the permission tests.

`ci` (the default): derandomized, so every run (CI included) tries the same examples, no example database written
to the working tree, no deadline (the first request of a run is slow). `explore`: random examples, ten times as
many, for hunting locally: `HYPOTHESIS_PROFILE=explore .venv/bin/pytest tests/security -k fuzz`.
"""

import os

import pytest
from django.db import transaction
from django.test import override_settings
from hypothesis import HealthCheck, settings

from tests.security.matrix import World, open_sessions

# Function-scoped fixtures (db, client) are shared by a test's examples on purpose: each example checks what it
# changed, not an empty database.
_COMMON = {"deadline": None, "database": None, "suppress_health_check": [HealthCheck.function_scoped_fixture]}
settings.register_profile("ci", derandomize=True, **_COMMON)
settings.register_profile("explore", derandomize=False, **_COMMON)

PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")
# Examples per fuzz test: the suite stays fast in CI; `explore` digs deeper.
SCALE = 10 if PROFILE == "explore" else 1


def examples(count):
    """Hypothesis settings for one fuzz test: `count` examples (times SCALE), on the chosen profile."""
    return settings(settings.get_profile(PROFILE), max_examples=count * SCALE)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """One World for the whole module, made once in a transaction that is rolled back at the end; each test runs
    in a savepoint inside it (pytest-django's own atomic), so what a manager's POST changes is undone after it."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
                world = World()
            open_sessions(world)  # one session per role, made once: a test sends its cookie
            yield world
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
