"""The manager's billing pages: drafts to review (adjust, issue, void), to pay (CSV, record a payment), overdue
advertiser invoices (mark paid, the dashboard), payment history, downloads and billing profiles. Refusals from the
billing services come back as a message and a 4xx or a redirect, never a 500, and nothing already stored is lost."""

from datetime import timedelta
from decimal import Decimal

import pytest

from billing.models import AdvertiserBillingProfile, AffiliateBillingProfile, Invoice, InvoiceLine, Payment
from core.periods import network_today
from tests import factories
from tests.billing.pages import draft, issued

pytestmark = pytest.mark.django_db


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


@pytest.fixture
def affiliate():
    return factories.AffiliateFactory(name="Blue Coupons")


# --- Drafts -------------------------------------------------------------------------------------------------------


def test_the_drafts_page_lists_drafts_only(manager_client, affiliate):
    waiting = draft(affiliate, "40.00")
    done = issued(factories.AffiliateFactory(name="Already issued"), "10.00")

    response = manager_client.get("/manage/billing/")

    assert response.status_code == 200
    assert [invoice.pk for invoice in response.context["object_list"]] == [waiting.pk]
    page = response.content.decode()
    assert f'href="/manage/billing/invoices/{waiting.pk}/"' in page
    assert "40.00 USD" in page
    assert done.number not in page


def test_all_invoices_take_the_shared_filters(manager_client, affiliate):
    mine = issued(affiliate, "10.00")
    issued(factories.AffiliateFactory(), "20.00", currency="EUR")

    response = manager_client.get("/manage/billing/invoices/", {"currency": "USD"})

    assert [invoice.pk for invoice in response.context["object_list"]] == [mine.pk]


def test_a_draft_shows_its_lines_and_the_actions(manager_client, affiliate):
    invoice = draft(affiliate, "40.00", "2.50")

    page = manager_client.get(f"/manage/billing/invoices/{invoice.pk}/").content.decode()

    assert "Draft invoice #" in page
    assert "42.50 USD" in page
    assert f'action="/manage/billing/invoices/{invoice.pk}/issue/"' in page
    assert f'action="/manage/billing/invoices/{invoice.pk}/void/"' in page
    assert f'action="/manage/billing/invoices/{invoice.pk}/adjustments/"' in page


def test_a_manager_adds_an_adjustment_and_the_draft_total_follows(manager_client, manager, affiliate):
    invoice = draft(affiliate, "40.00")

    response = manager_client.post(
        f"/manage/billing/invoices/{invoice.pk}/adjustments/", {"amount": "-15.50", "reason": "Chargeback #88"}
    )

    assert response.status_code == 302
    line = invoice.lines.get(kind=InvoiceLine.Kind.ADJUSTMENT)
    assert (line.amount, line.reason, line.created_by) == (Decimal("-15.50"), "Chargeback #88", manager)
    page = manager_client.get(response["Location"]).content.decode()
    assert "24.50 USD" in page
    assert "Chargeback #88" in page


@pytest.mark.parametrize(
    "data",
    [{"amount": "0", "reason": "nothing"}, {"amount": "5", "reason": ""}, {"amount": "abc", "reason": "x"}],
    ids=["zero", "no-reason", "not-a-number"],
)
def test_a_bad_adjustment_is_refused_on_the_page_and_nothing_is_stored(manager_client, affiliate, data):
    invoice = draft(affiliate, "40.00")

    response = manager_client.post(f"/manage/billing/invoices/{invoice.pk}/adjustments/", data)

    assert response.status_code == 400
    assert 'class="errorlist' in response.content.decode()
    assert not invoice.lines.filter(kind=InvoiceLine.Kind.ADJUSTMENT).exists()


def test_issuing_a_draft_numbers_it_and_closes_it_to_changes(manager_client, manager, affiliate):
    invoice = draft(affiliate, "60.00")

    response = manager_client.post(f"/manage/billing/invoices/{invoice.pk}/issue/", follow=True)

    invoice.refresh_from_db()
    assert (invoice.status, invoice.total, invoice.issued_by) == (Invoice.Status.ISSUED, Decimal("60.00"), manager)
    assert invoice.number
    assert f"Invoice {invoice.number} issued: 60.00 USD." in messages_of(response)
    page = response.content.decode()
    assert "/issue/" not in page
    assert "/adjustments/" not in page


def test_an_adjustment_to_an_issued_invoice_is_refused_with_the_services_reason(manager_client, affiliate):
    invoice = issued(affiliate, "40.00")

    response = manager_client.post(
        f"/manage/billing/invoices/{invoice.pk}/adjustments/", {"amount": "5.00", "reason": "late bonus"}
    )

    assert response.status_code == 400
    (message,) = messages_of(response)
    assert "(already_issued)" in message
    assert not invoice.lines.filter(kind=InvoiceLine.Kind.ADJUSTMENT).exists()


def test_issuing_a_void_invoice_says_why_not(manager_client, affiliate):
    invoice = draft(affiliate, "40.00")
    manager_client.post(f"/manage/billing/invoices/{invoice.pk}/void/", follow=True)
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.VOID

    response = manager_client.post(f"/manage/billing/invoices/{invoice.pk}/issue/", follow=True)

    assert response.status_code == 200
    (message,) = messages_of(response)
    assert message.endswith("(void_invoice)")
    invoice.refresh_from_db()
    assert (invoice.status, invoice.number) == (Invoice.Status.VOID, None)


def test_issuing_twice_refuses_the_second_and_keeps_the_first_number(manager_client, affiliate):
    invoice = draft(affiliate, "60.00")
    manager_client.post(f"/manage/billing/invoices/{invoice.pk}/issue/", follow=True)
    invoice.refresh_from_db()
    number = invoice.number

    response = manager_client.post(f"/manage/billing/invoices/{invoice.pk}/issue/", follow=True)

    (message,) = messages_of(response)
    assert message.endswith("(already_issued)")
    invoice.refresh_from_db()
    assert invoice.number == number


def test_a_draft_below_the_minimum_payout_is_not_issued_and_the_page_says_why(manager_client, affiliate, settings):
    settings.TALLY_BILLING_MINIMUM_PAYOUT = Decimal("50.00")
    invoice = draft(affiliate, "40.00")

    response = manager_client.post(f"/manage/billing/invoices/{invoice.pk}/issue/", follow=True)

    assert response.status_code == 200
    (message,) = messages_of(response)
    assert "minimum payout" in message
    assert message.endswith("(below_minimum)")
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.DRAFT


def test_an_invoice_downloads_as_pdf_and_csv(manager_client, affiliate):
    invoice = issued(affiliate, "40.00")

    pdf = manager_client.get(f"/manage/billing/invoices/{invoice.pk}/pdf/")
    csv = manager_client.get(f"/manage/billing/invoices/{invoice.pk}/csv/")

    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert f'filename="tally-invoice-{invoice.number}.pdf"' in pdf["Content-Disposition"]
    assert csv["Content-Type"].startswith("text/csv")
    assert "40.00" in b"".join(csv.streaming_content).decode()


# --- To pay and payments ------------------------------------------------------------------------------------------


def test_to_pay_shows_what_is_due_per_affiliate_and_currency(manager_client, affiliate):
    AffiliateBillingProfile.objects.create(
        affiliate=affiliate, payment_method="paypal", payment_details="pay@blue.example"
    )
    usd = issued(affiliate, "40.00")
    issued(affiliate, "12.00", currency="EUR")
    draft(affiliate, "99.00", period=(usd.period_start - timedelta(days=31), usd.period_start - timedelta(days=1)))

    response = manager_client.get("/manage/billing/to-pay/")

    rows = {(row.affiliate.pk, row.currency): row.amount_due for row in response.context["rows"]}
    assert rows == {(affiliate.pk, "USD"): Decimal("40.00"), (affiliate.pk, "EUR"): Decimal("12.00")}
    page = response.content.decode()
    assert "pay@blue.example" in page
    assert f"/manage/billing/payments/new/?affiliate={affiliate.pk}&amp;currency=USD" in page


def test_the_mass_payment_csv_downloads(manager_client, affiliate):
    AffiliateBillingProfile.objects.create(
        affiliate=affiliate, payment_method="paypal", payment_details="pay@blue.example"
    )
    issued(affiliate, "40.00")

    response = manager_client.get("/manage/billing/to-pay/csv/")

    assert response.status_code == 200
    assert "csv" in response["Content-Type"]
    content = b"".join(response.streaming_content) if response.streaming else response.content
    assert "40.00" in content.decode()


def test_recording_a_payment_pays_the_invoice_and_empties_to_pay(manager_client, manager, affiliate):
    invoice = issued(affiliate, "40.00")
    url = f"/manage/billing/payments/new/?affiliate={affiliate.pk}&currency=USD"
    form = manager_client.get(url)
    assert form.context["form"].initial["amount"] == Decimal("40.00")

    response = manager_client.post(
        "/manage/billing/payments/new/",
        {
            "affiliate": affiliate.pk,
            "currency": "USD",
            "amount": "40.00",
            "paid_on": network_today().isoformat(),
            "method": "paypal",
            "reference": "PP-123",
            "invoices": [invoice.pk],
        },
    )

    assert response.status_code == 302
    payment = Payment.objects.get()
    assert (payment.affiliate, payment.amount, payment.reference, payment.recorded_by) == (
        affiliate,
        Decimal("40.00"),
        "PP-123",
        manager,
    )
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.PAID
    assert manager_client.get("/manage/billing/to-pay/").context["rows"] == []
    history = manager_client.get("/manage/billing/payments/").content.decode()
    assert "PP-123" in history


@pytest.mark.parametrize("amount", ["40.01", "-5.00", "0"], ids=["overpayment", "negative", "zero"])
def test_a_payment_it_cannot_take_is_refused_and_what_was_typed_is_kept(manager_client, affiliate, amount):
    invoice = issued(affiliate, "40.00")

    response = manager_client.post(
        "/manage/billing/payments/new/",
        {
            "affiliate": affiliate.pk,
            "currency": "USD",
            "amount": amount,
            "paid_on": network_today().isoformat(),
            "method": "wire",
            "reference": "REF-KEEP",
            "invoices": [invoice.pk],
        },
    )

    assert response.status_code == 400
    assert 'value="REF-KEEP"' in response.content.decode()
    assert not Payment.objects.exists()
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.ISSUED


def test_an_overpayment_is_refused_with_the_services_code(manager_client, affiliate):
    invoice = issued(affiliate, "40.00")

    response = manager_client.post(
        "/manage/billing/payments/new/",
        {
            "affiliate": affiliate.pk,
            "currency": "USD",
            "amount": "50.00",
            "paid_on": network_today().isoformat(),
            "method": "wire",
            "invoices": [invoice.pk],
        },
    )

    assert response.status_code == 400
    assert any("(overpayment)" in message for message in messages_of(response))


def test_a_payment_cannot_name_another_affiliates_invoice(manager_client, affiliate):
    mine = issued(affiliate, "40.00")
    theirs = issued(factories.AffiliateFactory(), "40.00")

    response = manager_client.post(
        "/manage/billing/payments/new/",
        {
            "affiliate": affiliate.pk,
            "currency": "USD",
            "amount": "40.00",
            "paid_on": network_today().isoformat(),
            "method": "wire",
            "invoices": [mine.pk, theirs.pk],
        },
    )

    assert response.status_code == 400
    assert not Payment.objects.exists()


# --- Advertisers: overdue, mark paid --------------------------------------------------------------------------


@pytest.fixture
def overdue(db):
    advertiser = factories.AdvertiserFactory(name="Late Payer Inc")
    invoice = issued(advertiser, "300.00")
    Invoice.objects.filter(pk=invoice.pk).update(due_date=network_today() - timedelta(days=3))
    invoice.refresh_from_db()
    return invoice


def test_an_overdue_advertiser_invoice_is_on_the_overdue_page_and_the_dashboard(manager_client, overdue):
    page = manager_client.get("/manage/billing/overdue/").content.decode()
    assert overdue.number in page
    assert "300.00 USD" in page

    dashboard = manager_client.get("/manage/")
    assert dashboard.context["overdue_invoices"] == 1
    assert overdue.number in dashboard.content.decode()


def test_marking_an_overdue_invoice_paid_clears_it(manager_client, overdue):
    response = manager_client.post(
        f"/manage/billing/invoices/{overdue.pk}/mark-paid/",
        {"paid_on": network_today().isoformat(), "reference": "WIRE-9", "next": "/manage/billing/overdue/"},
    )

    assert response["Location"] == "/manage/billing/overdue/"
    overdue.refresh_from_db()
    assert overdue.status == Invoice.Status.PAID
    assert list(manager_client.get("/manage/billing/overdue/").context["invoices"]) == []
    assert manager_client.get("/manage/").context["overdue_invoices"] == 0


def test_mark_paid_on_an_affiliate_invoice_is_refused(manager_client, affiliate):
    invoice = issued(affiliate, "40.00")

    response = manager_client.post(f"/manage/billing/invoices/{invoice.pk}/mark-paid/", {}, follow=True)

    assert response.status_code == 200
    assert len(messages_of(response)) == 1
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.ISSUED


# --- Billing profiles ---------------------------------------------------------------------------------------------


def test_a_manager_sets_an_affiliates_billing_profile(manager_client, affiliate):
    url = f"/manage/affiliates/{affiliate.pk}/billing/"
    assert manager_client.get(url).status_code == 200

    response = manager_client.post(
        url,
        {
            "frequency": "weekly",
            "payment_method": "bank_transfer",
            "payment_details": "IBAN DE89 3704 0044 0532 0130 00",
            "minimum_payout": "50.00",
        },
    )

    assert response.status_code == 302
    profile = AffiliateBillingProfile.objects.get(affiliate=affiliate)
    assert (profile.frequency, profile.payment_method, profile.minimum_payout) == (
        "weekly",
        "bank_transfer",
        Decimal("50.00"),
    )


def test_a_negative_minimum_payout_is_refused(manager_client, affiliate):
    response = manager_client.post(
        f"/manage/affiliates/{affiliate.pk}/billing/",
        {"frequency": "", "payment_method": "paypal", "payment_details": "x", "minimum_payout": "-1"},
    )

    assert response.status_code == 400
    assert not AffiliateBillingProfile.objects.exists()


def test_a_manager_sets_an_advertisers_billing_profile(manager_client):
    advertiser = factories.AdvertiserFactory()

    response = manager_client.post(
        f"/manage/advertisers/{advertiser.pk}/billing/",
        {
            "frequency": "monthly",
            "terms_days": "15",
            "billing_contact_name": "Ann Ledger",
            "billing_email": "ap@acme.example",
        },
    )

    assert response.status_code == 302
    profile = AdvertiserBillingProfile.objects.get(advertiser=advertiser)
    assert (profile.terms_days, profile.billing_email) == (15, "ap@acme.example")


def test_billing_pages_are_for_managers_only(client, affiliate_user):
    client.force_login(affiliate_user)
    for url in ("/manage/billing/", "/manage/billing/to-pay/", "/manage/billing/payments/", "/manage/billing/overdue/"):
        assert client.get(url).status_code == 403
