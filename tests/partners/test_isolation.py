"""Isolation between outside users: an affiliate never sees or guesses another affiliate's stats,
conversions, links or postback settings, by URL or by filter parameter (objects out of scope are 404); an
advertiser likewise. Affiliates never see revenue or adv_sub; advertisers never payout or affiliate identities
beyond the partner ID."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from conversions.models import AffiliatePostback, PostbackDelivery
from offers.models import Offer, OfferAccess
from reports.services import rollups_rebuild
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    """Two affiliates and two advertisers, each with an offer, clicks, conversions and postback settings."""
    acme, globex = factories.AdvertiserFactory(name="Acme"), factories.AdvertiserFactory(name="Globex")
    alice, bob = factories.AffiliateFactory(name="Alice Media"), factories.AffiliateFactory(name="Bob Traffic")
    acme_offer = factories.OfferFactory(advertiser=acme, name="Acme Offer")
    globex_private = factories.OfferFactory(
        advertiser=globex, name="Globex Private", visibility=Offer.Visibility.PRIVATE
    )
    factories.OfferAccessFactory(offer=globex_private, affiliate=bob, status=OfferAccess.Status.APPROVED)
    now = timezone.now()
    alice_click = factories.ClickFactory(offer=acme_offer, affiliate=alice, aff_sub="alice-sub", created_at=now)
    bob_click = factories.ClickFactory(offer=globex_private, affiliate=bob, aff_sub="bob-secret-sub", created_at=now)
    alice_conversion = factories.ConversionFactory(
        click=alice_click, payout=Decimal("1.11"), revenue=Decimal("2.22"), adv_sub="ACME-ORDER"
    )
    bob_conversion = factories.ConversionFactory(
        click=bob_click, payout=Decimal("7.77"), revenue=Decimal("8.88"), adv_sub="GLOBEX-ORDER"
    )
    bob_postback = AffiliatePostback.objects.create(affiliate=bob, url="https://bob.example/pb?t={transaction_id}")
    bob_delivery = PostbackDelivery.objects.create(
        conversion=bob_conversion,
        postback=bob_postback,
        conversion_status="approved",
        status=PostbackDelivery.Status.FAILED,
        give_up_at=now + timedelta(hours=1),
        last_error="bob-delivery-error",
    )
    rollups_rebuild()
    return {
        "acme": acme,
        "globex": globex,
        "alice": alice,
        "bob": bob,
        "acme_offer": acme_offer,
        "globex_private": globex_private,
        "alice_conversion": alice_conversion,
        "bob_conversion": bob_conversion,
        "bob_click": bob_click,
        "bob_postback": bob_postback,
        "bob_delivery": bob_delivery,
    }


def member(partner):
    field = "affiliate" if partner.__class__.__name__ == "Affiliate" else "advertiser"
    return factories.MembershipFactory(**{field: partner}).user


@pytest.fixture
def as_alice(client, world):
    client.force_login(member(world["alice"]))
    return client


@pytest.fixture
def as_acme(client, world):
    client.force_login(member(world["acme"]))
    return client


# --- Affiliates -----------------------------------------------------------------------------------------------


def test_an_affiliate_sees_only_its_own_numbers_on_the_dashboard(as_alice, world):
    response = as_alice.get("/affiliate/")

    [today] = next(p["totals"] for p in response.context["periods"] if p["label"] == "Today")
    assert (today.clicks, today.conversions, today.payout) == (1, 1, Decimal("1.11"))
    assert "Globex Private" not in response.content.decode()


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"affiliate": "BOB"},
        {"offer": "GLOBEX"},
        {"transaction_id": "BOB_TID"},
        {"status": "approved", "affiliate": "BOB", "offer": "GLOBEX"},
    ],
)
def test_an_affiliate_never_lists_another_affiliates_conversions_whatever_the_filters(as_alice, world, params):
    values = {
        "BOB": world["bob"].pk,
        "GLOBEX": world["globex_private"].pk,
        "BOB_TID": world["bob_click"].transaction_id,
    }
    query = {name: values.get(value, value) for name, value in params.items()}

    response = as_alice.get("/affiliate/conversions/", query)

    assert world["bob_conversion"] not in response.context["object_list"]
    table = response.content.decode().split("<tbody>")[1]  # the filter bar echoes what was asked
    # A time-ordered ID's head is its time, which Alice's click may share: its random tail is Bob's alone.
    assert "7.77" not in table and "bob-secret-sub" not in table
    assert world["bob_click"].transaction_id[-12:] not in table


def test_an_affiliate_cannot_open_or_request_an_offer_it_was_not_given(as_alice, world):
    offer = world["globex_private"]

    assert as_alice.get(f"/affiliate/offers/{offer.pk}/").status_code == 404
    assert as_alice.post(f"/affiliate/offers/{offer.pk}/request/").status_code == 404
    assert not OfferAccess.objects.filter(offer=offer, affiliate=world["alice"]).exists()


def test_an_affiliate_cannot_build_a_link_for_another_affiliates_private_offer(as_alice, world):
    response = as_alice.get("/affiliate/links/", {"offer": world["globex_private"].pk})

    assert response.context["link"] is None
    assert "Globex Private" not in response.content.decode()


def test_an_affiliate_never_sees_or_changes_another_affiliates_postback_settings(as_alice, world):
    page = as_alice.get("/affiliate/postbacks/", {"offer": ""})
    removed = as_alice.post(f"/affiliate/postbacks/{world['bob_postback'].pk}/delete/")
    deliveries = as_alice.get("/affiliate/postbacks/deliveries/")

    assert "bob.example" not in page.content.decode()
    assert page.context["form"].initial == {}
    assert removed.status_code == 404
    assert AffiliatePostback.objects.filter(pk=world["bob_postback"].pk).exists()
    assert list(deliveries.context["page_obj"]) == []
    assert "bob-delivery-error" not in deliveries.content.decode()


def test_an_affiliate_cannot_set_a_postback_for_an_offer_outside_its_list(as_alice, world):
    response = as_alice.post(
        "/affiliate/postbacks/", {"offer": world["globex_private"].pk, "url": "https://alice.example/pb"}
    )

    assert response.status_code == 400
    assert "offer" in response.context["form"].errors
    assert not AffiliatePostback.objects.filter(affiliate=world["alice"]).exists()


def test_an_affiliate_never_sees_revenue_or_adv_sub_of_its_own_conversions(as_alice, world):
    text = as_alice.get("/affiliate/conversions/").content.decode()

    assert "1.11" in text
    assert "2.22" not in text
    assert "ACME-ORDER" not in text


def test_an_affiliates_report_only_holds_its_own_rows(as_alice, world):
    response = as_alice.get("/affiliate/reports/", {"group_by": "offer", "affiliate": world["bob"].pk})

    text = response.content.decode()
    assert "Acme Offer" in text
    assert "Globex Private" not in text


# --- Advertisers ----------------------------------------------------------------------------------------------


def test_an_advertiser_cannot_open_test_or_snippet_another_advertisers_offer(as_acme, world):
    offer = world["globex_private"]

    assert as_acme.get(f"/advertiser/offers/{offer.pk}/").status_code == 404
    assert as_acme.post(f"/advertiser/offers/{offer.pk}/test/").status_code == 404
    assert as_acme.get(f"/advertiser/offers/{offer.pk}/test/{world['bob_click'].transaction_id}/").status_code == 404
    assert "Globex" not in as_acme.get("/advertiser/").content.decode()


@pytest.mark.parametrize(
    "params", [{}, {"offer": "GLOBEX"}, {"partner_id": "BOB"}, {"transaction_id": "BOB_TID"}, {"affiliate": "BOB"}]
)
def test_an_advertiser_never_lists_another_advertisers_conversions_whatever_the_filters(as_acme, world, params):
    values = {
        "BOB": world["bob"].pk,
        "GLOBEX": world["globex_private"].pk,
        "BOB_TID": world["bob_click"].transaction_id,
    }
    query = {name: values.get(value, value) for name, value in params.items()}

    response = as_acme.get("/advertiser/conversions/", query)

    assert world["bob_conversion"] not in response.context["object_list"]
    text = response.content.decode()
    assert "GLOBEX-ORDER" not in text and "8.88" not in text


def test_an_advertiser_never_sees_payout_or_the_affiliates_name(as_acme, world):
    text = as_acme.get("/advertiser/conversions/").content.decode()

    assert "ACME-ORDER" in text and "2.22" in text
    assert "1.11" not in text
    assert "Alice Media" not in text
    assert "alice-sub" not in text


# --- Roles ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/advertiser/", "/advertiser/conversions/"])
def test_an_affiliate_is_refused_the_advertiser_area(as_alice, path):
    assert as_alice.get(path).status_code == 403


@pytest.mark.parametrize("path", ["/affiliate/", "/affiliate/conversions/", "/affiliate/postbacks/"])
def test_an_advertiser_is_refused_the_affiliate_area(as_acme, path):
    assert as_acme.get(path).status_code == 403


@pytest.mark.parametrize("path", ["/affiliate/", "/affiliate/links/", "/advertiser/", "/advertiser/conversions/"])
def test_a_visitor_is_sent_to_sign_in(client, path):
    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"] == f"/login/?next={path}"
