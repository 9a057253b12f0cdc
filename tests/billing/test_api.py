"""/api/v1/invoices/, /api/v1/payments/, /api/v1/billing-profiles/ (README.md, Billing): scoped by role (another
partner's invoice is 404), managers act through the services, bad input is a 400 with nothing stored."""

from datetime import date
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from billing.models import AffiliateBillingProfile, Invoice, Payment
from billing.services import invoice_issue, invoices_draft
from tests import factories
from tests.billing.conftest import conversion_at

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def billing_settings(settings):
    settings.TALLY_BILLING_MINIMUM_PAYOUT = Decimal("0")
    settings.TALLY_BILLING_DEFAULT_FREQUENCY = "monthly"


def client_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def books(manager):
    a, b = factories.AffiliateFactory.create_batch(2)
    offer = factories.OfferFactory()
    conversion_at("2025-03-03 10:00", offer=offer, affiliate=a, payout="10.00")
    conversion_at("2025-03-03 10:00", offer=offer, affiliate=b, payout="20.00")
    invoices_draft(today=date(2025, 4, 1))
    invoice_a = invoice_issue(invoice=Invoice.objects.get(affiliate=a), actor=manager)
    draft_b = Invoice.objects.get(affiliate=b)
    user_a = factories.MembershipFactory(affiliate=a).user
    return {"a": a, "b": b, "invoice_a": invoice_a, "draft_b": draft_b, "user_a": user_a}


def test_an_affiliate_sees_only_its_own_issued_invoices(books):
    client = client_for(books["user_a"])
    listed = client.get("/api/v1/invoices/").json()["results"]
    assert [row["id"] for row in listed] == [books["invoice_a"].pk]
    assert listed[0]["total"] == "10.00" and listed[0]["lines"][0]["count"] == 1
    assert client.get(f"/api/v1/invoices/{books['draft_b'].pk}/").status_code == 404
    assert client.post(f"/api/v1/invoices/{books['invoice_a'].pk}/void/").status_code == 403


def test_a_manager_adjusts_and_issues_a_draft(books, manager):
    client = client_for(manager)
    url = f"/api/v1/invoices/{books['draft_b'].pk}/"
    assert client.post(url + "adjustments/", {"amount": "abc", "reason": "x"}, format="json").status_code == 400
    assert client.post(url + "adjustments/", {"amount": "-1.005", "reason": "x"}, format="json").status_code == 400
    response = client.post(url + "adjustments/", {"amount": "-2.50", "reason": "Fee"}, format="json")
    assert response.status_code == 200 and response.json()["amount"] == "17.50"
    issued = client.post(url + "issue/", format="json")
    assert issued.status_code == 200 and issued.json()["total"] == "17.50"
    again = client.post(url + "issue/", format="json")
    assert again.status_code == 400 and "issued" in str(again.json())


def test_payments_are_refused_when_larger_than_owed_or_negative(books, manager):
    client = client_for(manager)
    body = {
        "party": "affiliate",
        "affiliate": books["a"].pk,
        "currency": "USD",
        "paid_on": "2025-04-10",
        "method": "paypal",
        "reference": "PP-9",
        "invoices": [books["invoice_a"].pk],
    }
    assert client.post("/api/v1/payments/", {**body, "amount": "10.01"}, format="json").status_code == 400
    assert client.post("/api/v1/payments/", {**body, "amount": "-1.00"}, format="json").status_code == 400
    assert client.post("/api/v1/payments/", {**body, "amount": "1e999"}, format="json").status_code == 400
    assert not Payment.objects.exists()
    response = client.post("/api/v1/payments/", {**body, "amount": "10.00"}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["allocations"] == [{"invoice": books["invoice_a"].pk, "amount": "10.00"}]
    assert Invoice.objects.get(pk=books["invoice_a"].pk).status == "paid"
    listed = client_for(books["user_a"]).get("/api/v1/payments/").json()["results"]
    assert [row["amount"] for row in listed] == ["10.00"]


def test_an_affiliate_changes_its_payment_method_but_not_its_minimum(books):
    profile = AffiliateBillingProfile.objects.create(affiliate=books["a"])
    other = AffiliateBillingProfile.objects.create(affiliate=books["b"])
    client = client_for(books["user_a"])
    url = f"/api/v1/billing-profiles/{profile.pk}/"
    response = client.patch(url, {"payment_method": "wire", "payment_details": "IBAN DE00"}, format="json")
    assert response.status_code == 200
    assert client.patch(url, {"minimum_payout": "0.00"}, format="json").status_code == 400
    assert (
        client.patch(f"/api/v1/billing-profiles/{other.pk}/", {"payment_method": "wire"}, format="json").status_code
        == 404
    )
    profile.refresh_from_db()
    assert (profile.payment_method, profile.payment_details, profile.minimum_payout) == ("wire", "IBAN DE00", None)


def test_advertiser_billing_terms_are_the_managers_to_change(manager):
    from billing.models import AdvertiserBillingProfile

    x, y = factories.AdvertiserFactory.create_batch(2)
    own = AdvertiserBillingProfile.objects.create(advertiser=x)
    other = AdvertiserBillingProfile.objects.create(advertiser=y)
    user_x = factories.MembershipFactory(advertiser=x).user
    client = client_for(user_x)
    assert client.get(f"/api/v1/advertiser-billing-profiles/{own.pk}/").json()["terms_days"] == 30
    assert client.get(f"/api/v1/advertiser-billing-profiles/{other.pk}/").status_code == 404
    url = f"/api/v1/advertiser-billing-profiles/{own.pk}/"
    assert client.patch(url, {"terms_days": 90}, format="json").status_code == 403
    response = client_for(manager).patch(url, {"terms_days": 45, "billing_email": "ap@x.example"}, format="json")
    assert response.status_code == 200
    assert client_for(manager).patch(url, {"terms_days": -1}, format="json").status_code == 400
    own.refresh_from_db()
    assert (own.terms_days, own.billing_email) == (45, "ap@x.example")
