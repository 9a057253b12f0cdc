"""Paying an affiliate in a real browser: a manager reviews the month's draft, adds an adjustment, issues it and
records the payment; the affiliate then finds the invoice, downloads its PDF and sees nothing left to pay. Each new
billing page is also photographed at a desktop (1366 px) and a phone (390 px) width."""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from billing import services
from billing.models import AffiliateBillingProfile, Invoice, Payment
from core.periods import network_today
from tests import factories
from tests.billing.pages import draft, issued

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery"
WIDTHS = {"desktop": 1366, "phone": 390}


@pytest.fixture
def books(transactional_db, settings):
    settings.TALLY_BILLING_MINIMUM_PAYOUT = Decimal("50.00")
    manager = factories.ManagerFactory(username="nina")
    affiliate = factories.AffiliateFactory(name="Blue Coupons")
    factories.MembershipFactory(affiliate=affiliate, user__username="blue")
    AffiliateBillingProfile.objects.create(
        affiliate=affiliate, payment_method="paypal", payment_details="payouts@blue.example"
    )
    invoice = draft(affiliate, "120.00", "30.00", period=(date(2026, 10, 1), date(2026, 10, 31)))
    return {"manager": manager, "affiliate": affiliate, "invoice": invoice}


def sign_in(page, base, username):
    page.goto(f"{base}/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def sign_out(page):
    page.context.clear_cookies()


def test_a_manager_pays_an_affiliate_and_the_affiliate_sees_it_settled(page, live_server, books, screenshot):
    base = live_server.url
    invoice = books["invoice"]
    page.on("dialog", lambda dialog: dialog.accept())  # "Issue this invoice?": yes
    page.set_viewport_size({"width": 1366, "height": 900})

    # --- the manager reviews the draft -------------------------------------------------------------------------
    sign_in(page, base, "nina")
    page.get_by_role("link", name="Billing", exact=True).click()
    expect(page.get_by_role("heading", name="Drafts to review")).to_be_visible()
    page.get_by_role("link", name=f"Draft #{invoice.pk}").click()
    expect(page.get_by_role("heading", name=re.compile(f"Draft invoice #{invoice.pk}"))).to_be_visible()
    expect(page.locator("tfoot")).to_contain_text("150.00 USD")

    # --- a refused adjustment keeps the form, then a good one -------------------------------------------------
    page.get_by_label("Amount").fill("-10.00")
    page.get_by_role("button", name="Add adjustment").click()
    expect(page.locator(".has-error")).to_contain_text("This field is required")
    page.get_by_label("Amount").fill("-10.00")
    page.get_by_label("Reason").fill("Chargeback on order 8812")
    page.get_by_role("button", name="Add adjustment").click()
    expect(page.locator(".messages")).to_contain_text("Adjustment of -10.00 USD added")
    expect(page.locator("tfoot")).to_contain_text("140.00 USD")
    lines = page.locator("section", has=page.get_by_role("heading", name="Lines", exact=True))
    expect(lines.get_by_role("row", name=re.compile("Adjustment"))).to_contain_text("Chargeback on order 8812")

    # --- issue it ---------------------------------------------------------------------------------------------
    page.get_by_role("button", name="Issue", exact=True).click()
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.ISSUED
    expect(page.locator(".messages")).to_contain_text(f"Invoice {invoice.number} issued: 140.00 USD")
    expect(page.get_by_role("button", name="Issue", exact=True)).to_have_count(0)
    expect(page.get_by_role("button", name="Add adjustment")).to_have_count(0)

    # --- record the payment from the to-pay list -------------------------------------------------------------
    page.get_by_role("link", name="Billing", exact=True).click()
    page.get_by_role("link", name="To pay").click()
    row = page.get_by_role("row", name=re.compile("Blue Coupons"))
    expect(row).to_contain_text("140.00 USD")
    expect(row).to_contain_text("payouts@blue.example")
    row.get_by_role("link", name="Record payment").click()
    expect(page.get_by_label("Amount")).to_have_value("140.00")
    page.get_by_label("Amount").fill("150.00")
    page.get_by_label("Reference").fill("PP-7781")
    page.get_by_role("button", name="Record payment").click()
    expect(page.locator(".messages")).to_contain_text("(overpayment)")
    expect(page.get_by_label("Reference")).to_have_value("PP-7781")
    assert not Payment.objects.exists()
    page.get_by_label("Amount").fill("140.00")
    page.get_by_role("button", name="Record payment").click()
    expect(page.locator(".messages")).to_contain_text("Payment of 140.00 USD to Blue Coupons recorded")
    expect(page.get_by_role("cell", name="PP-7781")).to_be_visible()
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.PAID
    page.get_by_role("link", name="To pay").click()
    expect(page.get_by_text("Nothing to pay")).to_be_visible()
    sign_out(page)

    # --- the affiliate sees it ------------------------------------------------------------------------------------
    sign_in(page, base, "blue")
    page.get_by_role("link", name="Invoices", exact=True).click()
    row = page.get_by_role("row", name=re.compile(invoice.number))
    expect(row).to_contain_text("Paid")
    expect(row).to_contain_text("140.00 USD")
    expect(page.locator('[data-balance="USD"]')).to_contain_text("0.00 USD")
    with page.expect_download() as download_info:
        row.get_by_role("link", name="PDF").click()
    download = download_info.value
    assert download.suggested_filename == f"invoice-{invoice.number}.pdf"
    with open(download.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"


@pytest.fixture
def full_books(books):
    """Something on every billing page: an issued and a paid invoice, an overdue advertiser invoice, a payment."""
    manager, affiliate = books["manager"], books["affiliate"]
    settled = issued(affiliate, "75.00", period=(date(2026, 9, 1), date(2026, 9, 30)), actor=manager)
    services.payment_record(
        party="affiliate",
        partner=affiliate,
        currency="USD",
        amount=Decimal("75.00"),
        paid_on=network_today(),
        method="paypal",
        reference="PP-1001",
        invoices=[settled],
        actor=manager,
    )
    issued(affiliate, "64.20", period=(date(2026, 8, 1), date(2026, 8, 31)), actor=manager)
    advertiser = factories.AdvertiserFactory(name="Acme Shop")
    factories.MembershipFactory(advertiser=advertiser, user__username="acme")
    late = issued(advertiser, "1250.00", period=(date(2026, 9, 1), date(2026, 9, 30)), actor=manager)
    Invoice.objects.filter(pk=late.pk).update(due_date=network_today() - timedelta(days=12))
    issued(advertiser, "980.00", period=(date(2026, 10, 1), date(2026, 10, 31)), actor=manager)
    return {**books, "advertiser": advertiser, "late": late}


def test_every_billing_page_at_desktop_and_phone_width(page, live_server, full_books, screenshot):
    base = live_server.url
    invoice, affiliate, advertiser = full_books["invoice"], full_books["affiliate"], full_books["advertiser"]
    pages = {
        "nina": {
            "drafts": "/manage/billing/",
            "draft": f"/manage/billing/invoices/{invoice.pk}/",
            "invoices": "/manage/billing/invoices/",
            "to-pay": "/manage/billing/to-pay/",
            "payment-form": f"/manage/billing/payments/new/?affiliate={affiliate.pk}&currency=USD",
            "payments": "/manage/billing/payments/",
            "overdue": "/manage/billing/overdue/",
            "overdue-invoice": f"/manage/billing/invoices/{full_books['late'].pk}/",
            "affiliate-profile": f"/manage/affiliates/{affiliate.pk}/billing/",
            "advertiser-profile": f"/manage/advertisers/{advertiser.pk}/billing/",
            "dashboard": "/manage/",
        },
        "blue": {
            "affiliate-invoices": "/affiliate/billing/",
            "affiliate-invoice": None,
            "affiliate-payment-method": "/affiliate/billing/payment-method/",
        },
        "acme": {"advertiser-invoices": "/advertiser/billing/"},
    }
    first_paid = Invoice.objects.filter(affiliate=affiliate, status=Invoice.Status.PAID).first()
    pages["blue"]["affiliate-invoice"] = f"/affiliate/billing/invoices/{first_paid.pk}/"
    too_wide = []
    for username, urls in pages.items():
        sign_in(page, base, username)
        for name, url in urls.items():
            for label, width in WIDTHS.items():
                page.set_viewport_size({"width": width, "height": 900})
                response = page.goto(f"{base}{url}")
                assert response.status == 200, url
                # Nothing sticks out sideways: a phone scrolls tables inside their box, never the page.
                overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
                if overflow > 0:
                    too_wide.append(f"{url} at {width} px is {overflow} px too wide")
                screenshot(page, f"billing-{name}-{label}")
        sign_out(page)
    assert too_wide == []
