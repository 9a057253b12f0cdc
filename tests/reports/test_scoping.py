"""Who sees what (README.md, Reports): affiliates their own rows with payout and never revenue; advertisers their own
offers with revenue and never payout; managers everything."""

from decimal import Decimal

import pytest
from django.http import QueryDict
from django.test import RequestFactory

from core.roles import Role
from reports.filters import ReportFilter
from reports.selectors import METRICS, report_columns, report_group_choices, report_totals
from tests import factories
from tests.reports.conftest import DAY, click_at, conversion_at, report, user_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def network():
    """Two advertisers with an offer each, two affiliates each sending a click and a conversion to both offers."""
    mine, theirs = factories.AdvertiserFactory(name="Mine"), factories.AdvertiserFactory(name="Theirs")
    offers = [factories.OfferFactory(advertiser=mine, name="M"), factories.OfferFactory(advertiser=theirs, name="T")]
    affiliates = [factories.AffiliateFactory(name="A1"), factories.AffiliateFactory(name="A2")]
    for offer in offers:
        for affiliate in affiliates:
            click = click_at("2025-03-10 10:00", offer=offer, affiliate=affiliate, aff_sub=f"sub-{affiliate.name}")
            conversion_at("2025-03-10 11:00", click=click, payout=Decimal("5.00"), revenue=Decimal("8.00"))
    return {"advertisers": (mine, theirs), "offers": offers, "affiliates": affiliates}


def test_a_manager_sees_every_affiliate_with_payout_and_revenue(manager, network):
    rows = report(manager, "affiliate", sort="label")

    assert [(r.label, r.clicks, r.payout, r.revenue) for r in rows] == [
        ("A1", 2, Decimal("10.00"), Decimal("16.00")),
        ("A2", 2, Decimal("10.00"), Decimal("16.00")),
    ]


def test_an_affiliate_sees_only_its_own_rows_and_never_revenue(network):
    user = user_of(network["affiliates"][0])

    rows = report(user, "offer", sort="label")
    (total,) = report_totals(rows)

    assert [(r.label, r.clicks, r.conversions, r.payout) for r in rows] == [
        ("M", 1, 1, Decimal("5.00")),
        ("T", 1, 1, Decimal("5.00")),
    ]
    assert all(r.revenue is None and r.profit is None and r.rpc is None for r in [*rows, total])
    assert total.payout == Decimal("10.00")
    assert {m.key for m in report_columns(user=user)}.isdisjoint({"revenue", "profit", "rpc"})


def test_an_affiliate_groups_by_its_own_sub_ids(network):
    user = user_of(network["affiliates"][1])

    rows = report(user, "sub")

    assert [(r.label, r.clicks, r.conversions) for r in rows] == [("sub-A2", 2, 2)]


def test_an_advertiser_sees_only_its_own_offers_and_never_payout(network):
    user = user_of(network["advertisers"][0])

    rows = report(user, "offer")

    assert [(r.label, r.clicks, r.conversions, r.revenue) for r in rows] == [("M", 2, 2, Decimal("16.00"))]
    assert all(r.payout is None and r.profit is None and r.epc is None for r in rows)
    assert {m.key for m in report_columns(user=user)}.isdisjoint({"payout", "profit", "epc"})


def test_a_filter_outside_ones_scope_finds_no_rows(network):
    user = user_of(network["affiliates"][0])
    other = network["affiliates"][1]

    assert report(user, "offer", filters={"affiliate": other}) == []
    assert report(user_of(network["advertisers"][0]), "day", filters={"offer": network["offers"][1]}) == []


def test_each_audience_may_group_only_by_what_it_may_see(network, manager):
    affiliate_user = user_of(network["affiliates"][0])
    advertiser_user = user_of(network["advertisers"][0])

    assert [c for c, _ in report_group_choices(user=manager)] == ["affiliate", "offer", "advertiser", "day"]
    assert [c for c, _ in report_group_choices(user=affiliate_user)] == ["offer", "day", "sub"]
    assert [c for c, _ in report_group_choices(user=advertiser_user)] == ["offer", "day"]
    with pytest.raises(ValueError):
        report(affiliate_user, "affiliate")
    with pytest.raises(ValueError):
        report(advertiser_user, "sub")


def test_a_user_with_no_role_gets_nothing(network):
    nobody = factories.UserFactory()

    assert report_columns(user=nobody) == [m for m in METRICS if Role.NONE not in m.hidden_from]
    assert report_group_choices(user=nobody) == []
    with pytest.raises(ValueError):
        report(nobody, "offer")


def test_the_report_filter_refuses_an_offer_outside_the_users_scope(network):
    user = user_of(network["advertisers"][0])
    request = RequestFactory().get("/")
    request.user = user

    own = ReportFilter(QueryDict(f"offer={network['offers'][0].pk}"), request=request)
    other = ReportFilter(QueryDict(f"offer={network['offers'][1].pk}"), request=request)

    assert own.is_valid()
    assert own.selector_kwargs()["filters"] == {"offer": network["offers"][0]}
    assert not other.is_valid()
    assert "offer" in other.errors


def test_the_report_filter_offers_each_audience_only_its_own_filters(network, manager):
    request = RequestFactory().get("/")
    request.user = user_of(network["affiliates"][0])

    affiliate_filter = ReportFilter(QueryDict(""), request=request)
    request.user = manager
    manager_filter = ReportFilter(QueryDict(""), request=request)

    assert list(affiliate_filter.form.fields) == [
        "group_by",
        "preset",
        "date_from",
        "date_to",
        "offer",
        "aff_sub",
        "sort",
    ]
    assert "affiliate" in manager_filter.form.fields and "aff_sub" not in manager_filter.form.fields


def test_the_report_filter_resolves_presets_and_custom_ranges(manager, settings):
    request = RequestFactory().get("/")
    request.user = manager

    def resolved(query):
        report_filter = ReportFilter(QueryDict(query), request=request)
        assert report_filter.is_valid(), report_filter.errors
        return report_filter.selector_kwargs()

    custom = resolved("date_from=2025-03-01&date_to=2025-03-10&group_by=day&sort=-clicks")
    assert (custom["date_from"], custom["date_to"], custom["group_by"], custom["sort"]) == (
        DAY.replace(day=1),
        DAY,
        "day",
        "-clicks",
    )
    default = resolved("")
    assert (default["date_to"] - default["date_from"]).days == 29
    assert default["group_by"] == "affiliate"
    today = resolved("preset=today")
    assert today["date_from"] == today["date_to"]
    backwards = ReportFilter(QueryDict("date_from=2025-03-10&date_to=2025-03-01"), request=request)
    assert not backwards.is_valid()
    assert not ReportFilter(QueryDict("sort=password"), request=request).is_valid()
