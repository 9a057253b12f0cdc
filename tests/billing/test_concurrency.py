"""The drafting job under concurrency (README.md, Billing): runs at the same instant, alongside status changes and
a manager issuing, make nothing twice and lose nothing; two managers issuing one draft: one wins. PostgreSQL only
(real row locks), each thread with its own connection, released together by a barrier."""

import threading
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Count

from billing.models import Invoice, InvoiceConversion
from billing.services import BillingError, invoice_issue, invoices_draft
from conversions.models import Conversion
from conversions.services import conversion_set_status
from tests import factories
from tests.billing.conftest import conversion_at

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def no_minimum(settings):
    settings.TALLY_BILLING_MINIMUM_PAYOUT = Decimal("0")
    settings.TALLY_BILLING_DEFAULT_FREQUENCY = "monthly"


def together(*jobs):
    """Run each callable in its own thread and connection, all released at once; returns their results or errors."""
    barrier = threading.Barrier(len(jobs))
    results = [None] * len(jobs)

    def run(index, job):
        try:
            connection.ensure_connection()
            barrier.wait(timeout=30)
            results[index] = job()
        except Exception as error:  # returned to the test
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a thread hung"
    return results


def test_the_job_run_many_times_at_once_alongside_rejections_makes_nothing_twice_and_loses_nothing(manager):
    affiliates = factories.AffiliateFactory.create_batch(3)
    offer = factories.OfferFactory()
    conversions = [
        conversion_at(f"2025-03-{1 + i % 28:02d} 10:00", offer=offer, affiliate=affiliates[i % 3], payout="1.00")
        for i in range(60)
    ]
    to_reject = conversions[::5]

    results = together(
        *[lambda: invoices_draft(today=date(2025, 4, 1))] * 6,
        *[lambda c=c: conversion_set_status(conversion=c, status="rejected", user=manager) for c in to_reject],
    )
    assert not [r for r in results if isinstance(r, Exception)], results
    invoices_draft(today=date(2025, 4, 2))  # the next run sees every rejection that committed after a draft

    links = InvoiceConversion.objects.filter(party="affiliate")
    assert not links.values("conversion").annotate(n=Count("id")).filter(n__gt=1).exists()
    approved = set(Conversion.objects.filter(status="approved").values_list("pk", flat=True))
    assert set(links.values_list("conversion_id", flat=True)) == approved
    assert Invoice.objects.filter(party="affiliate").count() == 3
    assert sum(i.lines_total() for i in Invoice.objects.filter(party="affiliate")) == Decimal(len(approved))


def test_issuing_alongside_a_rejection_keeps_the_books_consistent(manager, affiliate):
    offer = factories.OfferFactory()
    conversions = [
        conversion_at(f"2025-03-0{d} 10:00", offer=offer, affiliate=affiliate, payout="3.00") for d in range(1, 9)
    ]
    invoices_draft(today=date(2025, 4, 1))
    draft = Invoice.objects.get(party="affiliate")

    together(
        lambda: invoice_issue(invoice=draft, actor=manager),
        lambda: conversion_set_status(conversion=conversions[0], status="rejected", user=manager),
    )
    invoices_draft(today=date(2025, 5, 1))

    issued = Invoice.objects.get(pk=draft.pk)
    charged = issued.conversion_links.filter(kind="charge")
    assert issued.total == sum(link.amount for link in charged) == issued.lines_total()
    reversals = InvoiceConversion.objects.filter(party="affiliate", kind="reversal")
    if charged.filter(conversion=conversions[0]).exists():  # issued first: the rejection is reversed next period
        assert issued.total == Decimal("24.00")
        assert list(reversals.values_list("conversion_id", "amount")) == [(conversions[0].pk, Decimal("-3.00"))]
    else:  # rejected first: it never made it onto the invoice
        assert issued.total == Decimal("21.00") and not reversals.exists()


def test_two_managers_issuing_the_same_draft_at_once_one_wins_the_other_is_told(affiliate):
    managers = factories.ManagerFactory.create_batch(2)
    conversion_at("2025-03-03 10:00", offer=factories.OfferFactory(), affiliate=affiliate, payout="9.00")
    invoices_draft(today=date(2025, 4, 1))
    draft = Invoice.objects.get(party="affiliate")

    results = together(*[lambda m=m: invoice_issue(invoice=draft, actor=m) for m in managers])

    winners = [r for r in results if isinstance(r, Invoice)]
    losers = [r for r in results if isinstance(r, BillingError)]
    assert len(winners) == 1 and len(losers) == 1, results
    assert losers[0].code == "already_issued"
    draft.refresh_from_db()
    assert draft.status == "issued" and draft.total == Decimal("9.00") and draft.issued_by == winners[0].issued_by
