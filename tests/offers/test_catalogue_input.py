"""Hostile catalogue input (README.md, Offer catalogue): a tag name that cannot be one is a clear refusal, never a
500, on the page and in the API (PostgreSQL refuses a NUL in any text it is asked to compare)."""

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from tests import factories

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("value", ["\x00", "a\x00b", "not a slug", "x" * 300])
def test_a_tag_filter_that_cannot_be_a_tag_finds_nothing_on_the_page_and_is_a_400_in_the_api(affiliate_user, value):
    factories.OfferFactory(name="Visible")
    page = Client()
    page.force_login(affiliate_user)
    api = APIClient()
    api.force_authenticate(affiliate_user)

    response = page.get(reverse("affiliate:offer_list"), {"tag": value})
    assert response.status_code == 200
    assert api.get("/api/v1/offers/", {"tag": value}).status_code == 400


@pytest.mark.parametrize("value", ["\x00", "a\x00b", "Not A Slug", 5])
def test_setting_a_tag_that_cannot_exist_is_a_400(manager, value):
    offer = factories.OfferFactory()
    api = APIClient()
    api.force_authenticate(manager)

    response = api.patch(f"/api/v1/offers/{offer.pk}/", {"tags": [value]}, format="json")

    assert response.status_code == 400
    assert "tags" in response.json()
