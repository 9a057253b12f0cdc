"""A conversion keeps what it needs of its click (conversions.models.click_details): once retention drops the click
row (README, Data retention), the conversion page, the affiliate's list, the report by sub ID, a rollup rebuild and
the affiliate postback show the same values as before."""

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.utils import timezone

from conversions.models import Conversion, PostbackDelivery
from conversions.postback_urls import affiliate_postback_set
from conversions.sending import delivery_url
from conversions.services import conversion_set_status
from reports.selectors import report_rows
from reports.services import rollups_rebuild, rollups_refresh
from tests import factories
from tests.factories import SECURITY_TOKEN
from tests.portal import fast_passwords  # noqa: F401 -- portal fixture
from tracking.models import SUB_FIELDS, Click

pytestmark = pytest.mark.django_db

MACROS = (*SUB_FIELDS, "transaction_id", "conversion_id", "payout")


def drop_click_row(click):
    """Delete the row behind the ORM's back, as dropping its partition does: nothing cascades, nothing is updated."""
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {Click._meta.db_table} WHERE id = %s", [click.pk])  # noqa: S608
    assert not Click.objects.filter(pk=click.pk).exists()


@pytest.fixture
def converted(client, settings):
    """A click with every sub ID set, converted by a real postback, with an affiliate postback URL using each macro;
    the rollups refreshed."""
    settings.TALLY_POSTBACK_ALLOW_LOOPBACK = True
    offer = factories.OfferFactory(session_hours=720)
    affiliate = factories.AffiliateFactory()
    factories.OfferAccessFactory(offer=offer, affiliate=affiliate)
    click = factories.ClickFactory(
        offer=offer,
        affiliate=affiliate,
        country="DE",
        created_at=timezone.now() - timedelta(hours=3),
        **{name: f"{name}-value" for name in SUB_FIELDS},
    )
    affiliate_postback_set(
        affiliate=affiliate, url="http://127.0.0.1:9/pb?" + "&".join(f"{name}={{{name}}}" for name in MACROS)
    )
    response = client.get(
        "/postback",
        {"security_token": SECURITY_TOKEN, "transaction_id": click.transaction_id, "amount": "20"},
        REMOTE_ADDR="192.0.2.10",
    )
    assert response.status_code == 200, response.content
    rollups_refresh()
    return click, Conversion.objects.get(click_id=click.pk)


def what_everyone_sees(client, conversion, manager, affiliate_user):
    conversion = Conversion.objects.get(pk=conversion.pk)
    delivery = PostbackDelivery.objects.get(conversion=conversion)
    client.force_login(manager)
    page = client.get(f"/manage/conversions/{conversion.pk}/")
    assert page.status_code == 200
    client.force_login(affiliate_user)
    listing = client.get("/affiliate/conversions/")
    assert listing.status_code == 200
    today = timezone.localdate()
    by_sub = report_rows(user=affiliate_user, group_by="sub", date_from=today - timedelta(days=1), date_to=today)
    return {
        "postback": parse_qs(urlsplit(delivery_url(delivery)).query),
        "page": [
            part in page.content.decode()
            for part in (conversion.transaction_id, f"clicked {conversion.clicked_at:%Y-%m-%d %H:%M:%S}")
        ],
        "list": [f"{name}-value" in listing.content.decode() for name in SUB_FIELDS if name != "aff_click_id"],
        "report": sorted((row.key, row.clicks, row.conversions) for row in by_sub),
    }


def test_the_conversion_page_report_and_affiliate_postback_keep_their_values_without_the_click(
    client, converted, manager
):
    click, conversion = converted
    affiliate_user = factories.MembershipFactory(affiliate=click.affiliate).user
    before = what_everyone_sees(client, conversion, manager, affiliate_user)
    assert before["postback"] == {
        **{name: [f"{name}-value"] for name in SUB_FIELDS},
        "transaction_id": [click.transaction_id],
        "conversion_id": [str(conversion.pk)],
        "payout": [str(conversion.payout)],
    }
    assert all(before["page"]) and all(before["list"])
    assert before["report"] == [("aff_sub-value", 1, 1)]

    drop_click_row(click)

    assert what_everyone_sees(client, conversion, manager, affiliate_user) == before


def test_a_status_change_and_a_rollup_rebuild_without_the_click_keep_the_conversion_under_its_sub_id(
    converted, manager
):
    click, conversion = converted
    affiliate_user = factories.MembershipFactory(affiliate=click.affiliate).user
    factories.ClickFactory(offer=click.offer, affiliate=click.affiliate)  # today still has a click: it is rebuilt
    drop_click_row(click)

    conversion_set_status(conversion=Conversion.objects.get(pk=conversion.pk), status="rejected", user=manager)
    today = timezone.localdate()

    def of_the_sub():
        rows = report_rows(user=affiliate_user, group_by="sub", date_from=today, date_to=today)
        return [(row.conversions, row.rejected) for row in rows if row.key == "aff_sub-value"]

    moved = of_the_sub()
    rollups_rebuild()
    assert moved == of_the_sub() == [(0, 1)]


def test_the_page_of_a_click_retention_dropped_says_so_and_links_its_conversions(manager_client, settings):
    settings.TALLY_CLICK_RETENTION_DAYS = 30
    conversion = factories.ConversionFactory(click__created_at=timezone.now() - timedelta(days=40))
    click = conversion.click
    drop_click_row(click)

    page = manager_client.get(f"/manage/clicks/{click.transaction_id}/")

    assert page.status_code == 410
    text = page.content.decode()
    assert "dropped by retention" in text and f"{click.created_at:%Y-%m-%d %H:%M:%S}" in text
    assert f"/manage/conversions/{conversion.pk}/" in text


def test_an_unknown_recent_click_is_not_found(manager_client):
    click = factories.ClickFactory()
    drop_click_row(click)

    assert manager_client.get(f"/manage/clicks/{click.transaction_id}/").status_code == 404
