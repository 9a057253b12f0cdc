"""Every report metric (README.md, Reports) on hand-made data, read through the rollups."""

from datetime import date
from decimal import Decimal

import pytest

from conversions.models import Conversion
from offers.models import PayoutType
from reports.selectors import METRICS, ReportRow, report_columns, report_daily_series, report_totals
from tests import factories
from tests.reports.conftest import DAY, click_at, conversion_at, report

pytestmark = pytest.mark.django_db

APPROVED, PENDING, REJECTED = Conversion.Status.APPROVED, Conversion.Status.PENDING, Conversion.Status.REJECTED


def only(rows):
    assert len(rows) == 1, rows
    return rows[0]


def test_clicks_and_unique_clicks_are_counted_per_offer(manager):
    offer = factories.OfferFactory()
    for n in range(3):
        click_at(f"2025-03-10 0{n}:00", offer=offer, is_unique=n == 0)

    row = only(report(manager, "offer"))

    assert (row.key, row.label, row.clicks, row.unique_clicks) == (offer.pk, offer.name, 3, 1)


def test_conversions_count_approved_only_and_pending_and_rejected_have_their_own_columns(manager):
    click = click_at("2025-03-10 10:00")
    conversion_at("2025-03-10 11:00", click=click, status=APPROVED, payout=Decimal("5.00"), revenue=Decimal("8.00"))
    conversion_at("2025-03-10 11:00", click=click, status=PENDING, payout=Decimal("5.00"), revenue=Decimal("8.00"))
    conversion_at("2025-03-10 11:00", click=click, status=PENDING, payout=Decimal("5.00"), revenue=Decimal("8.00"))
    conversion_at("2025-03-10 11:00", click=click, status=REJECTED, payout=Decimal("5.00"), revenue=Decimal("8.00"))

    row = only(report(manager, "affiliate"))

    assert (row.clicks, row.conversions, row.pending, row.rejected) == (1, 1, 2, 1)
    # Money counts approved conversions only.
    assert (row.payout, row.revenue, row.profit) == (Decimal("5.00"), Decimal("8.00"), Decimal("3.00"))


def test_cr_epc_and_rpc_are_divided_by_clicks_and_rounded(manager):
    offer = factories.OfferFactory()
    clicks = [click_at("2025-03-10 09:00", offer=offer) for _ in range(3)]
    conversion_at("2025-03-10 12:00", click=clicks[0], payout=Decimal("1.00"), revenue=Decimal("2.00"))

    row = only(report(manager, "offer"))

    assert row.cr == Decimal("33.33")  # 1 ÷ 3 × 100
    assert row.epc == Decimal("0.3333")  # 1.00 ÷ 3
    assert row.rpc == Decimal("0.6667")  # 2.00 ÷ 3
    assert row.profit == Decimal("1.00")


def test_a_row_with_zero_clicks_has_blank_ratios_not_a_division_error(manager):
    offer = factories.OfferFactory()
    # A partner-ID conversion has no click at all.
    conversion_at("2025-03-10 12:00", click=None, offer=offer, affiliate=factories.AffiliateFactory())

    row = only(report(manager, "offer"))

    assert (row.clicks, row.conversions) == (0, 1)
    assert (row.cr, row.epc, row.rpc) == (None, None, None)
    assert (row.payout, row.revenue, row.profit) == (Decimal("5.00"), Decimal("8.00"), Decimal("3.00"))


def test_an_empty_range_has_no_rows_and_no_totals(manager):
    click_at("2025-03-09 12:00")

    assert report(manager, "offer") == []
    assert report_totals([]) == []


def test_percent_payouts_from_real_postbacks_add_up_to_the_cent(client, manager):
    offer = factories.OfferFactory(
        payout_type=PayoutType.CPS_PERCENT,
        payout=Decimal("7.5"),
        revenue_type=PayoutType.CPS_PERCENT,
        revenue=Decimal("12.5"),
    )
    for amount in ("19.99", "0.07", "1234.55"):
        click = factories.ClickFactory(offer=offer)
        response = client.get(
            "/postback",
            {"transaction_id": click.transaction_id, "amount": amount, "security_token": factories.SECURITY_TOKEN},
        )
        assert response.status_code == 200, response.content
    day = Conversion.objects.first().created_at.date()

    row = only(report(manager, "offer", date_from=day, date_to=day))

    # 7.5 %: 1.49925 → 1.50, 0.00525 → 0.01, 92.59125 → 92.59; 12.5 %: 2.49875 → 2.50, 0.00875 → 0.01,
    # 154.31875 → 154.32 (each conversion rounded half up, then summed).
    assert row.payout == Decimal("94.10")
    assert row.revenue == Decimal("156.83")
    assert row.profit == Decimal("62.73")
    assert row.conversions == 3


def test_conversions_of_several_goals_all_count_with_each_goals_money(manager):
    offer = factories.OfferFactory(payout=Decimal("5.00"), revenue=Decimal("8.00"))
    signup = factories.GoalFactory(offer=offer, payout=Decimal("1.25"), revenue=Decimal("2.00"))
    deposit = factories.GoalFactory(offer=offer, payout=Decimal("20.00"), revenue=Decimal("30.00"))
    click = click_at("2025-03-10 08:00", offer=offer)
    conversion_at("2025-03-10 08:05", click=click, goal=None, payout=Decimal("5.00"), revenue=Decimal("8.00"))
    conversion_at("2025-03-10 08:06", click=click, goal=signup, payout=Decimal("1.25"), revenue=Decimal("2.00"))
    conversion_at("2025-03-10 08:07", click=click, goal=deposit, payout=Decimal("20.00"), revenue=Decimal("30.00"))
    conversion_at(
        "2025-03-10 08:08", click=click, goal=deposit, status=PENDING, payout=Decimal("20"), revenue=Decimal("30")
    )

    row = only(report(manager, "offer"))

    assert (row.clicks, row.conversions, row.pending) == (1, 3, 1)
    assert (row.payout, row.revenue) == (Decimal("26.25"), Decimal("40.00"))
    assert row.cr == Decimal("300.00")


def test_rows_by_advertiser_add_up_the_offers_of_each_advertiser(manager):
    first, second = factories.AdvertiserFactory(name="Alpha"), factories.AdvertiserFactory(name="Beta")
    for advertiser, count in ((first, 2), (second, 1)):
        for _ in range(count):
            click_at("2025-03-10 10:00", offer=factories.OfferFactory(advertiser=advertiser))

    rows = report(manager, "advertiser", sort="label")

    assert [(row.label, row.clicks) for row in rows] == [("Alpha", 2), ("Beta", 1)]


def test_rows_are_sorted_by_any_column_with_blanks_last(manager):
    quiet, busy, no_clicks = (factories.OfferFactory(name=n) for n in ("Quiet", "Busy", "No clicks"))
    conversion_at("2025-03-10 10:00", click=click_at("2025-03-10 10:00", offer=quiet))
    for _ in range(3):
        click_at("2025-03-10 10:00", offer=busy)
    conversion_at("2025-03-10 10:00", click=None, offer=no_clicks, affiliate=factories.AffiliateFactory())

    assert [r.label for r in report(manager, "offer")] == ["Busy", "Quiet", "No clicks"]  # default: -clicks
    assert [r.label for r in report(manager, "offer", sort="clicks")] == ["No clicks", "Quiet", "Busy"]
    assert [r.label for r in report(manager, "offer", sort="-cr")] == ["Quiet", "Busy", "No clicks"]
    assert [r.label for r in report(manager, "offer", sort="label")] == ["Busy", "No clicks", "Quiet"]
    with pytest.raises(ValueError, match="cannot sort"):
        report(manager, "offer", sort="password")


def test_totals_add_counts_and_money_and_recompute_ratios_from_the_sums(manager):
    a, b = factories.OfferFactory(), factories.OfferFactory()
    for _ in range(3):
        click_at("2025-03-10 10:00", offer=a)
    click = click_at("2025-03-10 10:00", offer=b)
    conversion_at("2025-03-10 10:00", click=click, payout=Decimal("4.00"), revenue=Decimal("10.00"))

    (total,) = report_totals(report(manager, "offer"))

    assert (total.clicks, total.conversions, total.payout, total.revenue) == (4, 1, Decimal("4.00"), Decimal("10.00"))
    assert total.cr == Decimal("25.00")  # not the average of 0 % and 100 %
    assert (total.epc, total.rpc, total.profit) == (Decimal("1.0000"), Decimal("2.5000"), Decimal("6.00"))


def test_money_in_different_currencies_is_never_added_together(manager):
    affiliate = factories.AffiliateFactory()
    usd, eur = factories.OfferFactory(currency="USD"), factories.OfferFactory(currency="EUR")
    conversion_at("2025-03-10 10:00", click=click_at("2025-03-10 10:00", offer=usd, affiliate=affiliate))
    conversion_at("2025-03-10 10:00", click=click_at("2025-03-10 10:00", offer=eur, affiliate=affiliate))

    rows = report(manager, "affiliate")
    totals = report_totals(rows)

    assert sorted((r.currency, r.payout) for r in rows) == [("EUR", Decimal("5.00")), ("USD", Decimal("5.00"))]
    assert [t.currency for t in totals] == ["EUR", "USD"]


def test_rows_by_day_list_days_with_data_and_the_chart_series_every_day_of_the_range(manager):
    click_at("2025-03-10 10:00")
    click_at("2025-03-12 10:00")
    conversion_at("2025-03-12 11:00", click=click_at("2025-03-12 10:30"))

    rows = report(manager, "day", date_from=date(2025, 3, 10), date_to=date(2025, 3, 12))
    series = report_daily_series(user=manager, date_from=date(2025, 3, 10), date_to=date(2025, 3, 12))

    assert [(r.label, r.clicks) for r in rows] == [("2025-03-10", 1), ("2025-03-12", 2)]
    assert [(s["day"].day, s["clicks"], s["conversions"]) for s in series] == [(10, 1, 0), (11, 0, 0), (12, 2, 1)]


def test_every_metric_has_a_definition_and_every_row_answers_it(manager):
    row = ReportRow(
        key=1, label="x", currency="USD", clicks=2, conversions=1, payout=Decimal("1"), revenue=Decimal("2")
    )

    for metric in METRICS:
        assert metric.definition.endswith(")") or metric.definition.endswith(".")
        assert row.value(metric.key) is not None
    assert [m.key for m in report_columns(user=manager)] == [m.key for m in METRICS]


def test_a_report_for_the_date_range_ignores_rows_just_outside_it(manager):
    click_at("2025-03-09 23:59")
    click_at("2025-03-10 00:00")
    click_at("2025-03-10 23:59")
    click_at("2025-03-11 00:00")

    assert only(report(manager, "day", date_from=DAY, date_to=DAY)).clicks == 2
