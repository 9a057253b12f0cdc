"""The manager's dashboard and an offer's page show traffic and money by period (today, yesterday, 7 and 30 days)
and a chart, from the same report selectors (rollups) as the affiliate's dashboard."""

from decimal import Decimal

import pytest

from reports.services import rollups_refresh
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def traffic():
    offer, other = factories.OfferFactory(name="Spring sale"), factories.OfferFactory(name="Other")
    for _ in range(3):
        factories.ClickFactory(offer=offer)
    factories.ConversionFactory(click__offer=offer, payout=Decimal("5.00"), revenue=Decimal("8.00"))
    factories.ConversionFactory(click__offer=other, payout=Decimal("1.00"), revenue=Decimal("1.50"))
    rollups_refresh()
    return offer


def today_row(response):
    periods = response.context["traffic"]["periods"]
    assert [period["label"] for period in periods] == ["Today", "Yesterday", "Last 7 days", "Last 30 days"]
    (total,) = periods[0]["totals"]
    return total


def test_the_manager_dashboard_shows_the_networks_traffic_and_money(manager_client, traffic):
    response = manager_client.get("/manage/")
    total = today_row(response)
    assert (total.clicks, total.conversions) == (5, 2)
    assert (total.revenue, total.payout, total.profit) == (Decimal("9.50"), Decimal("6.00"), Decimal("3.50"))
    page = response.content.decode()
    assert '<h2 id="traffic-heading">Traffic and money</h2>' in page
    assert '<td class="num" data-label="Profit">3.50 USD</td>' in page
    assert 'id="report-chart-data"' in page
    assert len(response.context["traffic"]["chart"]["labels"]) == 30


def test_an_offer_page_shows_that_offers_numbers_only(manager_client, traffic):
    response = manager_client.get(f"/manage/offers/{traffic.pk}/")
    total = today_row(response)
    assert (total.clicks, total.conversions, total.profit) == (4, 1, Decimal("3.00"))
    assert f'href="/manage/reports/?group_by=day&amp;offer={traffic.pk}"' in response.content.decode()


def test_with_no_traffic_the_periods_read_zero(manager_client):
    page = manager_client.get("/manage/").content.decode()
    assert '<th scope="row">Today</th><td class="num" data-label="Clicks">0</td>' in page
