"""A manager's actions on invoices and payments (README.md, Billing): each bad input gets a clear refusal and the
books stay as they were; advertiser invoices with due dates, overdue and paid; the PDF and CSV documents."""

import io
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from pypdf import PdfReader

from billing.documents import invoice_csv, invoice_pdf, to_pay_csv
from billing.models import AdvertiserBillingProfile, AffiliateBillingProfile, Invoice, InvoiceLine, Payment
from billing.selectors import balances, invoices_to_pay, overdue_invoices
from billing.services import (
    BillingError,
    invoice_adjustment_add,
    invoice_issue,
    invoice_mark_paid,
    invoice_void,
    invoices_draft,
    money,
    payment_record,
)
from core.periods import network_today
from tests import factories
from tests.billing.conftest import conversion_at

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def billing_settings(settings):
    settings.TALLY_BILLING_MINIMUM_PAYOUT = Decimal("0")
    settings.TALLY_BILLING_DEFAULT_FREQUENCY = "monthly"
    settings.TALLY_NETWORK_NAME = "Example Network Ltd"
    settings.TALLY_NETWORK_TAX_ID = "GB123456789"


@pytest.fixture
def draft(affiliate):
    affiliate.contact_email = "payee@example.com"
    affiliate.save()
    offer = factories.OfferFactory(name="Shoes")
    goal = factories.GoalFactory(offer=offer, name="deposit")
    conversion_at("2025-03-03 10:00", offer=offer, affiliate=affiliate, payout="12.30")
    conversion_at("2025-03-04 10:00", offer=offer, affiliate=affiliate, payout="7.70")
    conversion_at("2025-03-05 10:00", offer=offer, affiliate=affiliate, goal=goal, payout="1000.05")
    invoices_draft(today=date(2025, 4, 1))
    return Invoice.objects.get(party="affiliate")


def refused(code, service, **kwargs):
    with pytest.raises(BillingError) as error:
        service(**kwargs)
    assert error.value.code == code, error.value.messages
    return error.value


@pytest.mark.parametrize("value", ["abc", "", "NaN", "Infinity", "1.234", "1e3000", 1.5, "-0.00", "0", True, None])
def test_malformed_amounts_are_refused(value):
    with pytest.raises(BillingError) as error:
        money(value)
    assert error.value.code == "amount_invalid"


def test_an_adjustment_is_a_signed_amount_with_a_reason(draft, manager):
    line = invoice_adjustment_add(invoice=draft, amount="-20.05", reason="Chargeback of order 77", actor=manager)
    assert (line.kind, line.amount, line.created_by) == ("adjustment", Decimal("-20.05"), manager)
    assert draft.lines_total() == Decimal("1000.00")


@pytest.mark.parametrize(
    ("amount", "reason", "code"),
    [
        ("abc", "x", "amount_invalid"),
        ("0", "x", "amount_invalid"),
        ("1.001", "x", "amount_invalid"),
        ("5", " ", "reason_required"),
    ],
)
def test_a_bad_adjustment_is_refused_and_adds_nothing(draft, manager, amount, reason, code):
    refused(code, invoice_adjustment_add, invoice=draft, amount=amount, reason=reason, actor=manager)
    assert not draft.lines.filter(kind="adjustment").exists()


def test_an_issued_invoice_never_changes(draft, manager):
    invoice = invoice_issue(invoice=draft, actor=manager)
    assert invoice.number.startswith("AFF-") and invoice.total == Decimal("1020.05")
    refused("already_issued", invoice_adjustment_add, invoice=invoice, amount="5", reason="late bonus", actor=manager)
    refused("already_issued", invoice_issue, invoice=invoice, actor=manager)
    invoice.refresh_from_db()
    assert invoice.total == Decimal("1020.05") and invoice.lines.count() == 2


def test_issuing_emails_the_affiliate_the_pdf(draft, manager, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invoice = invoice_issue(invoice=draft, actor=manager)
    (message,) = mail.outbox
    assert message.to == ["payee@example.com"]
    assert invoice.number in message.subject
    (name, content, kind) = message.attachments[0]
    assert name == f"{invoice.number}.pdf" and kind == "application/pdf" and content.startswith(b"%PDF")


def test_a_void_invoice_cannot_be_issued_and_its_conversions_are_drafted_again(draft, manager):
    invoice_void(invoice=draft, actor=manager)
    refused("void_invoice", invoice_issue, invoice=draft, actor=manager)
    refused("void_invoice", invoice_void, invoice=draft, actor=manager)

    invoices_draft(today=date(2025, 4, 2))
    again = Invoice.objects.get(party="affiliate", status="draft")
    assert again.pk != draft.pk and again.lines_total() == Decimal("1020.05")


def test_payments_settle_invoices_oldest_first_and_never_more_than_owed(draft, manager, affiliate):
    invoice = invoice_issue(invoice=draft, actor=manager)
    common = {
        "party": "affiliate",
        "partner": affiliate,
        "currency": "USD",
        "paid_on": date(2025, 4, 10),
        "method": "paypal",
        "invoices": [invoice],
        "actor": manager,
    }
    refused("overpayment", payment_record, amount="1020.06", **common)
    refused("amount_invalid", payment_record, amount="-5", **common)
    refused("amount_invalid", payment_record, amount="ten", **common)
    refused("method_invalid", payment_record, amount="5", **{**common, "method": "gold"})
    refused("invoice_mismatch", payment_record, amount="5", **{**common, "currency": "EUR"})
    assert not Payment.objects.exists()

    payment_record(amount="1000.00", reference="PP-1", **common)
    invoice.refresh_from_db()
    assert (invoice.status, invoice.balance_due) == ("issued", Decimal("20.05"))
    assert balances() == [
        {
            "affiliate": affiliate,
            "currency": "USD",
            "issued": Decimal("1020.05"),
            "paid": Decimal("1000.00"),
            "balance": Decimal("20.05"),
        }
    ]
    # Shown as cents, on SQLite too (whose sums of decimals come back with trailing digits).
    assert [str(balances()[0][key]) for key in ("issued", "paid", "balance")] == ["1020.05", "1000.00", "20.05"]
    refused("overpayment", payment_record, amount="20.06", **common)
    payment_record(amount="20.05", **common)
    invoice.refresh_from_db()
    assert invoice.status == "paid" and invoice.balance_due == 0
    refused("already_paid", payment_record, amount="1", **common)
    refused("has_payments", invoice_void, invoice=invoice, actor=manager)


def test_a_draft_cannot_be_paid(draft, manager, affiliate):
    refused(
        "not_issued",
        payment_record,
        party="affiliate",
        partner=affiliate,
        currency="USD",
        amount="1",
        paid_on=date(2025, 4, 10),
        method="wire",
        invoices=[draft],
        actor=manager,
    )


def test_the_to_pay_list_and_its_csv_carry_the_payment_method(draft, manager, affiliate):
    AffiliateBillingProfile.objects.create(
        affiliate=affiliate, payment_method="paypal", payment_details="=payee@example.com"
    )
    invoice = invoice_issue(invoice=draft, actor=manager)
    (due,) = invoices_to_pay()
    assert (due.affiliate, due.amount_due, due.method, due.invoices) == (
        affiliate,
        Decimal("1020.05"),
        "paypal",
        [invoice],
    )
    lines = list(to_pay_csv())
    assert len(lines) == 2
    assert '"1020.05","USD"' in lines[1] and invoice.number in lines[1]
    assert "'=payee@example.com" in lines[1]  # formula-safe


def pdf_text(data):
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_the_pdf_shows_the_network_the_lines_and_the_total(draft, manager):
    invoice_adjustment_add(invoice=draft, amount="-0.05", reason="Rounding", actor=manager)
    invoice = invoice_issue(invoice=draft, actor=manager)

    text = pdf_text(invoice_pdf(invoice))

    assert "Example Network Ltd" in text and "GB123456789" in text and invoice.number in text
    amounts = [Decimal(a.replace(",", "")) for a in re.findall(r"(-?[\d,]+\.\d\d) USD", text)]
    *lines, total = amounts
    assert total == invoice.total == Decimal("1020.00")
    assert sum(lines) == total
    assert "Shoes — deposit" in text and "Rounding" in text


def test_the_csv_has_a_row_per_line_and_the_total(draft, manager):
    invoice = invoice_issue(invoice=draft, actor=manager)
    lines = list(invoice_csv(invoice))
    assert len(lines) == 1 + invoice.lines.count() + 1
    assert lines[-1].startswith(f'"{invoice.number}"') and '"1020.05"' in lines[-1]


def test_advertiser_invoices_come_from_revenue_with_a_due_date_and_turn_overdue(manager):
    advertiser = factories.AdvertiserFactory()
    AdvertiserBillingProfile.objects.create(advertiser=advertiser, terms_days=15, billing_email="ap@adv.example")
    offer = factories.OfferFactory(advertiser=advertiser, currency="EUR")
    conversion_at("2025-03-03 10:00", offer=offer, affiliate=factories.AffiliateFactory(), revenue="40.00")
    conversion_at("2025-03-09 10:00", offer=offer, affiliate=factories.AffiliateFactory(), revenue="2.50")
    invoices_draft(today=date(2025, 4, 1))
    draft = Invoice.objects.get(party="advertiser")
    assert (draft.advertiser, draft.currency, draft.lines_total()) == (advertiser, "EUR", Decimal("42.50"))

    invoice = invoice_issue(invoice=draft, actor=manager)
    assert invoice.number.startswith("ADV-") and invoice.due_date == network_today() + timedelta(days=15)
    assert not invoice.is_overdue and not overdue_invoices().exists()

    Invoice.objects.filter(pk=invoice.pk).update(due_date=network_today() - timedelta(days=1))
    invoice.refresh_from_db()
    assert invoice.is_overdue and list(overdue_invoices()) == [invoice]

    invoice = invoice_mark_paid(invoice=invoice, actor=manager, reference="SEPA 4411")
    assert invoice.status == "paid" and not invoice.is_overdue and not overdue_invoices().exists()
    assert Payment.objects.get().amount == Decimal("42.50")
    refused("already_paid", invoice_mark_paid, invoice=invoice, actor=manager)


def test_an_invoice_line_adjustment_needs_a_reason_in_the_database_too(draft):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        InvoiceLine.objects.create(invoice=draft, kind="adjustment", amount=Decimal("5"), reason="")
