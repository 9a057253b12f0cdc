"""Scheduled reports (README.md, Scheduled reports): a saved report e-mailed as CSV to its owner, computed with the
owner's own scope at send time, once per schedule and period."""

import csv
import io
import threading
from datetime import date
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection

from reports.models import ReportSchedule, ReportScheduleSend
from reports.schedules import period_start, schedule_create, schedules_send_due
from reports.services import rollups_refresh
from tests import factories
from tests.reports.conftest import click_at, conversion_at, user_of

pytestmark = pytest.mark.django_db(transaction=True)

MARCH = "group_by=offer&preset=custom&date_from=2025-03-01&date_to=2025-03-31"
MONDAY = date(2025, 4, 7)


@pytest.fixture
def network():
    """Two affiliates sending a click and a sale each to two offers of two advertisers, in March 2025."""
    mine, theirs = factories.AdvertiserFactory(name="Mine"), factories.AdvertiserFactory(name="Theirs")
    offers = [factories.OfferFactory(advertiser=mine, name="M"), factories.OfferFactory(advertiser=theirs, name="T")]
    affiliates = [factories.AffiliateFactory(name="A1"), factories.AffiliateFactory(name="A2")]
    for offer in offers:
        for n, affiliate in enumerate(affiliates, start=1):
            click = click_at("2025-03-10 10:00", offer=offer, affiliate=affiliate, aff_sub=f"sub-of-{affiliate.name}")
            conversion_at("2025-03-10 11:00", click=click, payout=Decimal(n * 5), revenue=Decimal("8.00"))
    rollups_refresh()
    return {"advertisers": (mine, theirs), "offers": offers, "affiliates": affiliates}


def attached_rows(message):
    (name, content, mimetype) = message.attachments[0]
    assert mimetype == "text/csv" and name.endswith(".csv")
    return list(csv.reader(io.StringIO(content)))


def test_an_affiliates_csv_holds_only_its_own_rows(network):
    a1, a2 = (user_of(a) for a in network["affiliates"])
    schedule_create(
        owner=a1,
        name="By sub",
        query="group_by=sub&preset=custom&date_from=2025-03-01&date_to=2025-03-31",
        frequency="daily",
    )
    schedule_create(owner=a2, name="By offer", query=MARCH, frequency="daily")

    assert schedules_send_due(today=MONDAY) == 2

    by_owner = {m.to[0]: m for m in mail.outbox}
    first = attached_rows(by_owner[a1.email])
    assert [row[0] for row in first[1:]] == ["sub-of-A1", "Total"]
    assert "sub-of-A2" not in by_owner[a1.email].attachments[0][1]
    second = attached_rows(by_owner[a2.email])
    assert "Revenue" not in second[0] and "Payout" in second[0]
    payouts = [(row[0], row[second[0].index("Payout")]) for row in second[1:]]
    # The two offers tie on every column, so their order is the database's: compare them as a set.
    assert sorted(payouts[:-1]) == [("M", "10.00"), ("T", "10.00")] and payouts[-1] == ("Total", "20.00")


def test_an_advertisers_csv_holds_its_offers_with_revenue_and_no_payout(network):
    owner = user_of(network["advertisers"][0])
    schedule_create(owner=owner, name="Mine", query=MARCH, frequency="weekly")
    schedules_send_due(today=MONDAY)
    rows = attached_rows(mail.outbox[0])
    assert [row[0] for row in rows[1:]] == ["M", "Total"]
    assert "Payout" not in rows[0] and "Revenue" in rows[0]


def test_a_managers_csv_holds_the_whole_network(network, manager):
    schedule_create(
        owner=manager, name="All", query=MARCH.replace("offer", "affiliate") + "&sort=-label", frequency="monthly"
    )
    schedules_send_due(today=MONDAY)
    assert [row[0] for row in attached_rows(mail.outbox[0])[1:]] == ["A2", "A1", "Total"]


def test_a_filter_outside_ones_scope_cannot_be_saved_and_one_the_audience_lacks_is_dropped(network):
    owner = user_of(network["advertisers"][0])
    theirs = network["offers"][1]
    with pytest.raises(ValidationError):
        schedule_create(owner=owner, name="Theirs", query=f"{MARCH}&offer={theirs.pk}", frequency="daily")
    assert ReportSchedule.objects.count() == 0

    a1 = user_of(network["affiliates"][0])
    schedule = schedule_create(
        owner=a1, name="X", query=f"{MARCH}&affiliate={network['affiliates'][1].pk}", frequency="daily"
    )
    assert "affiliate=" not in schedule.query


def test_each_period_is_sent_once(network):
    owner = user_of(network["affiliates"][0])
    schedule_create(owner=owner, name="Weekly", query=MARCH, frequency="weekly")
    assert schedules_send_due(today=MONDAY) == 1
    assert schedules_send_due(today=date(2025, 4, 9)) == 0  # the same week
    assert schedules_send_due(today=date(2025, 4, 14)) == 1  # the next
    assert len(mail.outbox) == 2
    assert sorted(ReportScheduleSend.objects.values_list("period_start", flat=True)) == [MONDAY, date(2025, 4, 14)]


def test_periods_start_on_the_day_the_monday_and_the_first():
    wednesday = date(2025, 4, 9)
    assert period_start("daily", wednesday) == wednesday
    assert period_start("weekly", wednesday) == MONDAY
    assert period_start("monthly", wednesday) == date(2025, 4, 1)


def test_an_owner_who_lost_access_gets_nothing(network):
    owner = user_of(network["affiliates"][0])
    schedule_create(owner=owner, name="Weekly", query=MARCH, frequency="weekly")
    network["affiliates"][0].status = "suspended"
    network["affiliates"][0].save()
    assert schedules_send_due(today=MONDAY) == 0
    assert mail.outbox == []


@pytest.mark.postgres
def test_six_workers_at_once_send_each_schedule_once(network):
    for affiliate in network["affiliates"]:
        schedule_create(owner=user_of(affiliate), name="Daily", query=MARCH, frequency="daily")
    barrier, errors = threading.Barrier(6), []

    def run():
        try:
            barrier.wait()
            schedules_send_due(today=MONDAY)
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(mail.outbox) == 2
    assert ReportScheduleSend.objects.count() == 2
