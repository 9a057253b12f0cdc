"""Coupon codes as managers give them (manager pages and /api/v1/coupons/) and as affiliates see their own
(README.md, Coupon codes)."""

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from offers.models import Coupon
from tests import factories

pytestmark = pytest.mark.django_db


def add(manager_client, offer, affiliate, code, **dates):
    data = {"code": code, "affiliate": affiliate.pk, "valid_from": "", "valid_until": "", **dates}
    return manager_client.post(reverse("manager:offer_coupons", args=[offer.pk]), data)


def test_a_manager_gives_an_affiliate_a_code_with_dates(manager_client, offer, affiliate):
    response = add(manager_client, offer, affiliate, "SUMMER10", valid_from="2026-06-01", valid_until="2026-08-31")

    assert response.status_code == 302
    coupon = Coupon.objects.get()
    assert (coupon.code, coupon.affiliate, coupon.valid_from, coupon.valid_until) == (
        "SUMMER10",
        affiliate,
        date(2026, 6, 1),
        date(2026, 8, 31),
    )
    page = manager_client.get(reverse("manager:offer_coupons", args=[offer.pk])).content.decode()
    assert "SUMMER10" in page and affiliate.name in page


def test_a_code_is_unique_on_its_offer_whatever_its_case(manager_client, offer, affiliate):
    add(manager_client, offer, affiliate, "SUMMER10")
    other = factories.AffiliateFactory()

    response = add(manager_client, offer, other, "summer10")

    assert response.status_code == 400
    assert "already used on this offer" in response.content.decode()
    assert Coupon.objects.count() == 1
    # The same code on another offer is another coupon.
    assert add(manager_client, factories.OfferFactory(), other, "summer10").status_code == 302


def test_the_last_day_may_not_come_before_the_first(manager_client, offer, affiliate):
    response = add(manager_client, offer, affiliate, "X1", valid_from="2026-06-02", valid_until="2026-06-01")

    assert response.status_code == 400 and not Coupon.objects.exists()


def test_a_code_with_spaces_or_markup_is_refused(manager_client, offer, affiliate):
    assert add(manager_client, offer, affiliate, "SAVE 10").status_code == 400
    assert add(manager_client, offer, affiliate, "<b>").status_code == 400


def test_a_manager_deletes_a_code(manager_client, offer, affiliate):
    coupon = factories.CouponFactory(offer=offer, affiliate=affiliate)

    response = manager_client.post(reverse("manager:coupon_delete", args=[coupon.pk]))

    assert response.status_code == 302 and not Coupon.objects.exists()


def test_the_affiliate_sees_its_own_codes_on_the_offer_page_only(affiliate_user, offer):
    mine = factories.CouponFactory(offer=offer, affiliate=affiliate_user.membership.affiliate, code="MINE1")
    factories.CouponFactory(offer=offer, code="THEIRS1")
    client = Client()
    client.force_login(affiliate_user)

    page = client.get(reverse("affiliate:offer_detail", args=[offer.pk])).content.decode()

    assert mine.code in page and "THEIRS1" not in page


# --- API ----------------------------------------------------------------------------------------------------------


def api_as(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_managers_create_list_change_and_delete_codes_by_api(manager, offer, affiliate):
    client = api_as(manager)

    created = client.post(
        "/api/v1/coupons/", {"offer": offer.pk, "affiliate": affiliate.pk, "code": "API10"}, format="json"
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    duplicate = client.post(
        "/api/v1/coupons/", {"offer": offer.pk, "affiliate": affiliate.pk, "code": "api10"}, format="json"
    )
    assert duplicate.status_code == 400 and "already used" in duplicate.json()["code"][0]
    changed = client.patch(f"/api/v1/coupons/{pk}/", {"valid_until": "2026-12-31", "code": "NEW"}, format="json")
    assert changed.status_code == 200 and changed.json()["valid_until"] == "2026-12-31"
    assert changed.json()["code"] == "API10"  # a different code is a new coupon: the code stays
    assert client.delete(f"/api/v1/coupons/{pk}/").status_code == 204


def test_an_affiliate_reads_its_own_codes_and_nothing_else(affiliate_user, offer, advertiser_user):
    mine = factories.CouponFactory(offer=offer, affiliate=affiliate_user.membership.affiliate)
    theirs = factories.CouponFactory(offer=offer)
    client = api_as(affiliate_user)

    assert [row["id"] for row in client.get("/api/v1/coupons/").json()["results"]] == [mine.pk]
    assert client.get(f"/api/v1/coupons/{theirs.pk}/").status_code == 404
    body = {"offer": offer.pk, "affiliate": affiliate_user.membership.affiliate_id, "code": "SELF"}
    assert client.post("/api/v1/coupons/", body, format="json").status_code == 403
    assert api_as(advertiser_user).get("/api/v1/coupons/").json()["results"] == []
