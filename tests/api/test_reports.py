"""/api/v1/reports/: the report rows (README.md, Reports) for the caller's scope, with role-dependent money columns."""

import pytest

from core.periods import network_today
from reports.services import rollups_refresh

URL = "/api/v1/reports/"
COUNTS = {"clicks", "unique_clicks", "conversions", "pending", "rejected", "cr"}


@pytest.fixture
def refreshed(network):
    rollups_refresh()
    return network


def rows_by_key(response):
    assert response.status_code == 200, response.content
    return {row["key"]: row for row in response.json()["results"]}


def test_a_manager_reads_every_affiliates_numbers_with_payout_revenue_and_profit(api, refreshed):
    response = api("manager").get(URL, {"group_by": "affiliate"})
    rows = rows_by_key(response)
    assert set(rows) == {refreshed.aff_a.pk, refreshed.aff_b.pk}
    row = rows[refreshed.aff_a.pk]
    assert row["label"] == "Blue Coupons"
    assert (row["clicks"], row["conversions"], row["cr"]) == (1, 1, "100.00")
    assert (row["payout"], row["revenue"], row["profit"], row["epc"], row["rpc"]) == (
        "5.00",
        "8.00",
        "3.00",
        "5.0000",
        "8.0000",
    )
    body = response.json()
    assert body["count"] == 2
    assert [total["clicks"] for total in body["totals"]] == [2]
    assert body["totals"][0]["profit"] == "6.00"
    assert body["date_to"] == network_today().isoformat()


def test_an_affiliate_reads_only_its_own_rows_with_payout_and_without_revenue(api, refreshed):
    rows = rows_by_key(api("affiliate_a").get(URL, {"group_by": "offer"}))
    assert set(rows) == {refreshed.public.pk}
    row = rows[refreshed.public.pk]
    assert set(row) == {"key", "label", "currency", "payout", "epc"} | COUNTS
    assert row["payout"] == "5.00"
    assert set(rows_by_key(api("affiliate_b").get(URL, {"group_by": "offer"}))) == {refreshed.other.pk}


def test_an_affiliate_groups_by_sub_id_but_not_by_affiliate(api, refreshed):
    assert set(rows_by_key(api("affiliate_a").get(URL, {"group_by": "sub"}))) == {"news"}
    response = api("affiliate_a").get(URL, {"group_by": "affiliate"})
    assert response.status_code == 400
    assert "group_by" in response.json()


def test_an_advertiser_reads_its_own_offers_with_revenue_and_without_payout(api, refreshed):
    rows = rows_by_key(api("advertiser").get(URL))
    assert set(rows) == {refreshed.public.pk}
    assert set(rows[refreshed.public.pk]) == {"key", "label", "currency", "revenue", "rpc"} | COUNTS
    assert api("advertiser").get(URL, {"group_by": "advertiser"}).status_code == 400


def test_rows_group_by_date(api, refreshed):
    today = network_today().isoformat()
    rows = rows_by_key(api("manager").get(URL, {"group_by": "date"}))
    assert set(rows) == {today}
    assert rows[today]["clicks"] == 2


def test_an_offer_outside_ones_scope_cannot_be_a_filter(api, refreshed):
    assert api("advertiser").get(URL, {"offer": refreshed.other.pk}).status_code == 400
    rows = rows_by_key(api("manager").get(URL, {"group_by": "affiliate", "offer": refreshed.other.pk}))
    assert set(rows) == {refreshed.aff_b.pk}


def test_a_period_that_ends_before_it_starts_is_refused(api, refreshed):
    response = api("manager").get(URL, {"date_from": "2025-03-10", "date_to": "2025-03-01"})
    assert response.status_code == 400
    assert "date_to" in response.json()


def test_a_period_without_traffic_has_no_rows(api, refreshed):
    body = api("manager").get(URL, {"date_from": "2025-03-01", "date_to": "2025-03-10"}).json()
    assert (body["count"], body["results"], body["totals"]) == (0, [], [])
    assert (body["date_from"], body["date_to"]) == ("2025-03-01", "2025-03-10")


def test_anonymous_callers_are_refused(api, refreshed):
    assert api("anonymous").get(URL).status_code == 401
