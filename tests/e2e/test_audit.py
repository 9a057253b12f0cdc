"""The audit trail in a real browser: a manager edits an offer's payout and finds the change, with their name and
address, in the offer's History and on the audit trail page (screenshots at 1366 and 390 px wide)."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from audit.models import AuditEntry
from tests import factories

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery"


def test_a_manager_edits_an_offer_payout_and_sees_it_in_the_history(page, live_server, screenshot):
    factories.ManagerFactory(username="nina")
    offer = factories.OfferFactory(name="Spring Sale", payout=Decimal("2.00"))
    base = live_server.url

    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{base}/login/?next=/manage/offers/{offer.pk}/")
    page.get_by_label("Username").fill("nina")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    history = page.locator("#history")
    expect(history).to_contain_text("No recorded changes yet.")

    page.get_by_role("link", name="Edit", exact=True).click()
    page.locator("#id_payout").fill("3.40")
    page.get_by_role("button", name="Save offer").click()

    expect(page.get_by_role("heading", name="Spring Sale")).to_be_visible()
    row = history.locator("tbody tr").first
    expect(row).to_contain_text("nina")
    expect(row).to_contain_text("127.0.0.1")
    expect(row.locator("li", has_text="payout")).to_contain_text("2.00 → 3.40")
    history.scroll_into_view_if_needed()
    screenshot(page, "audit-offer-history-1366")
    entry = AuditEntry.objects.get(object_type="offers.offer", object_id=str(offer.pk))
    assert {"field": "payout", "old": "2.00", "new": "3.40"} in entry.changes

    page.get_by_role("link", name="Open in the audit trail").click()
    expect(page.get_by_role("heading", name="Audit trail")).to_be_visible()
    expect(page.locator("tbody tr")).to_have_count(1)
    expect(page.locator("tbody")).to_contain_text("Spring Sale")
    screenshot(page, "audit-list-1366")

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{base}/manage/audit/")
    screenshot(page, "audit-list-390")
    page.goto(f"{base}/manage/offers/{offer.pk}/#history")
    screenshot(page, "audit-offer-history-390")
