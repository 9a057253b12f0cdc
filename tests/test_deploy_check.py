"""`manage.py check --deploy --fail-level WARNING`: production settings pass Django's deployment checks,
and the development defaults do not (an insecure secret key, no HTTPS).

Each check runs in a subprocess with an environment of its own (settings are read once, at start): none of the
DJANGO_, TALLY_, DATABASE_URL or CELERY_ variables of the process running the tests leak into it.
"""

import os
import secrets
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
CHECK = [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"]


def deploy_check(tmp_path, **settings):
    own = ("DJANGO_", "TALLY_", "DATABASE_URL", "CELERY_", "CACHE_URL")
    env = {k: v for k, v in os.environ.items() if not k.startswith(own)}
    env.update(TALLY_VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="config.settings", **settings)
    return subprocess.run(  # noqa: S603 -- our own interpreter and arguments
        CHECK, cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=60, check=False
    )


def production(**overrides):
    """What a production deployment sets (README, Configuration): a long random key, its host name, HTTPS."""
    return {
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "tally.example.com",
        "DJANGO_HTTPS": "true",
        "DATABASE_URL": "postgres://tally:secret@db.example.com:5432/tally",
        "CELERY_BROKER_URL": "redis://redis.example.com:6379/0",
        **overrides,
    }


def test_production_settings_pass_the_deploy_check(tmp_path):
    result = deploy_check(tmp_path, **production())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_the_development_defaults_fail_the_deploy_check(tmp_path):
    result = deploy_check(tmp_path)
    assert result.returncode != 0
    # The insecure development key, no HTTPS redirect, no HSTS, cookies not Secure.
    for warning in ("security.W009", "security.W008", "security.W004", "security.W012", "security.W016"):
        assert warning in result.stderr, result.stderr


def test_a_production_deployment_with_a_weak_key_or_debug_on_fails_the_deploy_check(tmp_path):
    weak_key = deploy_check(tmp_path, **production(DJANGO_SECRET_KEY="short-key"))
    assert weak_key.returncode != 0
    assert "security.W009" in weak_key.stderr, weak_key.stderr
    debug = deploy_check(tmp_path, **production(DJANGO_DEBUG="true"))
    assert debug.returncode != 0
    assert "security.W018" in debug.stderr, debug.stderr
