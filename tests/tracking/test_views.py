"""The manager's click pages: "did this click arrive?"."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests import factories

pytestmark = pytest.mark.django_db


def test_the_click_list_shows_newest_first_and_finds_one_by_transaction_id(manager_client):
    older = factories.ClickFactory(created_at=timezone.now() - timedelta(hours=2))
    newer = factories.ClickFactory()

    everything = manager_client.get("/manage/clicks/")
    found = manager_client.get("/manage/clicks/", {"transaction_id": older.transaction_id})

    assert list(everything.context["object_list"]) == [newer, older]
    assert list(found.context["object_list"]) == [older]


def test_the_click_list_filters_by_affiliate_and_sub_id(manager_client):
    wanted = factories.ClickFactory(aff_sub="newsletter")
    factories.ClickFactory(affiliate=wanted.affiliate, aff_sub="banner")
    factories.ClickFactory(aff_sub="newsletter")

    response = manager_client.get("/manage/clicks/", {"affiliate": wanted.affiliate_id, "aff_sub": "newsletter"})

    assert list(response.context["object_list"]) == [wanted]


def test_a_search_for_a_click_that_never_arrived_says_so(manager_client):
    factories.ClickFactory()

    response = manager_client.get("/manage/clicks/", {"transaction_id": "0" * 32})

    assert list(response.context["object_list"]) == []
    assert b"No clicks match these filters." in response.content


def test_the_click_page_shows_its_sub_ids_landing_url_and_conversions(manager_client):
    click = factories.ClickFactory(aff_sub="spring promo")
    conversion = factories.ConversionFactory(click=click)

    response = manager_client.get(f"/manage/clicks/{click.transaction_id}/")

    assert b"spring promo" in response.content
    assert f"tid={click.transaction_id}&amp;sub=spring%20promo".encode() in response.content
    assert f"/manage/conversions/{conversion.pk}/".encode() in response.content


def test_an_unknown_click_page_is_404(manager_client):
    assert manager_client.get(f"/manage/clicks/{'0' * 32}/").status_code == 404
