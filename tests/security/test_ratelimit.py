"""Per-IP rate limits on the click and postback endpoints (config/ratelimit.py): 429 with Retry-After past the
limit, counted per client address in a fixed window, in local memory by default or in a shared Redis."""

import logging

import pytest
import redis
import time_machine

from conversions.models import Conversion, PostbackLog
from core import ratelimit
from tests import factories
from tracking.models import Click

pytestmark = pytest.mark.django_db

REDIS_URL = "redis://127.0.0.1:6379/9"
# 2001-09-09 01:47:00 UTC: a whole minute, so a 60 s window starts here.
WINDOW_START = 1_000_000_020


@pytest.fixture(autouse=True)
def limits(settings):
    settings.TALLY_RATELIMIT_WINDOW_SECONDS = 60
    settings.TALLY_CLICK_RATE_LIMIT = 3
    settings.TALLY_POSTBACK_RATE_LIMIT = 2
    settings.TALLY_RATELIMIT_EXEMPT_IPS = []
    ratelimit._paused_until = 0.0
    yield
    ratelimit._paused_until = 0.0


@pytest.fixture
def redis_cache(settings):
    """The limiter's cache is Redis database 9, emptied before and after."""
    client = redis.Redis.from_url(REDIS_URL)
    client.flushdb()
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "shared": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL},
        # A second connection pool to the same server: another web process, as far as counting goes.
        "other-process": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL},
    }
    settings.TALLY_RATELIMIT_CACHE = "shared"
    yield client
    client.flushdb()


def click(client, offer, affiliate, ip="198.51.100.7", **extra):
    return client.get("/click", {"offer_id": offer.pk, "aff_id": affiliate.pk}, REMOTE_ADDR=ip, **extra)


def postback(client, click_row, ip="192.0.2.10", path="/postback"):
    params = {"transaction_id": click_row.transaction_id, "security_token": factories.SECURITY_TOKEN}
    return client.get(path, params, REMOTE_ADDR=ip)


# --- click ----------------------------------------------------------------------------------------------------


def test_a_click_past_the_per_ip_limit_is_answered_429_with_retry_after_and_not_stored(client, offer, affiliate):
    with time_machine.travel(WINDOW_START + 15, tick=False):
        statuses = [click(client, offer, affiliate).status_code for _ in range(4)]
        refused = click(client, offer, affiliate)

    assert statuses == [302, 302, 302, 429]
    assert refused.status_code == 429
    assert refused["Retry-After"] == "45"  # the window ends 45 s later
    assert refused["Content-Type"].startswith("text/html")
    assert Click.objects.count() == 3


def test_the_click_limit_is_counted_per_address(client, offer, affiliate):
    for _ in range(3):
        click(client, offer, affiliate, ip="198.51.100.7")

    assert click(client, offer, affiliate, ip="198.51.100.7").status_code == 429
    assert click(client, offer, affiliate, ip="198.51.100.8").status_code == 302
    assert click(client, offer, affiliate, ip="2001:db8::8").status_code == 302


def test_refused_requests_count_too_so_a_malformed_link_flood_is_limited(client, offer, affiliate):
    for _ in range(3):
        assert client.get("/click", {"offer_id": "x"}, REMOTE_ADDR="198.51.100.7").status_code == 404

    assert click(client, offer, affiliate).status_code == 429


def test_the_count_starts_afresh_in_the_next_window(client, offer, affiliate):
    with time_machine.travel(WINDOW_START + 59, tick=False):
        for _ in range(3):
            click(client, offer, affiliate)
        assert click(client, offer, affiliate)["Retry-After"] == "1"
    with time_machine.travel(WINDOW_START + 60, tick=False):
        assert click(client, offer, affiliate).status_code == 302


def test_behind_a_trusted_proxy_each_client_address_has_its_own_count(client, offer, affiliate, settings):
    settings.TALLY_TRUSTED_PROXY_COUNT = 1
    proxy = "10.0.0.2"
    for _ in range(3):
        click(client, offer, affiliate, ip=proxy, HTTP_X_FORWARDED_FOR="203.0.113.1")

    assert click(client, offer, affiliate, ip=proxy, HTTP_X_FORWARDED_FOR="203.0.113.1").status_code == 429
    assert click(client, offer, affiliate, ip=proxy, HTTP_X_FORWARDED_FOR="203.0.113.2").status_code == 302


def test_without_a_trusted_proxy_a_forged_x_forwarded_for_does_not_escape_the_limit(client, offer, affiliate):
    for n in range(3):
        click(client, offer, affiliate, HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")

    assert click(client, offer, affiliate, HTTP_X_FORWARDED_FOR="203.0.113.99").status_code == 429


def test_a_limit_of_zero_turns_the_click_limit_off(client, offer, affiliate, settings):
    settings.TALLY_CLICK_RATE_LIMIT = 0

    assert {click(client, offer, affiliate).status_code for _ in range(10)} == {302}


def test_exempt_addresses_and_networks_are_never_limited(client, offer, affiliate, settings):
    settings.TALLY_RATELIMIT_EXEMPT_IPS = ["198.51.100.0/24", "2001:db8::1"]

    assert {click(client, offer, affiliate, ip="198.51.100.7").status_code for _ in range(6)} == {302}
    assert {click(client, offer, affiliate, ip="2001:db8::1").status_code for _ in range(6)} == {302}
    assert [click(client, offer, affiliate, ip="192.0.2.1").status_code for _ in range(4)][-1] == 429


def test_the_first_refusal_of_a_window_is_logged_with_its_reason(client, offer, affiliate, caplog):
    with caplog.at_level(logging.WARNING, logger="core.ratelimit"):
        for _ in range(6):
            click(client, offer, affiliate)

    [record] = [r for r in caplog.records if r.name == "core.ratelimit"]
    assert record.getMessage().startswith("rate limited: click from 198.51.100.7 passed 3 per 60 s")


# --- postback -------------------------------------------------------------------------------------------------


def test_a_postback_past_the_per_ip_limit_is_answered_429_in_json_with_retry_after(client):
    clicks = factories.ClickFactory.create_batch(3)

    answers = [postback(client, c) for c in clicks]

    assert [a.status_code for a in answers] == [200, 200, 429]
    assert answers[2].json() == {
        "status": "rejected",
        "reason": "rate_limited",
        "detail": f"too many postbacks from this address; retry in {answers[2]['Retry-After']} s",
    }
    assert 1 <= int(answers[2]["Retry-After"]) <= 60
    # Refused before any database work: no conversion and no log row for it (the log would be the flood).
    assert Conversion.objects.count() == 2
    assert PostbackLog.objects.count() == 2


def test_the_hasoffers_paths_answer_429_in_their_own_words(client):
    clicks = factories.ClickFactory.create_batch(3)
    postback(client, clicks[0], path="/aff_lsr")
    postback(client, clicks[1], path="/aff_lsr")

    refused = postback(client, clicks[2], path="/aff_lsr")

    assert refused.status_code == 429
    assert refused.content == b"success=false; err_msg=rate_limited;"
    assert refused.has_header("Retry-After")


def test_clicks_and_postbacks_are_counted_apart(client, offer, affiliate):
    clicks = factories.ClickFactory.create_batch(2)
    for _ in range(3):
        click(client, offer, affiliate, ip="192.0.2.10")

    assert [postback(client, c).status_code for c in clicks] == [200, 200]


def test_an_advertiser_server_on_the_exempt_list_may_send_any_number_of_postbacks(client, settings):
    settings.TALLY_RATELIMIT_EXEMPT_IPS = ["192.0.2.0/28"]
    clicks = factories.ClickFactory.create_batch(5)

    assert {postback(client, c).status_code for c in clicks} == {200}


def test_the_default_limits_are_generous():
    import config.settings as defaults  # the values the environment did not change

    assert defaults.TALLY_CLICK_RATE_LIMIT >= 1000
    assert defaults.TALLY_POSTBACK_RATE_LIMIT >= 5000
    assert defaults.TALLY_RATELIMIT_WINDOW_SECONDS == 60


# --- shared Redis ---------------------------------------------------------------------------------------------


def test_with_redis_every_process_counts_against_the_same_limit(client, offer, affiliate, redis_cache):
    from django.core.cache import caches

    for _ in range(2):
        assert click(client, offer, affiliate).status_code == 302
    # Another web process (its own connection pool) adds its click to the same count.
    ratelimit._increment(caches["other-process"], ratelimit._key("click", "198.51.100.7", 60, _now()), 60)

    assert click(client, offer, affiliate).status_code == 429
    [key] = redis_cache.keys("*tally:rl:click:198.51.100.7:*")
    assert int(redis_cache.get(key)) == 4
    assert 0 < redis_cache.ttl(key) <= 61


def test_with_redis_a_request_costs_one_round_trip(client, offer, affiliate, redis_cache, monkeypatch):
    from redis.client import Pipeline, Redis

    calls = []
    monkeypatch.setattr(Redis, "execute_command", lambda self, *a, **kw: calls.append(a[0]) or None)
    real_execute = Pipeline.execute
    monkeypatch.setattr(Pipeline, "execute", lambda self, *a, **kw: calls.append("PIPELINE") or real_execute(self))

    assert click(client, offer, affiliate).status_code == 302

    assert calls == ["PIPELINE"]


def test_when_the_cache_is_down_requests_go_through_and_it_is_logged(client, offer, affiliate, settings, caplog):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/9",  # nothing listens there
            "OPTIONS": {"socket_connect_timeout": 0.25},
        }
    }
    with caplog.at_level(logging.WARNING, logger="core.ratelimit"):
        statuses = {click(client, offer, affiliate).status_code for _ in range(5)}

    assert statuses == {302}
    assert Click.objects.count() == 5
    # One warning, then the limiter rests instead of paying for a failed connection on every click.
    assert [r.getMessage() for r in caplog.records if r.name == "core.ratelimit"] == [
        "rate limit cache unavailable; letting requests through for 5.0 s"
    ]


def _now():
    import time

    return time.time()
