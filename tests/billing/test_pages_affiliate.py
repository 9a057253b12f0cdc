"""The affiliate's billing pages: its issued and paid invoices (never drafts, voids or anyone else's), each as PDF
and CSV, its balance per currency, and its own payment method."""

from datetime import date
from decimal import Decimal

import pytest

from billing import services
from billing.models import AffiliateBillingProfile
from core.periods import network_today
from tests import factories
from tests.billing.pages import draft, issued

pytestmark = pytest.mark.django_db


@pytest.fixture
def affiliate():
    return factories.AffiliateFactory(name="Blue Coupons")


@pytest.fixture
def affiliate_client(client, affiliate):
    client.force_login(factories.MembershipFactory(affiliate=affiliate).user)
    return client


def test_an_affiliate_sees_its_issued_invoices_only(affiliate_client, affiliate):
    mine = issued(affiliate, "40.00")
    hidden_draft = draft(affiliate, "7.00", period=(date(2026, 11, 1), date(2026, 11, 30)))
    voided = draft(affiliate, "8.00", currency="EUR")
    services.invoice_void(invoice=voided, actor=factories.ManagerFactory())
    theirs = issued(factories.AffiliateFactory(), "55.00")

    response = affiliate_client.get("/affiliate/billing/")

    assert response.status_code == 200
    assert [invoice.pk for invoice in response.context["object_list"]] == [mine.pk]
    page = response.content.decode()
    assert mine.number in page
    assert theirs.number not in page
    assert f"/affiliate/billing/invoices/{hidden_draft.pk}/" not in page


def test_its_balance_is_issued_less_paid_per_currency(affiliate_client, affiliate):
    usd = issued(affiliate, "40.00")
    issued(affiliate, "12.00", currency="EUR")
    services.payment_record(
        party="affiliate",
        partner=affiliate,
        currency="USD",
        amount=Decimal("15.00"),
        paid_on=network_today(),
        method="paypal",
        reference="",
        invoices=[usd],
        actor=factories.ManagerFactory(),
    )

    response = affiliate_client.get("/affiliate/billing/")

    balances = {row["currency"]: row["balance"] for row in response.context["balances"]}
    assert balances == {"USD": Decimal("25.00"), "EUR": Decimal("12.00")}
    page = response.content.decode()
    assert "25.00 USD" in page
    assert "12.00 EUR" in page


def test_an_invoice_page_and_its_downloads(affiliate_client, affiliate):
    invoice = issued(affiliate, "40.00", "2.00")

    page = affiliate_client.get(f"/affiliate/billing/invoices/{invoice.pk}/").content.decode()
    pdf = affiliate_client.get(f"/affiliate/billing/invoices/{invoice.pk}/pdf/")
    csv = affiliate_client.get(f"/affiliate/billing/invoices/{invoice.pk}/csv/")

    assert "42.00 USD" in page
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert "40.00" in b"".join(csv.streaming_content).decode()


@pytest.mark.parametrize("suffix", ["", "pdf/", "csv/"])
def test_another_affiliates_invoice_and_its_own_draft_are_not_found(affiliate_client, affiliate, suffix):
    theirs = issued(factories.AffiliateFactory(), "55.00")
    own_draft = draft(affiliate, "7.00")

    assert affiliate_client.get(f"/affiliate/billing/invoices/{theirs.pk}/{suffix}").status_code == 404
    assert affiliate_client.get(f"/affiliate/billing/invoices/{own_draft.pk}/{suffix}").status_code == 404


def test_an_affiliate_sets_its_payment_method(affiliate_client, affiliate):
    assert affiliate_client.get("/affiliate/billing/payment-method/").status_code == 200

    response = affiliate_client.post(
        "/affiliate/billing/payment-method/", {"payment_method": "paypal", "payment_details": "pay@blue.example"}
    )

    assert response.status_code == 302
    profile = AffiliateBillingProfile.objects.get(affiliate=affiliate)
    assert (profile.payment_method, profile.payment_details) == ("paypal", "pay@blue.example")
    assert "pay@blue.example" in affiliate_client.get("/affiliate/billing/payment-method/").content.decode()


def test_the_payment_method_form_does_not_touch_what_managers_set(affiliate_client, affiliate):
    AffiliateBillingProfile.objects.create(affiliate=affiliate, frequency="weekly", minimum_payout=Decimal("75.00"))

    affiliate_client.post(
        "/affiliate/billing/payment-method/",
        {"payment_method": "check", "payment_details": "1 Main St", "minimum_payout": "0", "frequency": "manual"},
    )

    profile = AffiliateBillingProfile.objects.get(affiliate=affiliate)
    assert (profile.payment_method, profile.frequency, profile.minimum_payout) == ("check", "weekly", Decimal("75.00"))


def test_one_affiliate_never_sees_anothers_payment_details(affiliate_client):
    other = factories.AffiliateFactory()
    AffiliateBillingProfile.objects.create(affiliate=other, payment_method="paypal", payment_details="secret@other")

    for url in ("/affiliate/billing/", "/affiliate/billing/payment-method/"):
        assert "secret@other" not in affiliate_client.get(url).content.decode()


def test_a_bad_payment_method_is_refused(affiliate_client, affiliate):
    response = affiliate_client.post(
        "/affiliate/billing/payment-method/", {"payment_method": "bitcoin", "payment_details": "x"}
    )

    assert response.status_code == 400
    assert not AffiliateBillingProfile.objects.filter(affiliate=affiliate).exists()
