"""Group commit of clicks (tracking/click_writer.py on core/group_commit.py): clicks stored at the same moment share
one INSERT, each caller returns only once its row is committed, is_unique stays right within and across batches
(docs/clicks.md#unique-clicks), and a database error reaches every click of the batch it broke.

The concurrent tests run on PostgreSQL, each thread with its own connection. To make batches form on cue, the
test's own connection locks the click table: the first click's INSERT waits on the lock, the clicks after it queue
behind it, and releasing the lock lets the two batches through.
"""

import threading
import time
from collections import Counter
from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.utils import timezone

from tests import factories
from tracking.click_writer import click_store, write_batch, writer
from tracking.models import Click
from tracking.outage import DATABASE_DOWN
from tracking.services import click_build

IP, UA = "203.0.113.7", "Mozilla/5.0 (test)"
BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"


def build(offer, affiliate, ip=IP, user_agent=UA, **extra):
    click = click_build(
        offer=offer, affiliate=affiliate, subs={}, ip=ip, user_agent=user_agent, referer="", now=extra.pop("now", None)
    )
    for name, value in extra.items():
        setattr(click, name, value)
    return click


@pytest.fixture(autouse=True)
def group_commit(settings):
    """Group commit on (one INSERT in flight per process), as TALLY_CLICK_WRITERS=1 sets it."""
    settings.TALLY_CLICK_WRITERS = 1


def stored_flags(clicks):
    return [Click.objects.get(pk=click.pk).is_unique for click in clicks]


# --- one batch, on both databases -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_of_two_alike_clicks_in_one_batch_only_the_first_is_unique(offer, affiliate):
    clicks = [
        build(offer, affiliate),
        build(offer, affiliate),  # alike: the one before it in the same INSERT counts
        build(offer, affiliate, ip="203.0.113.8"),
        build(offer, affiliate, ip=None),
        build(offer, affiliate, ip=None),  # no IP matches no IP
        build(offer, affiliate, user_agent="Other/1.0"),
        build(factories.OfferFactory(), affiliate),
    ]

    write_batch(clicks)

    expected = [True, False, True, True, False, True, True]
    assert [click.is_unique for click in clicks] == expected
    assert stored_flags(clicks) == expected
    assert len({click.pk for click in clicks}) == len(clicks)
    assert [Click.objects.get(pk=c.pk).transaction_id for c in clicks] == [c.transaction_id for c in clicks]


@pytest.mark.django_db
def test_a_batch_counts_the_clicks_stored_in_the_24_hours_before(offer, affiliate):
    now = timezone.now()
    factories.ClickFactory(offer=offer, affiliate=affiliate, created_at=now - timedelta(hours=23))
    factories.ClickFactory(offer=offer, affiliate=affiliate, ip="203.0.113.9", created_at=now - timedelta(hours=25))
    clicks = [
        build(offer, affiliate, now=now),
        build(offer, affiliate, ip="203.0.113.9", now=now),
        build(offer, affiliate, ip="203.0.113.9", now=now),
    ]

    write_batch(clicks)

    assert stored_flags(clicks) == [False, True, False]


@pytest.mark.django_db(transaction=True)
def test_a_lone_click_is_committed_when_click_store_returns_in_a_batch_of_its_own(offer, affiliate):
    before = Counter(writer().sizes)
    started = time.monotonic()
    click = click_store(build(offer, affiliate))
    elapsed = time.monotonic() - started

    assert writer().sizes - before == Counter({1: 1})
    assert writer().queued == 0
    assert elapsed < 0.5  # nothing waits for company: the lone click is written at once
    seen = []

    def read():  # another thread has another connection: it sees only committed rows
        seen.append(Click.objects.filter(pk=click.pk).exists())
        connection.close()

    reader = threading.Thread(target=read)
    reader.start()
    reader.join()
    assert seen == [True]
    assert click.is_unique


@pytest.mark.django_db(transaction=True)
def test_with_group_commit_off_each_click_is_its_own_insert(settings, offer, affiliate):
    settings.TALLY_CLICK_WRITERS = 0
    before = Counter(writer().sizes)

    clicks = [click_store(build(offer, affiliate)), click_store(build(offer, affiliate))]

    assert writer().sizes == before
    assert stored_flags(clicks) == [True, False]


@pytest.mark.django_db
def test_inside_a_transaction_a_click_is_written_alone_and_commits_with_it(offer, affiliate):
    before = Counter(writer().sizes)

    click = click_store(build(offer, affiliate))

    assert Click.objects.filter(pk=click.pk).exists()
    assert writer().sizes == before  # not through the queue: no other thread's row may wait on this transaction


# --- concurrent batches, PostgreSQL ---------------------------------------------------------------------------


class Clicker(threading.Thread):
    """Stores one click from a thread of its own, with its own connection; keeps the result or the error."""

    def __init__(self, click):
        super().__init__()
        self.click, self.result, self.error, self.backend = click, None, None, None
        self.connected = threading.Event()

    def run(self):
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                self.backend = cursor.fetchone()[0]
            self.connected.set()
            self.result = click_store(self.click)
        except Exception as error:
            self.error = error
        finally:
            self.connected.set()
            connection.close()


def wait_for(condition, timeout=20):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)


def queue_behind_a_locked_table(clicks, before_release=None):
    """Start one thread per click, in order, each queued before the next starts: the first leads and waits on the
    table lock, the rest wait for it. Then release the lock and wait for all. Returns the threads."""
    threads = []
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {Click._meta.db_table} IN SHARE ROW EXCLUSIVE MODE")
        for number, click in enumerate(clicks, start=1):
            thread = Clicker(click)
            thread.start()
            thread.connected.wait(20)
            wait_for(lambda number=number: writer().queued == number)
            threads.append(thread)
        time.sleep(0.05)
        assert not any(thread.result or thread.error for thread in threads), "answered before the lock was released"
        if before_release:
            before_release(threads)
    for thread in threads:
        thread.join(30)
    assert not any(thread.is_alive() for thread in threads), "a click thread hung"
    assert writer().queued == 0
    return threads


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_clicks_arriving_during_a_write_form_the_next_batch_and_uniqueness_holds_within_and_across(offer, affiliate):
    before = Counter(writer().sizes)
    clicks = [
        build(offer, affiliate),  # leads, alone
        build(offer, affiliate),  # alike the leader's, in the next batch: not unique
        build(offer, affiliate, ip="198.51.100.1"),
        build(offer, affiliate, ip="198.51.100.1"),  # alike the one before, same batch: not unique
        *(build(offer, affiliate, ip=f"198.51.100.{n}") for n in range(2, 6)),
    ]

    threads = queue_behind_a_locked_table(clicks)

    assert [thread.error for thread in threads] == [None] * len(clicks)
    assert writer().sizes - before == Counter({1: 1, len(clicks) - 1: 1})
    expected = [True, False, True, False, True, True, True, True]
    assert [thread.result.is_unique for thread in threads] == expected
    assert stored_flags(clicks) == expected
    assert Click.objects.count() == len(clicks)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_with_two_writers_two_inserts_are_in_flight_and_the_rest_wait_for_the_first_to_finish(
    settings, offer, affiliate
):
    settings.TALLY_CLICK_WRITERS = 2
    before = Counter(writer().sizes)
    clicks = [build(offer, affiliate, ip=f"198.51.100.{n}") for n in range(1, 6)]

    threads = queue_behind_a_locked_table(clicks)

    assert [thread.error for thread in threads] == [None] * 5
    assert writer().sizes - before == Counter({1: 2, 3: 1})
    assert Click.objects.count() == 5


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_broken_insert_fails_every_click_of_its_batch_and_the_writer_goes_on(offer, affiliate):
    taken = factories.ClickFactory(offer=offer, affiliate=affiliate)
    clicks = [build(offer, affiliate, ip=f"198.51.100.{n}") for n in range(1, 6)]
    # The unique constraint refuses the whole second INSERT.
    clicks[3].transaction_id, clicks[3].created_at = taken.transaction_id, taken.created_at

    threads = queue_behind_a_locked_table(clicks)

    assert threads[0].error is None and threads[0].result.pk
    assert all(isinstance(thread.error, IntegrityError) for thread in threads[1:])
    assert Click.objects.count() == 2  # `taken` and the leader's
    assert click_store(build(offer, affiliate, ip="198.51.100.9")).pk  # nobody is left holding the queue


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_lost_connection_reaches_every_click_of_its_batch_as_the_database_being_down(offer, affiliate):
    clicks = [build(offer, affiliate, ip=f"198.51.100.{n}") for n in range(1, 5)]

    def terminate_next_leader(threads):
        # The first in line behind the leader writes the next batch on its connection: the server drops it.
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [threads[1].backend])

    threads = queue_behind_a_locked_table(clicks, before_release=terminate_next_leader)

    assert threads[0].error is None
    assert all(isinstance(thread.error, DATABASE_DOWN) for thread in threads[1:]), [t.error for t in threads]
    assert Click.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_many_threads_clicking_at_once_each_get_a_stored_click_and_batches_form(offer, affiliate):
    before = Counter(writer().sizes)
    threads_count, per_thread = 12, 15
    barrier = threading.Barrier(threads_count)
    locations, errors = [], []

    def shopper(number):
        try:
            client = Client()
            connection.ensure_connection()
            barrier.wait(timeout=30)
            for n in range(per_thread):
                response = client.get(
                    "/click",
                    {"offer_id": offer.pk, "aff_id": affiliate.pk},
                    headers={"user-agent": BROWSER},
                    REMOTE_ADDR=f"198.18.{number}.{n % 3 + 1}",
                )
                locations.append((response.status_code, response["Location"]))
        except Exception as error:
            errors.append(error)
            barrier.abort()
        finally:
            connection.close()

    threads = [threading.Thread(target=shopper, args=(n,)) for n in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not errors, errors

    assert {status for status, _ in locations} == {302}
    answered = [location.split("tid=")[1].split("&")[0] for _, location in locations]
    assert len(answered) == threads_count * per_thread and "" not in answered
    stored = dict(Click.objects.values_list("transaction_id", "is_unique"))
    assert set(stored) == set(answered)
    # Each shopper used three addresses: the first click of each is unique, the rest are not.
    assert sum(stored.values()) == threads_count * 3
    sizes = writer().sizes - before
    assert sum(size * count for size, count in sizes.items()) == len(answered)
    assert max(sizes) > 1, sizes


@pytest.mark.django_db(transaction=True)
def test_an_error_of_the_write_reaches_the_caller_and_leaves_the_queue_empty(offer, affiliate):
    taken = factories.ClickFactory(offer=offer, affiliate=affiliate)

    with pytest.raises(IntegrityError):
        click_store(build(offer, affiliate, transaction_id=taken.transaction_id, created_at=taken.created_at))

    assert writer().queued == 0
    assert click_store(build(offer, affiliate)).pk
