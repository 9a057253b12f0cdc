"""The production topology of README, Production, run for real: the Procfile's web line twice (Granian, ports 8140
and 8141), its worker line twice and beat once, every process through PgBouncer in transaction mode to one
PostgreSQL database, report and list pages read from a streaming replica, Redis as the broker. Clicks and postbacks
go to both web servers from several threads; one web server and one worker are SIGKILLed mid-load. Then: every 302
has its click, every accepted postback its conversion and log row, every conversion is delivered to the affiliate's
receiver, nothing is in the database twice; and with the replica's replay paused, a report page shows what only the
replica still holds while a postback for a click only the primary holds is accepted.
"""

import concurrent.futures
import http.client
import json
import os
import re
import threading
import time
import urllib.parse

import pytest
import redis

from conversions.models import Conversion, PostbackDelivery, PostbackLog
from offers.models import Offer
from tests.e2e.conftest import DESKTOP_USER_AGENT
from tests.factories import SECURITY_TOKEN
from tests.receiver import Receiver
from tests.topology import cluster
from tests.topology.cluster import REPLICA_PORT, WEB_PORTS, Topology, sql, wait_until
from tracking.models import Click

pytestmark = [pytest.mark.topology, pytest.mark.worker]

NAME_BEFORE, NAME_AFTER = "Topology offer as the replica has it", "Topology offer renamed on the primary"
PASSWORD = "correct-horse-battery"  # tests.factories.UserFactory's
THREADS, PAIRS_PER_THREAD = 6, 40  # 240 clicks, each followed by its postback

SEED = """
import json, django
django.setup()
from conversions.postback_urls import affiliate_postback_set
from tests import factories
offer = factories.OfferFactory(name={name!r})
affiliate = factories.AffiliateFactory()
factories.OfferAccessFactory(offer=offer, affiliate=affiliate)
affiliate_postback_set(affiliate=affiliate, url={url!r})
manager = factories.ManagerFactory(username="topology-manager")
print(json.dumps({{"offer": offer.pk, "affiliate": affiliate.pk, "manager": manager.username}}))
"""


def request(port, path, method="GET", body=None, headers=None, timeout=15):
    """(status, headers, body) of one request on a connection of its own."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


def click(port, offer, affiliate):
    """The transaction ID of a click answered with a 302, else None."""
    query = urllib.parse.urlencode({"offer_id": offer, "aff_id": affiliate})
    status, headers, _ = request(port, f"/click?{query}", headers={"User-Agent": DESKTOP_USER_AGENT})
    if status != 302:
        return None
    return urllib.parse.parse_qs(urllib.parse.urlsplit(headers["Location"]).query)["tid"][0]


def postback(port, transaction_id):
    query = urllib.parse.urlencode({"transaction_id": transaction_id, "security_token": SECURITY_TOKEN})
    status, _, body = request(port, f"/postback?{query}")
    return status, json.loads(body) if body.startswith(b"{") else {}


class Load:
    """Clicks and postbacks from threads at both web servers; what each got is recorded."""

    def __init__(self, offer, affiliate):
        self.offer, self.affiliate = offer, affiliate
        self.clicks = set()  # transaction IDs answered 302
        self.accepted = {}  # transaction ID: conversion ID, postbacks answered 200
        # A postback whose answer the killed server never sent, repeated at the other: 409 duplicate, and the ID.
        self.repeated = {}
        self.failures = 0  # requests refused or cut off (the killed server)
        self.done = 0
        self.lock = threading.Lock()

    def pair(self, i):
        first, second = WEB_PORTS[i % 2], WEB_PORTS[(i + 1) % 2]
        try:
            transaction_id = click(first, self.offer, self.affiliate)
        except OSError:
            transaction_id = None
            with self.lock:
                self.failures += 1
        if transaction_id:
            with self.lock:
                self.clicks.add(transaction_id)
            # The advertiser tries each web server once, as it would retry a failed call.
            for port in (second, first):
                try:
                    status, body = postback(port, transaction_id)
                except (OSError, http.client.HTTPException):
                    with self.lock:
                        self.failures += 1
                    continue
                assert status == 200 or (status, body.get("reason")) == (409, "duplicate"), (status, body)
                with self.lock:
                    (self.accepted if status == 200 else self.repeated)[transaction_id] = body["conversion_id"]
                break
        with self.lock:
            self.done += 1

    def run(self, thread):
        for n in range(PAIRS_PER_THREAD):
            self.pair(thread + n * THREADS)


def sign_in(port):
    """The cookies of a manager signed in through the login form (a POST: it pins the browser to the primary)."""
    status, headers, body = request(port, "/login/")
    assert status == 200
    csrf_cookie = re.search(r"csrftoken=([^;]+)", headers["Set-Cookie"]).group(1)
    csrf_token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1).decode()
    form = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": csrf_token, "username": "topology-manager", "password": PASSWORD}
    )
    status, headers, body = request(
        port,
        "/login/",
        method="POST",
        body=form,
        headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": f"csrftoken={csrf_cookie}"},
    )
    assert status == 302, body[-2000:]
    cookies = dict(re.findall(r"(sessionid|tally_primary_until)=([^;]+)", ", ".join(headers.get_all("Set-Cookie"))))
    assert set(cookies) == {"sessionid", "tally_primary_until"}, headers.get_all("Set-Cookie")
    return cookies


def page(port, path, cookies):
    status, _, body = request(port, path, headers={"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())})
    assert status == 200, (status, body[-2000:])
    return body.decode()


@pytest.fixture
def topology(request):
    missing = cluster.missing_tools()
    assert not missing, f"missing {' and '.join(missing)}: `make topology-tools` sets them up"
    failed_before = request.session.testsfailed
    topology = Topology()
    try:
        yield topology
    finally:
        if request.session.testsfailed > failed_before:
            print(topology.logs())  # the processes' own logs, in the report's captured teardown output
        topology.close()


def test_the_production_topology_loses_nothing_when_a_web_server_and_a_worker_die(topology):
    started = time.monotonic()
    receiver = Receiver()
    with receiver:
        topology.create_database()
        topology.manage("migrate", "--noinput", direct=True)
        seeded = json.loads(
            topology.manage(
                script=SEED.format(name=NAME_BEFORE, url=receiver.url("/pb?cid={conversion_id}&tid={transaction_id}")),
                direct=True,
            )
        )
        topology.start_replica()
        topology.start_pgbouncer()
        sql("SELECT 1", port=cluster.PGBOUNCER_PORT)
        for url in (cluster.BROKER_URL, cluster.CACHE_URL):
            redis.Redis.from_url(url).flushdb()
        for index, port in enumerate(WEB_PORTS):
            topology.start_procfile("web", f"web{index}", HOST="127.0.0.1", PORT=str(port))
        topology.start_procfile("worker", "worker0")
        topology.start_procfile("worker", "worker1")
        topology.start_procfile("beat", "beat")
        for port in WEB_PORTS:
            assert wait_until(lambda port=port: cluster.port_open(port), timeout=60), topology.logs()
        setup_seconds = time.monotonic() - started

        # Load at both web servers; at a third of it, one web server and one worker are killed.
        load = Load(seeded["offer"], seeded["affiliate"])
        with concurrent.futures.ThreadPoolExecutor(THREADS) as pool:
            futures = [pool.submit(load.run, thread) for thread in range(THREADS)]
            assert wait_until(lambda: load.done >= THREADS * PAIRS_PER_THREAD // 3, timeout=120)
            topology.kill("web0")
            topology.kill("worker0")
            for future in futures:
                future.result()
        load_seconds = time.monotonic() - started - setup_seconds

        # Through PgBouncer: at least a transaction per accepted postback went through it (and the rest of the load).
        assert topology.pgbouncer_transactions() > len(load.accepted)

        # Every 302 has its click; every accepted postback its conversion and its log row.
        assert load.failures > 0, "the killed web server answered on"
        assert len(load.clicks) > THREADS * PAIRS_PER_THREAD // 2 and load.accepted
        click_table, conversion_table = Click._meta.db_table, Conversion._meta.db_table
        stored = {tid for (tid,) in sql(f"SELECT transaction_id FROM {click_table} WHERE offer_id = %s", load.offer)}
        assert load.clicks - stored == set()
        conversions = dict(sql(f"SELECT transaction_id, id FROM {conversion_table} WHERE offer_id = %s", load.offer))
        assert {tid: conversions.get(tid) for tid in load.accepted} == load.accepted
        assert {tid: conversions.get(tid) for tid in load.repeated} == load.repeated
        log_table = PostbackLog._meta.db_table
        logged = {cid for (cid,) in sql(f"SELECT conversion_id FROM {log_table} WHERE http_status = 200")}
        assert set(load.accepted.values()) - logged == set()
        # Nothing twice: one conversion per click, one delivery per conversion.
        assert sql(f"SELECT click_id FROM {conversion_table} GROUP BY click_id HAVING count(*) > 1") == []
        delivery_table = PostbackDelivery._meta.db_table
        assert sql(f"SELECT conversion_id FROM {delivery_table} GROUP BY conversion_id HAVING count(*) > 1") == []

        # Every conversion (also one whose answer the killed server never sent) reaches the affiliate: the killed
        # worker's deliveries are sent again by the sweep that beat runs.
        def delivered():
            return sql(f"SELECT count(*) FROM {delivery_table} WHERE status = 'delivered'")[0][0] == len(conversions)

        assert wait_until(delivered, timeout=90, interval=0.5), (
            sql(f"SELECT status, count(*) FROM {delivery_table} GROUP BY status"),
            topology.logs(),
        )
        received = {urllib.parse.parse_qs(urllib.parse.urlsplit(r["path"]).query)["cid"][0] for r in receiver.requests}
        assert received == {str(conversion_id) for conversion_id in conversions.values()}
        assert len(sql(f"SELECT id FROM {delivery_table}")) == len(conversions)
        delivery_seconds = time.monotonic() - started - setup_seconds - load_seconds

        # Report pages read from the replica, the postback's lookup from the primary: with the replica's replay
        # paused, the offer is renamed and a new click made on the primary alone.
        topology.manage("rebuild_rollups")
        topology.replica_caught_up()
        sql("SELECT pg_wal_replay_pause()", port=REPLICA_PORT)
        assert wait_until(lambda: sql("SELECT pg_get_wal_replay_pause_state()", port=REPLICA_PORT) == [("paused",)], 10)
        sql(f"UPDATE {Offer._meta.db_table} SET name = %s WHERE id = %s", NAME_AFTER, load.offer)
        live = WEB_PORTS[1]
        late_click = click(live, load.offer, load.affiliate)
        assert sql(f"SELECT count(*) FROM {click_table} WHERE transaction_id = %s", late_click, port=REPLICA_PORT) == [
            (0,)
        ]
        status, body = postback(live, late_click)
        assert (status, body.get("status")) == (200, "approved"), body

        cookies = sign_in(live)  # the session is on the primary only: reading it from the replica would fail
        report = "/manage/reports/?group_by=offer"
        # Just after the sign-in (a POST), pages read from the primary: what the browser just did shows.
        assert NAME_AFTER in page(live, report, cookies)
        # Without the pin, the report and the offer list read from the replica, which still has the old name.
        unpinned = {"sessionid": cookies["sessionid"]}
        for path in (report, "/manage/offers/"):
            body = page(live, path, unpinned)
            assert NAME_BEFORE in body and NAME_AFTER not in body, path
        sql("SELECT pg_wal_replay_resume()", port=REPLICA_PORT)
        topology.replica_caught_up()
        assert NAME_AFTER in page(live, report, unpinned)

        # The survivors stop as a process manager stops them: SIGTERM, exit status 0.
        for name in ("web1", "worker1", "beat"):
            assert topology.stop(name) == 0, topology.log(name)
    print(
        f"\ntopology: {topology.pgbouncer_transactions()} transactions through PgBouncer; setup {setup_seconds:.1f} s, "
        f"load {load_seconds:.1f} s ({len(load.clicks)} clicks, "
        f"{len(load.accepted)} postbacks accepted, {load.failures} requests failed), all {len(conversions)} "
        f"conversions delivered {delivery_seconds:.1f} s later ({len(receiver.requests)} calls received)"
    )


def test_granian_answers_the_requests_in_flight_when_stopped(topology):
    """The Procfile's web line, stopped with SIGTERM during a slow request (Tally's app behind a 2 s delay, on
    SQLite: no database is read), answers it, exits 0, and takes no new connection after."""
    port = cluster.SPARE_PORT
    env = {
        "PATH": topology.app_environment()["PATH"],
        "HOME": os.environ.get("HOME", "/root"),
        "TALLY_VAR_DIR": str(topology.folder / "var"),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
    }
    topology.start_procfile("web", "slow", app="tests.topology.slow_wsgi:application", env=env, PORT=str(port))
    assert wait_until(lambda: cluster.port_open(port), timeout=60), topology.log("slow")

    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        in_flight = [pool.submit(request, port, "/?2") for _ in range(2)]
        time.sleep(0.5)
        assert not any(future.done() for future in in_flight)
        assert topology.stop("slow") == 0, topology.log("slow")
        answers = [future.result() for future in in_flight]

    assert [(status, body) for status, _, body in answers] == [(200, b'{"status": "ok"}')] * 2
    assert not cluster.port_open(port)
