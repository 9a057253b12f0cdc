"""The advertiser's invoices page: its own issued invoices with their due dates, each as PDF; nothing of another
advertiser's, no drafts."""

import pytest

from tests import factories
from tests.billing.pages import draft, issued

pytestmark = pytest.mark.django_db


@pytest.fixture
def advertiser():
    return factories.AdvertiserFactory(name="Acme Shop")


@pytest.fixture
def advertiser_client(client, advertiser):
    client.force_login(factories.MembershipFactory(advertiser=advertiser).user)
    return client


def test_an_advertiser_sees_its_invoices_with_their_due_dates(advertiser_client, advertiser):
    mine = issued(advertiser, "300.00")
    own_draft = draft(advertiser, "5.00", currency="EUR")
    theirs = issued(factories.AdvertiserFactory(), "800.00")

    response = advertiser_client.get("/advertiser/billing/")

    assert response.status_code == 200
    assert [invoice.pk for invoice in response.context["object_list"]] == [mine.pk]
    page = response.content.decode()
    assert mine.number in page
    assert "300.00 USD" in page
    assert mine.due_date.isoformat() in page
    assert theirs.number not in page
    assert f"/advertiser/billing/invoices/{own_draft.pk}/pdf/" not in page


def test_its_invoice_downloads_as_pdf_and_anothers_is_not_found(advertiser_client, advertiser):
    mine = issued(advertiser, "300.00")
    theirs = issued(factories.AdvertiserFactory(), "800.00")

    pdf = advertiser_client.get(f"/advertiser/billing/invoices/{mine.pk}/pdf/")

    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert advertiser_client.get(f"/advertiser/billing/invoices/{theirs.pk}/pdf/").status_code == 404


def test_affiliates_cannot_open_the_advertisers_invoices(client, affiliate_user):
    client.force_login(affiliate_user)
    assert client.get("/advertiser/billing/").status_code == 403
