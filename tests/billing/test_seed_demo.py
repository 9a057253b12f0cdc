"""seed_demo's books (README.md, Billing): weekly invoices drafted by the job from the demo's conversions, issued,
all but each partner's latest paid; seeding again adds nothing."""

from io import StringIO

import pytest
import time_machine
from django.core.management import call_command

from billing.models import Invoice, Payment
from billing.selectors import invoices_to_pay

pytestmark = pytest.mark.django_db


@time_machine.travel("2026-11-18 12:00Z")  # a Wednesday: two weeks of the demo's traffic are closed weeks
def test_the_demo_has_issued_and_paid_invoices_once():
    call_command("seed_demo", stdout=StringIO())
    invoices = Invoice.objects.exclude(status="draft")
    first = (invoices.count(), Payment.objects.count())

    assert invoices.filter(status="paid", party="affiliate").exists()
    assert invoices.filter(status="paid", party="advertiser").exists()
    assert invoices.filter(party="advertiser").exists()
    assert invoices_to_pay()  # the latest affiliate invoices are still due
    for invoice in invoices:
        assert invoice.total == invoice.lines_total() > 0
        assert invoice.total == sum(link.amount for link in invoice.conversion_links.all())

    call_command("seed_demo", stdout=StringIO())
    assert (Invoice.objects.exclude(status="draft").count(), Payment.objects.count()) == first
