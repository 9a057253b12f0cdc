"""The drafting job (README.md, Billing): invoices per partner, currency and closed period of network days, from
approved conversions on no invoice yet, equal to what the reports show; late rejections and approvals; the
minimum payout; idempotence."""

import random
from datetime import date, timedelta
from decimal import Decimal

import pytest

from billing.models import Invoice, InvoiceConversion, InvoiceLine
from billing.services import invoice_issue, invoices_draft
from core.periods import day_start
from reports.selectors import report_rows
from reports.services import rollups_refresh
from tests import factories
from tests.billing.conftest import conversion_at, set_status_at

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_minimum(settings):
    settings.TALLY_BILLING_MINIMUM_PAYOUT = Decimal("0")
    settings.TALLY_BILLING_DEFAULT_FREQUENCY = "monthly"


def affiliate_invoices(affiliate, currency=None):
    invoices = Invoice.objects.filter(party="affiliate", affiliate=affiliate).exclude(status="void")
    return invoices.filter(currency=currency) if currency else invoices


@pytest.mark.parametrize("zone", ["UTC", "Asia/Kolkata", "America/Los_Angeles"])
@pytest.mark.parametrize("frequency", ["monthly", "weekly", "semimonthly"])
def test_invoice_totals_equal_the_approved_payout_the_reports_show(settings, manager, zone, frequency):
    settings.TALLY_NETWORK_TIME_ZONE = zone
    settings.TALLY_BILLING_DEFAULT_FREQUENCY = frequency
    rng = random.Random(f"{zone}-{frequency}")
    affiliates = factories.AffiliateFactory.create_batch(3)
    offers = [factories.OfferFactory(currency=currency) for currency in ("USD", "EUR", "USD", "GBP")]
    goals = [factories.GoalFactory(offer=offers[0]), None]
    first = date(2025, 3, 1)
    for _ in range(160):
        offer = rng.choice(offers)
        instant = day_start(first) + timedelta(minutes=rng.randrange(60 * 24 * 61))  # March and April, network days
        conversion_at(
            instant,
            offer=offer,
            affiliate=rng.choice(affiliates),
            goal=rng.choice(goals) if offer == offers[0] else None,
            payout=Decimal(rng.randrange(1, 5000)) / 100,
            status=rng.choice(["approved", "approved", "approved", "pending", "rejected"]),
        )
    # The job runs on the days periods close (and some others) over the two months and after (each run drafts the
    # last closed period), until every period of March and April is closed.
    day = first
    while day <= date(2025, 5, 8):
        if day.day in (1, 2, 16) or day.weekday() == 0 or rng.random() < 0.1:
            invoices_draft(today=day)
        day += timedelta(days=1)
    rollups_refresh()

    invoices = list(Invoice.objects.filter(party="affiliate"))
    assert invoices
    compared = 0
    for invoice in invoices:
        rows = report_rows(
            user=manager,
            group_by="affiliate",
            date_from=invoice.period_start,
            date_to=invoice.period_end,
            filters={"affiliate": invoice.affiliate},
        )
        reported = sum((row.payout for row in rows if row.currency == invoice.currency), Decimal("0"))
        assert invoice.lines_total() == reported, (invoice.period_start, invoice.period_end, invoice.currency)
        compared += 1
    # Every approved payout is on exactly one invoice, nothing else is.
    totals = {}
    for invoice in invoices:
        key = (invoice.affiliate_id, invoice.currency)
        totals[key] = totals.get(key, Decimal("0")) + invoice.lines_total()
    rows = report_rows(user=manager, group_by="affiliate", date_from=first, date_to=date(2025, 5, 8))
    assert totals == {(row.key, row.currency): row.payout for row in rows if row.payout}
    assert compared == len(invoices)


def test_a_draft_has_a_line_per_offer_and_goal_with_count_and_payout(affiliate):
    offer = factories.OfferFactory()
    goal = factories.GoalFactory(offer=offer)
    conversion_at("2025-03-03 10:00", offer=offer, affiliate=affiliate, payout="5.00")
    conversion_at("2025-03-04 10:00", offer=offer, affiliate=affiliate, payout="5.00")
    conversion_at("2025-03-05 10:00", offer=offer, affiliate=affiliate, goal=goal, payout="2.50")
    conversion_at("2025-03-06 10:00", offer=offer, affiliate=affiliate, payout="9.00", status="pending")

    assert invoices_draft(today=date(2025, 4, 1)) == 2  # the affiliate's draft and the advertiser's

    invoice = Invoice.objects.filter(party="affiliate").get()
    assert (invoice.currency, invoice.period_start, invoice.period_end) == ("USD", date(2025, 3, 1), date(2025, 3, 31))
    lines = {(line.goal_id, line.count, line.amount) for line in invoice.lines.all()}
    assert lines == {(None, 2, Decimal("10.00")), (goal.pk, 1, Decimal("2.50"))}
    assert invoice.lines_total() == Decimal("12.50")


def test_running_the_job_twice_makes_nothing_twice(affiliate):
    offer = factories.OfferFactory()
    for day in range(1, 6):
        conversion_at(f"2025-03-0{day} 10:00", offer=offer, affiliate=affiliate)
    invoices_draft(today=date(2025, 4, 1))
    invoices_draft(today=date(2025, 4, 1))
    invoices_draft(today=date(2025, 4, 2))

    invoice = Invoice.objects.filter(party="affiliate").get()
    assert invoice.conversion_links.count() == 5
    assert invoice.lines.count() == 1
    assert invoice.lines_total() == Decimal("25.00")


def test_an_open_period_is_not_drafted(affiliate):
    conversion_at("2025-03-20 10:00", offer=factories.OfferFactory(), affiliate=affiliate)
    assert invoices_draft(today=date(2025, 3, 31)) == 0
    assert not Invoice.objects.exists()


def test_a_manual_frequency_is_never_drafted_by_the_job(affiliate):
    from billing.models import AffiliateBillingProfile

    AffiliateBillingProfile.objects.create(affiliate=affiliate, frequency="manual")
    conversion_at("2025-03-20 10:00", offer=factories.OfferFactory(), affiliate=affiliate)
    invoices_draft(today=date(2025, 5, 1))
    assert not Invoice.objects.filter(party="affiliate").exists()


def test_a_conversion_rejected_after_its_invoice_was_issued_is_reversed_once_on_the_next_draft(affiliate, manager):
    offer = factories.OfferFactory()
    rejected = conversion_at("2025-03-03 10:00", offer=offer, affiliate=affiliate, payout="7.00")
    conversion_at("2025-03-04 10:00", offer=offer, affiliate=affiliate, payout="5.00")
    invoices_draft(today=date(2025, 4, 1))
    march = invoice_issue(invoice=Invoice.objects.filter(party="affiliate").get(), actor=manager)
    assert march.total == Decimal("12.00")

    set_status_at(rejected, "rejected", "2025-04-10 09:00", user=manager)
    conversion_at("2025-04-11 10:00", offer=offer, affiliate=affiliate, payout="20.00")
    invoices_draft(today=date(2025, 5, 1))
    invoices_draft(today=date(2025, 5, 2))

    march.refresh_from_db()
    assert march.status == "issued" and march.total == Decimal("12.00") and march.lines_total() == Decimal("12.00")
    april = Invoice.objects.filter(party="affiliate").get(status="draft")
    reversal = april.lines.get(kind=InvoiceLine.Kind.REVERSAL)
    assert (reversal.count, reversal.amount) == (1, Decimal("-7.00"))
    assert april.lines_total() == Decimal("13.00")
    assert InvoiceConversion.objects.filter(conversion=rejected, party="affiliate", kind="reversal").count() == 1


def test_a_rejection_before_issue_just_leaves_the_draft(affiliate, manager):
    offer = factories.OfferFactory()
    conversion = conversion_at("2025-03-03 10:00", offer=offer, affiliate=affiliate, payout="7.00")
    conversion_at("2025-03-04 10:00", offer=offer, affiliate=affiliate, payout="5.00")
    invoices_draft(today=date(2025, 4, 1))
    set_status_at(conversion, "rejected", "2025-04-02 09:00", user=manager)

    invoice = invoice_issue(invoice=Invoice.objects.filter(party="affiliate").get(), actor=manager)

    assert invoice.total == Decimal("5.00")
    assert not InvoiceConversion.objects.filter(conversion=conversion, party="affiliate").exists()


def test_a_conversion_approved_late_lands_on_the_invoice_of_the_period_it_was_approved_in(affiliate, manager):
    offer = factories.OfferFactory()
    late = conversion_at("2025-03-30 10:00", offer=offer, affiliate=affiliate, payout="9.00", status="pending")
    conversion_at("2025-03-04 10:00", offer=offer, affiliate=affiliate, payout="5.00")
    set_status_at(late, "approved", "2025-04-03 12:00", user=manager)

    invoices_draft(today=date(2025, 4, 5))
    march = Invoice.objects.filter(party="affiliate").get()
    assert march.lines_total() == Decimal("5.00")
    invoice_issue(invoice=march, actor=manager)

    invoices_draft(today=date(2025, 5, 1))
    april = Invoice.objects.filter(party="affiliate").get(period_start=date(2025, 4, 1))
    assert april.lines_total() == Decimal("9.00")
    assert april.conversion_links.get().conversion_id == late.pk


def test_below_the_minimum_payout_the_draft_rolls_into_the_next_period(settings, affiliate, manager):
    settings.TALLY_BILLING_MINIMUM_PAYOUT = Decimal("50.00")
    offer = factories.OfferFactory()
    conversion_at("2025-03-03 10:00", offer=offer, affiliate=affiliate, payout="30.00")
    invoices_draft(today=date(2025, 4, 1))
    draft = Invoice.objects.filter(party="affiliate").get()
    from billing.services import BillingError

    with pytest.raises(BillingError) as refused:
        invoice_issue(invoice=draft, actor=manager)
    assert refused.value.code == "below_minimum"

    conversion_at("2025-04-03 10:00", offer=offer, affiliate=affiliate, payout="25.00")
    invoices_draft(today=date(2025, 5, 1))

    draft = Invoice.objects.filter(party="affiliate").get()  # the same draft, now covering both months
    assert (draft.period_start, draft.period_end) == (date(2025, 3, 1), date(2025, 4, 30))
    assert draft.lines_total() == Decimal("55.00")
    assert invoice_issue(invoice=draft, actor=manager).total == Decimal("55.00")


def test_changing_an_offers_payout_never_changes_an_issued_invoice(affiliate, manager):
    offer = factories.OfferFactory(payout=Decimal("5.00"))
    conversion_at("2025-03-03 10:00", offer=offer, affiliate=affiliate, payout="5.00")
    invoices_draft(today=date(2025, 4, 1))
    invoice = invoice_issue(invoice=Invoice.objects.filter(party="affiliate").get(), actor=manager)
    offer.payout = Decimal("50.00")
    offer.name = "Renamed"
    offer.save()
    invoices_draft(today=date(2025, 5, 1))

    invoice.refresh_from_db()
    assert invoice.total == Decimal("5.00")
    line = invoice.lines.get()
    assert line.amount == Decimal("5.00") and line.description != "Renamed"


def test_each_currency_gets_its_own_invoice(affiliate):
    conversion_at("2025-03-03 10:00", offer=factories.OfferFactory(currency="USD"), affiliate=affiliate)
    conversion_at("2025-03-03 11:00", offer=factories.OfferFactory(currency="EUR"), affiliate=affiliate)
    invoices_draft(today=date(2025, 4, 1))
    assert sorted(Invoice.objects.filter(party="affiliate").values_list("currency", flat=True)) == ["EUR", "USD"]


def test_a_manager_drafts_a_manual_affiliate_up_to_yesterday(affiliate, manager):
    from billing.models import AffiliateBillingProfile
    from billing.services import BillingError, invoice_draft_now

    AffiliateBillingProfile.objects.create(affiliate=affiliate, frequency="manual")
    offer = factories.OfferFactory()
    conversion_at("2025-03-03 10:00", offer=offer, affiliate=affiliate, payout="4.00")
    conversion_at("2025-03-09 10:00", offer=offer, affiliate=affiliate, payout="6.00")

    draft = invoice_draft_now(party="affiliate", partner=affiliate, currency="USD", today=date(2025, 3, 9))
    assert (draft.period_start, draft.period_end, draft.lines_total()) == (
        date(2025, 3, 3),
        date(2025, 3, 8),
        Decimal("4.00"),
    )
    invoice_issue(invoice=draft, actor=manager)
    with pytest.raises(BillingError) as refused:
        invoice_draft_now(party="affiliate", partner=affiliate, currency="USD", today=date(2025, 3, 9))
    assert refused.value.code == "nothing_to_draft"
    later = invoice_draft_now(party="affiliate", partner=affiliate, currency="USD", today=date(2025, 3, 12))
    assert (later.period_start, later.lines_total()) == (date(2025, 3, 9), Decimal("6.00"))
