"""The read replica's router (core/db_routing.py; README, Production), with a `replica` alias whose TEST MIRROR is
the default database: a connection of its own to the same test database, so the tests commit what it must see
(transactional_db) and tell the two apart by the queries each connection ran. tests/topology shows the same with a
real streaming replica."""

import copy
import time

import pytest
from django.db import DEFAULT_DB_ALIAS, connections, router
from django.test.utils import CaptureQueriesContext

from conversions.click_lookup import click_for_postback
from core.db_routing import PIN_COOKIE, REPLICA, ReplicaRouter, replica_reads
from offers.models import Offer
from tests import factories

ROUTER = "core.db_routing.ReplicaRouter"
MIDDLEWARE = "core.db_routing.primary_after_write_middleware"


@pytest.fixture(scope="module")
def replica_alias(django_db_setup):
    """What config/settings.py sets up when DATABASE_REPLICA_URL is set, as a mirror of the test database. Added
    before the tests' database fixture starts, which then lets them use it (django_db(databases=...))."""
    mirror = copy.deepcopy(connections.settings[DEFAULT_DB_ALIAS])
    mirror["TEST"]["MIRROR"] = DEFAULT_DB_ALIAS
    connections.settings[REPLICA] = mirror
    yield
    connections[REPLICA].close()
    del connections[REPLICA]
    del connections.settings[REPLICA]


@pytest.fixture
def replica(replica_alias, settings):
    settings.DATABASE_ROUTERS = [ROUTER]
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, MIDDLEWARE]
    return connections[REPLICA]


with_replica = pytest.mark.django_db(transaction=True, databases=[DEFAULT_DB_ALIAS, REPLICA])


def offer_queries(queries):
    return [q["sql"] for q in queries if Offer._meta.db_table in q["sql"]]


def test_without_a_replica_configured_every_read_stays_on_default(monkeypatch):
    monkeypatch.delitem(connections.settings, REPLICA, raising=False)
    with replica_reads():
        assert ReplicaRouter().db_for_read(Offer) == DEFAULT_DB_ALIAS


def test_only_the_default_database_is_migrated():
    assert ReplicaRouter().allow_migrate(DEFAULT_DB_ALIAS, "offers") is True
    assert ReplicaRouter().allow_migrate(REPLICA, "offers") is False


@with_replica
def test_reads_go_to_the_replica_only_inside_replica_reads(replica):
    assert router.db_for_read(Offer) == DEFAULT_DB_ALIAS
    with replica_reads():
        assert router.db_for_read(Offer) == REPLICA
        assert router.db_for_write(Offer) == DEFAULT_DB_ALIAS
    assert router.db_for_read(Offer) == DEFAULT_DB_ALIAS


@with_replica
@pytest.mark.parametrize("path", ["/manage/offers/", "/manage/reports/?group_by=offer"])
def test_list_and_report_pages_read_from_the_replica_and_the_session_from_default(replica, client, path):
    offer = factories.OfferFactory(name="Read from the replica")
    client.force_login(factories.ManagerFactory())

    with CaptureQueriesContext(replica) as on_replica, CaptureQueriesContext(connections["default"]) as on_default:
        response = client.get(path)

    assert response.status_code == 200
    assert offer.name in response.content.decode()
    assert offer_queries(on_replica.captured_queries)
    assert offer_queries(on_default.captured_queries) == []
    # Signing in is read from the primary: a session the replica does not have yet must still sign the user in.
    assert any("django_session" in q["sql"] for q in on_default.captured_queries)
    assert not any("django_session" in q["sql"] for q in on_replica.captured_queries)


@with_replica
def test_a_write_pins_the_browser_to_the_primary_for_a_while(replica, client, settings):
    settings.TALLY_REPLICA_PIN_SECONDS = 10
    manager = factories.ManagerFactory()
    client.force_login(manager)

    response = client.post("/logout/")  # any write: here the one every signed-in page offers

    pin = response.cookies[PIN_COOKIE]
    assert time.time() + 8 < float(pin.value) <= time.time() + 10 and pin["max-age"] == 10
    client.force_login(manager)
    with CaptureQueriesContext(replica) as on_replica:
        assert client.get("/manage/offers/").status_code == 200
    assert on_replica.captured_queries == []
    # Once the pin has run out, the list reads from the replica again.
    client.cookies[PIN_COOKIE] = str(time.time() - 1)
    with CaptureQueriesContext(replica) as on_replica:
        assert client.get("/manage/offers/").status_code == 200
    assert offer_queries(on_replica.captured_queries)


@with_replica
def test_a_get_sets_no_pin(replica, client):
    client.force_login(factories.ManagerFactory())
    assert PIN_COOKIE not in client.get("/manage/offers/").cookies


@with_replica
def test_the_postback_lookup_reads_from_the_primary_even_inside_replica_reads(replica):
    click = factories.ClickFactory()

    with replica_reads(), CaptureQueriesContext(replica) as on_replica:
        found = click_for_postback(click.transaction_id)

    assert found.click.pk == click.pk
    assert on_replica.captured_queries == []
