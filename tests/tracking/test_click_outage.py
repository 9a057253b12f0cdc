"""GET /click while the database can't be reached: the shopper still lands (untracked), and the lost click is logged.

No mock stands in for the database: during a test the `default` alias is a real connection the real driver fails to
open (PostgreSQL on port 1, or an SQLite file in a directory that does not exist), or, on PostgreSQL, a connection
the server has terminated, as a restart does. The test's own connection is put back afterwards to check the rows.
"""

import logging

import pytest
from django.db import connections

from offers.models import Offer
from partners.models import Affiliate
from tests import factories
from tracking import routing
from tracking.models import Click

pytestmark = pytest.mark.django_db

SHOPPER_IP = "198.51.100.23"


def follow_link(client, offer, affiliate, method="get", **params):
    query = {"offer_id": offer.pk, "aff_id": affiliate.pk, **params}
    return getattr(client, method)("/click", query, REMOTE_ADDR=SHOPPER_IP)


def _use(connection):
    """Make `connection` the default alias of this thread; returns the one it replaces."""
    working = connections["default"]
    connections["default"] = connection
    return working


@pytest.fixture
def database_down():
    """A context manager: inside it, the default alias points at a database that can't be reached."""
    working = connections["default"]
    unreachable = dict(working.settings_dict)
    if working.vendor == "postgresql":
        unreachable.update(HOST="127.0.0.1", PORT=1, OPTIONS={**unreachable["OPTIONS"], "connect_timeout": 2})
    else:
        unreachable["NAME"] = "/nonexistent-tally-test-dir/tally.sqlite3"
    broken = type(working)(unreachable, alias="default")

    class Down:
        def __enter__(self):
            _use(broken)

        def __exit__(self, *exc):
            broken.close()
            _use(working)

    return Down()


@pytest.fixture
def cache_expired(monkeypatch):
    """Call it to move the routing cache's clock past every entry's lifetime."""
    clock = [1000.0]
    monkeypatch.setattr(routing, "monotonic", lambda: clock[0])

    def expire():
        clock[0] += 3600

    return expire


def not_stored_lines(caplog):
    return [r for r in caplog.records if r.levelno == logging.WARNING and "click not stored" in r.getMessage()]


def test_when_the_insert_fails_the_shopper_lands_without_a_transaction_id_and_it_is_logged(
    client, offer, affiliate, database_down, caplog
):
    assert follow_link(client, offer, affiliate).status_code == 302  # the link is now in this process's cache

    with database_down:
        response = follow_link(client, offer, affiliate, aff_sub="spring-sale")

    assert response.status_code == 302
    assert response["Location"] == "https://shop.example/landing?tid=&sub=spring-sale"
    assert Click.objects.count() == 1
    [line] = not_stored_lines(caplog)
    assert f"offer_id={offer.pk} aff_id={affiliate.pk}" in line.getMessage()
    assert "OperationalError" in line.getMessage()


def test_when_the_lookup_fails_the_route_this_process_saw_last_is_used_however_old(
    client, offer, affiliate, database_down, cache_expired, caplog
):
    follow_link(client, offer, affiliate)
    cache_expired()

    with database_down:
        response = follow_link(client, offer, affiliate, aff_sub="x")

    assert response.status_code == 302
    assert response["Location"] == "https://shop.example/landing?tid=&sub=x"
    assert Click.objects.count() == 1
    assert len(not_stored_lines(caplog)) == 1


def test_a_route_seen_before_still_refuses_an_affiliate_that_was_not_active(
    client, offer, database_down, cache_expired
):
    affiliate = factories.AffiliateFactory(status=Affiliate.Status.SUSPENDED)
    assert follow_link(client, offer, affiliate).status_code == 403
    cache_expired()

    with database_down:
        response = follow_link(client, offer, affiliate)

    assert response.status_code == 403


def test_a_paused_offer_seen_before_still_sends_shoppers_to_its_fallback(
    client, affiliate, database_down, cache_expired, caplog
):
    offer = factories.OfferFactory(status=Offer.Status.PAUSED, fallback_url="https://shop.example/soon")
    follow_link(client, offer, affiliate)
    cache_expired()

    with database_down:
        response = follow_link(client, offer, affiliate)

    assert response.status_code == 302
    assert response["Location"] == "https://shop.example/soon"
    assert not_stored_lines(caplog) == []  # no click would have been stored anyway


def test_a_link_this_process_never_saw_is_a_503_with_retry_after_and_is_logged(
    client, offer, affiliate, database_down, caplog
):
    with database_down:
        response = follow_link(client, offer, affiliate)

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert not response.has_header("Location")
    assert "Try again" in response.content.decode()
    [line] = not_stored_lines(caplog)
    assert f"offer_id={offer.pk} aff_id={affiliate.pk} answer=503" in line.getMessage()


def test_a_head_request_during_an_outage_answers_like_a_get_and_logs_no_lost_click(
    client, offer, affiliate, database_down, caplog
):
    follow_link(client, offer, affiliate)

    with database_down:
        response = follow_link(client, offer, affiliate, method="head")

    assert response.status_code == 302
    assert response["Location"] == "https://shop.example/landing?tid=&sub="
    assert not_stored_lines(caplog) == []


@pytest.mark.postgres
def test_a_connection_the_database_dropped_loses_the_click_but_not_the_shopper(client, offer, affiliate, caplog):
    follow_link(client, offer, affiliate)
    working = connections["default"]
    dropped = type(working)(dict(working.settings_dict), alias="default")
    dropped.ensure_connection()
    with working.cursor() as cursor:  # what a restart of the server does to every open connection
        cursor.execute("SELECT pg_terminate_backend(%s)", [dropped.connection.info.backend_pid])

    _use(dropped)
    try:
        response = follow_link(client, offer, affiliate, aff_sub="y")
    finally:
        dropped.close()
        _use(working)

    assert response.status_code == 302
    assert response["Location"] == "https://shop.example/landing?tid=&sub=y"
    assert Click.objects.count() == 1
    assert len(not_stored_lines(caplog)) == 1
