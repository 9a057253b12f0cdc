"""The offer catalogue (README.md, Offer catalogue): categories and tags on offers, and the affiliate's Offers page
searchable and filterable through the offers FilterSet it shares with /api/v1/offers/."""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from areas.manager.offer_forms import OfferForm
from offers.models import Offer, Tag
from offers.services import offer_tags_set, tag_names_parse
from tests import factories
from tests.offers.test_views import offer_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def affiliate_client(affiliate_user):
    client = Client()
    client.force_login(affiliate_user)
    return client


def names_on_page(client, query=""):
    response = client.get(f"{reverse('affiliate:offer_list')}?{query}")
    assert response.status_code == 200
    return {row["offer"].name for row in response.context["rows"]}


def names_in_api(client, query=""):
    response = client.get(f"/api/v1/offers/?{query}")
    assert response.status_code == 200, response.content
    return {row["name"] for row in response.json()["results"]}


@pytest.fixture
def catalogue(db):
    fashion = factories.CategoryFactory(name="Fashion", slug="fashion")
    games = factories.CategoryFactory(name="Games", slug="games")
    shoes = factories.OfferFactory(name="Shoe Shop", category=fashion, description="Sneakers and boots")
    hats = factories.OfferFactory(name="Hat Shop", category=fashion, payout_type="cps_percent", payout="8")
    chess = factories.OfferFactory(name="Chess App", category=games, description="Play chess online")
    plain = factories.OfferFactory(name="Plain Offer")
    offer_tags_set(offer=chess, names=["mobile"])
    offer_tags_set(offer=shoes, names=["mobile", "black-friday"])
    return locals()


def test_the_affiliate_filters_by_category(affiliate_client, catalogue):
    fashion = catalogue["fashion"]

    assert names_on_page(affiliate_client, f"category={fashion.pk}") == {"Shoe Shop", "Hat Shop"}


def test_the_affiliate_filters_by_tag(affiliate_client, catalogue):
    assert names_on_page(affiliate_client, "tag=mobile") == {"Shoe Shop", "Chess App"}
    assert names_on_page(affiliate_client, "tag=black-friday") == {"Shoe Shop"}


def test_the_affiliate_searches_names_and_descriptions(affiliate_client, catalogue):
    assert names_on_page(affiliate_client, "q=shop") == {"Shoe Shop", "Hat Shop"}
    assert names_on_page(affiliate_client, "q=chess online") == {"Chess App"}
    assert names_on_page(affiliate_client, "q=boots") == {"Shoe Shop"}


def test_the_affiliate_filters_by_payout_type(affiliate_client, catalogue):
    assert names_on_page(affiliate_client, "payout_type=cps_percent") == {"Hat Shop"}


def test_the_affiliate_filters_by_country_from_the_offers_targeting(affiliate_client, catalogue):
    shoes, hats, chess = catalogue["shoes"], catalogue["hats"], catalogue["chess"]
    Offer.objects.filter(pk=shoes.pk).update(allowed_countries=["US", "GB"])
    Offer.objects.filter(pk=hats.pk).update(blocked_countries=["US"])
    Offer.objects.filter(pk=chess.pk).update(allowed_countries=["DE"])

    assert names_on_page(affiliate_client, "country=US") == {"Shoe Shop", "Plain Offer"}
    assert names_on_page(affiliate_client, "country=DE") == {"Hat Shop", "Chess App", "Plain Offer"}
    assert names_on_page(affiliate_client, "country=GB") == {"Shoe Shop", "Hat Shop", "Plain Offer"}


def test_an_unknown_country_is_refused_by_the_api(catalogue, affiliate_user):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(affiliate_user)

    assert client.get("/api/v1/offers/?country=XX").status_code == 400


def test_the_affiliate_filters_new_offers(affiliate_client, catalogue, settings):
    settings.TALLY_CATALOGUE_NEW_DAYS = 7
    Offer.objects.exclude(name="Plain Offer").update(created_at=timezone.now() - timedelta(days=8))

    assert names_on_page(affiliate_client, "new=true") == {"Plain Offer"}
    assert names_on_page(affiliate_client, "new=false") == {"Shoe Shop", "Hat Shop", "Chess App"}


def test_the_offers_page_shows_every_catalogue_filter(affiliate_client, catalogue):
    form = affiliate_client.get(reverse("affiliate:offer_list")).context["filter"].form

    assert {"q", "category", "tag", "payout_type", "country", "new"} <= set(form.fields)
    assert "advertiser" not in form.fields


def test_the_api_filters_the_same_way(catalogue, affiliate_user):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(affiliate_user)
    fashion = catalogue["fashion"]

    assert names_in_api(client, f"category={fashion.pk}") == {"Shoe Shop", "Hat Shop"}
    assert names_in_api(client, "tag=mobile&q=chess") == {"Chess App"}
    row = client.get(f"/api/v1/offers/{catalogue['shoes'].pk}/").json()
    assert row["category"] == fashion.pk and sorted(row["tags"]) == ["black-friday", "mobile"]


def test_a_private_offer_stays_hidden_whatever_the_filter(affiliate_client, catalogue):
    factories.OfferFactory(name="Secret", category=catalogue["fashion"], visibility=Offer.Visibility.PRIVATE)

    assert "Secret" not in names_on_page(affiliate_client, f"category={catalogue['fashion'].pk}")


# --- The manager's side -------------------------------------------------------------------------------------------


def form_data(manager, advertiser, **overrides):
    """offer_data, plus every other required field of the offer form at its initial value (other features' fields)."""
    data = offer_data(advertiser, **overrides)
    form = OfferForm(user=manager)
    for name in form.fields:
        if name not in data and form.fields[name].required:
            data[name] = form[name].value()
    return data


def test_tag_names_are_slugged_once_each():
    assert tag_names_parse("Mobile, black friday,, mobile ,Black-Friday") == ["mobile", "black-friday"]


def test_the_manager_sets_category_and_tags_on_the_offer_form(manager_client, manager):
    advertiser = factories.AdvertiserFactory()
    fashion = factories.CategoryFactory(name="Fashion", slug="fashion")

    response = manager_client.post(
        reverse("manager:offer_create"),
        form_data(manager, advertiser, category=fashion.pk, tag_names="Mobile, Black Friday"),
    )

    assert response.status_code == 302, response.context["form"].errors if response.context else response
    offer = Offer.objects.get(name="Summer Sale")
    assert offer.category == fashion
    assert sorted(offer.tags.values_list("name", flat=True)) == ["black-friday", "mobile"]

    page = manager_client.get(reverse("manager:offer_update", args=[offer.pk])).content.decode()
    assert 'value="mobile, black-friday"' in page or 'value="black-friday, mobile"' in page

    manager_client.post(reverse("manager:offer_update", args=[offer.pk]), form_data(manager, advertiser, tag_names=""))
    assert not Offer.objects.get(pk=offer.pk).tags.exists()
    assert Tag.objects.count() == 2  # tags stay for other offers


def test_the_manager_adds_and_deletes_categories(manager_client):
    response = manager_client.post(reverse("manager:category_list"), {"name": "Home & Garden"})
    assert response.status_code == 302
    category = factories.CategoryFactory._meta.model.objects.get()
    assert category.slug == "home-garden"
    offer = factories.OfferFactory(category=category)

    duplicate = manager_client.post(reverse("manager:category_list"), {"name": "Home Garden"})
    assert duplicate.status_code == 400

    manager_client.post(reverse("manager:category_delete", args=[category.pk]))
    offer.refresh_from_db()
    assert offer.category is None


def test_an_offer_created_yesterday_is_new_today(affiliate_client, catalogue, settings):
    settings.TALLY_CATALOGUE_NEW_DAYS = 1
    with time_machine.travel(timezone.now() + timedelta(hours=23)):
        assert "Plain Offer" in names_on_page(affiliate_client, "new=true")
    with time_machine.travel(timezone.now() + timedelta(hours=25)):
        assert "Plain Offer" not in names_on_page(affiliate_client, "new=true")
