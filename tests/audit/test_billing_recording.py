"""Invoices and payments in the audit trail: a manager's adjustment, issue, void, payment and billing profile
changes are recorded with who did them; the drafting job's drafts are not (nobody decided them)."""

from datetime import date
from decimal import Decimal

import pytest

from audit.models import AuditEntry
from billing.models import Invoice
from billing.services import (
    affiliate_billing_profile_update,
    invoice_adjustment_add,
    invoice_issue,
    invoice_void,
    invoices_draft,
    payment_record,
)
from tests import factories
from tests.billing.conftest import conversion_at

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def billing_settings(settings):
    settings.TALLY_BILLING_MINIMUM_PAYOUT = Decimal("0")
    settings.TALLY_BILLING_DEFAULT_FREQUENCY = "monthly"


@pytest.fixture
def draft(affiliate):
    offer = factories.OfferFactory()
    conversion_at("2025-03-03 10:00", offer=offer, affiliate=affiliate, payout="12.30")
    invoices_draft(today=date(2025, 4, 1))
    return Invoice.objects.get(party="affiliate")


def invoice_entries(invoice):
    return list(AuditEntry.objects.filter(object_type="billing.invoice", object_id=str(invoice.pk)).order_by("seq"))


def change(entry, field):
    return next(c for c in entry.changes if c["field"] == field)


def test_drafting_is_not_a_persons_change(draft):
    assert invoice_entries(draft) == []


def test_an_adjustment_and_the_issue_are_recorded_on_the_invoice(draft, manager, affiliate):
    invoice_adjustment_add(invoice=draft, amount="-2.30", reason="refunded order", actor=manager)
    issued = invoice_issue(invoice=draft, actor=manager)

    adjusted, issue = invoice_entries(draft)
    assert adjusted.note == "refunded order" and adjusted.actor_name == manager.username
    assert change(adjusted, "adjustment")["new"] == "-2.30"
    assert issue.action == "status"
    assert change(issue, "status") == {"field": "status", "old": "draft", "new": "issued"}
    assert change(issue, "number")["new"] == issued.number and change(issue, "total")["new"] == "10.00"
    assert f" partners.affiliate:{affiliate.pk} " in issue.related


def test_a_void_is_recorded(draft, manager):
    invoice_void(invoice=draft, actor=manager)

    [void] = invoice_entries(draft)
    assert void.action == "status" and change(void, "status") == {"field": "status", "old": "draft", "new": "void"}


def test_a_payment_is_recorded_with_its_invoice_settled(draft, manager, affiliate):
    invoice = invoice_issue(invoice=draft, actor=manager)

    payment = payment_record(
        party="affiliate",
        partner=affiliate,
        currency=invoice.currency,
        amount="12.30",
        paid_on=date(2025, 4, 10),
        method="paypal",
        reference="PP-1",
        invoices=[invoice],
        actor=manager,
    )

    made = AuditEntry.objects.get(object_type="billing.payment", object_id=str(payment.pk))
    assert made.action == "create" and made.actor_name == manager.username
    assert change(made, "amount")["new"] == "12.30" and change(made, "reference")["new"] == "PP-1"
    assert f" billing.invoice:{invoice.pk} " in made.related
    paid = invoice_entries(invoice)[-1]
    assert change(paid, "status") == {"field": "status", "old": "issued", "new": "paid"}


def test_a_billing_profile_change_is_recorded(manager, affiliate):
    affiliate_billing_profile_update(affiliate=affiliate, actor=manager, minimum_payout="25")
    affiliate_billing_profile_update(affiliate=affiliate, actor=manager, minimum_payout="50")

    made, changed = AuditEntry.objects.filter(object_type="billing.affiliatebillingprofile").order_by("seq")
    assert made.action == "create"
    assert change(changed, "minimum_payout") == {"field": "minimum_payout", "old": "25.00", "new": "50.00"}
