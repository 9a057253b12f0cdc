"""The manager's long lists: sorted by a column through ?ordering= (the same allow-list on the page and in the API),
a total in the pager, the bulk actions above the rows, and CSV export of the filtered conversions and clicks."""

import csv
import io
from decimal import Decimal

import pytest

from core import listing
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def conversions():
    offer = factories.OfferFactory(name="Spring sale", currency="EUR")
    rows = [
        factories.ConversionFactory(click__offer=offer, amount=Decimal(amount), adv_sub=adv_sub, currency="EUR")
        for amount, adv_sub in (("20.00", "=HYPERLINK(1)"), ("75.50", "ORDER-2"), ("5.00", "@SUM(A1)"))
    ]
    return rows


def ids(rows):
    return [row.pk for row in rows]


def test_the_conversion_list_sorts_by_a_column_and_the_api_agrees(manager_client, conversions):
    by_amount = sorted(conversions, key=lambda c: c.amount, reverse=True)
    page = manager_client.get("/manage/conversions/", {"ordering": "-amount"})
    assert ids(page.context["object_list"]) == ids(by_amount)
    api = manager_client.get("/api/v1/conversions/", {"ordering": "-amount"}).json()
    assert [row["id"] for row in api["results"]] == ids(by_amount)
    ascending = manager_client.get("/manage/conversions/", {"ordering": "amount"})
    assert ids(ascending.context["object_list"]) == ids(reversed(by_amount))


def test_a_column_header_links_to_its_sort_and_marks_the_current_one(manager_client, conversions):
    page = manager_client.get("/manage/conversions/", {"ordering": "-amount", "status": "approved"}).content.decode()
    assert '<th class="num" aria-sort="descending"><a class="sort" href="?ordering=amount&amp;status=approved">' in page
    assert 'href="?ordering=-payout&amp;status=approved"' in page


def test_a_column_outside_the_allow_list_is_refused_by_the_api_and_ignored_by_the_page(manager_client, conversions):
    assert manager_client.get("/api/v1/conversions/", {"ordering": "click__ip"}).status_code == 400
    assert manager_client.get("/manage/conversions/", {"ordering": "click__ip"}).status_code == 200


def test_no_one_sorts_by_a_column_hidden_from_them(client, conversions):
    affiliate_user = factories.MembershipFactory(affiliate=conversions[0].affiliate).user
    client.force_login(affiliate_user)
    assert client.get("/api/v1/conversions/", {"ordering": "-revenue"}).status_code == 400
    assert client.get("/api/v1/conversions/", {"ordering": "-payout"}).status_code == 200
    advertiser_user = factories.MembershipFactory(advertiser=conversions[0].offer.advertiser).user
    client.force_login(advertiser_user)
    assert client.get("/api/v1/conversions/", {"ordering": "payout"}).status_code == 400
    assert client.get("/api/v1/conversions/", {"ordering": "affiliate"}).status_code == 400
    assert client.get("/api/v1/conversions/", {"ordering": "amount"}).status_code == 200


def test_the_click_list_sorts_by_time_only(manager_client):
    old, new = factories.ClickFactory(), factories.ClickFactory()
    page = manager_client.get("/manage/clicks/", {"ordering": "created_at"})
    assert [click.pk for click in page.context["object_list"]] == [old.pk, new.pk]
    assert manager_client.get("/api/v1/clicks/", {"ordering": "aff_sub"}).status_code == 400


def test_the_pager_says_how_many_rows_match(manager_client, conversions):
    page = manager_client.get("/manage/conversions/").content.decode()
    assert "Rows 1–3 of 3" in page


def test_the_pager_counts_only_up_to_its_bound(manager_client, conversions, monkeypatch):
    monkeypatch.setattr(listing, "COUNT_LIMIT", 1)
    monkeypatch.setattr("areas.manager.conversions.ConversionListView.paginate_by", 1)
    page = manager_client.get("/manage/conversions/").content.decode()
    assert "Rows 1–1 of more than 1" in page


def test_the_bulk_actions_come_before_the_rows(manager_client, conversions):
    page = manager_client.get("/manage/conversions/").content.decode()
    assert page.index("Apply to ticked") < page.index('name="conversions"')
    assert page.count("Apply to ticked") == 1


def read_csv(response):
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="tally-')
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_the_conversion_csv_holds_the_filtered_rows_in_order_with_formulas_neutralised(manager_client, conversions):
    other = factories.ConversionFactory(amount=Decimal("1.00"))
    response = manager_client.get("/manage/conversions/csv/", {"offer": conversions[0].offer_id, "ordering": "amount"})
    rows = read_csv(response)
    assert rows[0][:4] == ["ID", "Time (UTC)", "Offer ID", "Offer"]
    assert [int(row[0]) for row in rows[1:]] == ids(sorted(conversions, key=lambda c: c.amount))
    assert other.pk not in [int(row[0]) for row in rows[1:]]
    by_id = {int(row[0]): dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    assert by_id[conversions[0].pk]["adv_sub"] == "'=HYPERLINK(1)"
    assert by_id[conversions[2].pk]["adv_sub"] == "'@SUM(A1)"
    assert by_id[conversions[1].pk]["Amount"] == "75.50"
    assert by_id[conversions[1].pk]["Currency"] == "EUR"


def test_the_click_csv_holds_the_filtered_clicks_with_formulas_neutralised(manager_client):
    mine = factories.ClickFactory(aff_sub="+cmd|' /C calc'!A0", source="newsletter")
    factories.ClickFactory(source="other")
    rows = read_csv(manager_client.get("/manage/clicks/csv/", {"source": "newsletter"}))
    assert len(rows) == 2
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["Transaction ID"] == mine.transaction_id
    assert row["aff_sub"] == "'+cmd|' /C calc'!A0"


def test_the_lists_link_to_their_csv_with_the_same_filters(manager_client, conversions):
    assert (
        'href="/manage/conversions/csv/?status=pending"'
        in manager_client.get("/manage/conversions/", {"status": "pending"}).content.decode()
    )
    assert 'href="/manage/clicks/csv/"' in manager_client.get("/manage/clicks/").content.decode()


@pytest.mark.parametrize("path", ["/manage/conversions/csv/", "/manage/clicks/csv/"])
def test_only_managers_export_the_lists(client, affiliate_user, path):
    client.force_login(affiliate_user)
    assert client.get(path).status_code == 403
