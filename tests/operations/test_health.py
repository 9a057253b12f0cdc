"""GET /healthz (liveness: no database work) and /readyz (database, cache and broker, each within a timeout; 503
naming the failing part). The outages are real: a server process pointed at a closed port, the real drivers."""

import json

import pytest

from core import health

UNREACHABLE_POSTGRES = "postgres://postgres@127.0.0.1:1/tally"
UNREACHABLE_BROKER = "amqp://guest:guest@127.0.0.1:1//"


def test_healthz_answers_ok_without_a_login_or_any_query(client):
    # No `db` fixture: pytest-django fails any database access in this test.
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db(transaction=True)
def test_readyz_is_ok_when_database_cache_and_broker_answer(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "cache": "ok", "broker": "ok"}}


@pytest.mark.django_db(transaction=True)
def test_readyz_names_the_broker_when_it_is_unreachable(client, settings):
    settings.CELERY_BROKER_URL = UNREACHABLE_BROKER
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {}
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["broker"]
    assert body["checks"] == {"database": "ok", "cache": "ok", "broker": "failed"}


@pytest.mark.django_db(transaction=True)
def test_readyz_names_the_cache_when_redis_is_unreachable(client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.25},
        }
    }
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["cache"]


def test_a_check_that_hangs_is_reported_as_a_timeout_within_the_limit(monkeypatch):
    import threading
    import time

    released = threading.Event()
    monkeypatch.setitem(health.CHECKS, "database", lambda: released.wait(5))
    monkeypatch.setitem(health.CHECKS, "cache", lambda: None)
    monkeypatch.setitem(health.CHECKS, "broker", lambda: None)
    started = time.monotonic()
    try:
        states = health.readiness(timeout=0.3)
    finally:
        released.set()
    assert time.monotonic() - started < 1.5
    assert states == {"database": "timeout", "cache": "ok", "broker": "ok"}


def test_readyz_fails_with_postgresql_unreachable_while_healthz_stays_up(server_process):
    server = server_process(DATABASE_URL=UNREACHABLE_POSTGRES, CELERY_BROKER_URL="filesystem://")
    assert server.get("/healthz")[0] == 200
    status, headers, body = server.get("/readyz")
    assert status == 503
    assert json.loads(body) == {
        "status": "unavailable",
        "checks": {"database": "failed", "cache": "ok", "broker": "ok"},
        "failing": ["database"],
    }
    # Nothing about the server leaks: no driver message, host, port or version.
    assert "127.0.0.1" not in body and "psycopg" not in body.lower() and "5432" not in body
    # The short lane: no session or CSRF middleware, so no cookie and no Vary: Cookie.
    assert "Set-Cookie" not in headers and "Cookie" not in (headers.get("Vary") or "")


def test_readyz_fails_with_the_broker_unreachable_in_a_real_server(server_process, tmp_path):
    server = server_process(
        DATABASE_URL=f"sqlite:///{tmp_path / 'tally.sqlite3'}",
        CELERY_BROKER_URL=UNREACHABLE_BROKER,
    )
    status, _, body = server.get("/readyz")
    assert status == 503
    assert json.loads(body)["checks"] == {"database": "ok", "cache": "ok", "broker": "failed"}


def test_the_probes_are_not_rate_limited(client, settings, db):
    settings.TALLY_CLICK_RATE_LIMIT = settings.TALLY_POSTBACK_RATE_LIMIT = 1
    assert all(client.get("/healthz").status_code == 200 for _ in range(20))
