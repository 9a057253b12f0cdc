"""The report pages of each audience and their CSV export: what each shows, who may open them, and that they read
rollups, never raw clicks."""

import csv
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reports.services import rollups_refresh
from tests import factories
from tests.reports.conftest import click_at, conversion_at, user_of

pytestmark = pytest.mark.django_db
RANGE = {"preset": "custom", "date_from": "2025-03-01", "date_to": "2025-03-31"}


@pytest.fixture
def network():
    shop = factories.AdvertiserFactory(name="Shop")
    other_shop = factories.AdvertiserFactory(name="Other shop")
    offer = factories.OfferFactory(advertiser=shop, name="Spring sale")
    other_offer = factories.OfferFactory(advertiser=other_shop, name="Secret offer", visibility="private")
    mine, theirs = factories.AffiliateFactory(name="Mine"), factories.AffiliateFactory(name="Theirs")
    click = click_at("2025-03-10 10:00", offer=offer, affiliate=mine, aff_sub="=HYPERLINK(1)")
    conversion_at("2025-03-10 11:00", click=click, payout=Decimal("5.00"), revenue=Decimal("8.00"))
    click_at("2025-03-11 10:00", offer=other_offer, affiliate=theirs, aff_sub="theirs-sub")
    rollups_refresh()
    return {"shop": shop, "offer": offer, "mine": mine, "theirs": theirs}


def login(client, user):
    client.force_login(user)
    return client


def test_the_manager_report_shows_every_affiliate_with_totals_chart_and_definitions(client, manager, network):
    response = login(client, manager).get("/manage/reports/", RANGE)

    assert response.status_code == 200
    page = response.content.decode()
    assert "Mine" in page and "Theirs" in page
    assert response.context["totals"][0].clicks == 2
    assert "Revenue ÷ clicks" not in page and "Revenue per click" in page  # a definition, written once
    assert 'id="report-chart-data"' in page and "vendor/chart.umd.min.js" in page
    assert response.context["chart"]["clicks"][9:11] == [1, 1]  # 10 and 11 March


def test_the_manager_sorts_by_any_column_through_the_query_string(client, manager, network):
    response = login(client, manager).get("/manage/reports/", {**RANGE, "group_by": "offer", "sort": "label"})

    assert [row.label for row in response.context["rows"]] == ["Secret offer", "Spring sale"]


def test_the_affiliate_report_shows_only_its_rows_and_no_revenue(client, network):
    response = login(client, user_of(network["mine"])).get("/affiliate/reports/", {**RANGE, "group_by": "sub"})

    assert response.status_code == 200
    page = response.content.decode()
    assert "=HYPERLINK(1)" in page and "theirs-sub" not in page and "Secret offer" not in page
    assert "Payout" in page and ">Revenue" not in page and ">Profit" not in page


def test_the_advertiser_report_shows_only_its_offers_and_no_payout(client, network):
    response = login(client, user_of(network["shop"])).get("/advertiser/reports/", {**RANGE, "group_by": "offer"})

    page = response.content.decode()
    assert "Spring sale" in page and "Secret offer" not in page
    assert ">Revenue" in page and ">Payout" not in page and ">EPC" not in page


@pytest.mark.parametrize("path", ["/manage/reports/", "/manage/reports/csv/", "/advertiser/reports/"])
def test_an_affiliate_cannot_open_another_audiences_report(client, network, path):
    assert login(client, user_of(network["mine"])).get(path).status_code == 403


def test_an_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get("/affiliate/reports/")

    assert response.status_code == 302 and "/login/" in response["Location"]


def test_bad_parameters_show_the_form_with_errors_and_no_rows(client, manager, network):
    response = login(client, manager).get("/manage/reports/", {"date_from": "2025-03-10", "date_to": "2025-03-01"})

    assert response.status_code == 400
    assert "The end of the range comes before its start." in response.content.decode()


def test_the_csv_export_streams_the_rows_of_the_page_with_formulas_neutralised(client, network):
    user = user_of(network["mine"])
    query = {**RANGE, "group_by": "sub", "sort": "-clicks"}

    response = login(client, user).get("/affiliate/reports/csv/", query)

    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="tally-affiliate-report-by-sub-2025-03-01-2025-03-31.csv"' in response["Content-Disposition"]
    table = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert table[0][:3] == ["Sub ID", "Currency", "Clicks"] and "Revenue" not in table[0]
    assert table[1][:3] == ["'=HYPERLINK(1)", "USD", "1"]
    assert table[-1][0] == "Total" and len(table) == 3


def test_report_pages_read_rollups_and_never_raw_clicks_or_conversions(client, manager, network):
    login(client, manager)
    for group_by in ("affiliate", "offer", "advertiser", "day"):
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/manage/reports/", {**RANGE, "group_by": group_by}).status_code == 200
        sql = " ".join(q["sql"] for q in queries.captured_queries)
        assert "tracking_click" not in sql and "conversions_conversion" not in sql, group_by
