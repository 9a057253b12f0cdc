"""Every list sorts by its columns through ?ordering= (core.filters.SortFilter): offers, offer access, advertisers and
affiliates for managers; offers, conversions and postback deliveries in the affiliate and advertiser areas. The page
and the API use one allow-list; the page ignores a column outside it and the API answers 400; no role sorts by a
column hidden from it."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from conversions.models import PostbackDelivery
from offers.models import OfferAccess
from tests import factories

pytestmark = pytest.mark.django_db


def ids(rows):
    return [row.pk for row in rows]


def page_ids(client, path, **params):
    response = client.get(path, params)
    assert response.status_code == 200
    return ids(response.context["object_list"])


def api_ids(client, path, **params):
    response = client.get(path, params)
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def signed_in_as(client, **membership):
    client.force_login(factories.MembershipFactory(**membership).user)
    return client


# --- Manager: offers ------------------------------------------------------------------------------------------


@pytest.fixture
def offers():
    """Three offers whose names, payouts and revenues each sort them differently."""
    advertiser = factories.AdvertiserFactory(name="Mid Advertiser")
    return [
        factories.OfferFactory(name="Apple", payout=Decimal("9.00"), revenue=Decimal("10.00"), advertiser=advertiser),
        factories.OfferFactory(name="Banana", payout=Decimal("1.00"), revenue=Decimal("30.00"), advertiser=advertiser),
        factories.OfferFactory(name="Cherry", payout=Decimal("5.00"), revenue=Decimal("20.00"), advertiser=advertiser),
    ]


def test_the_offer_list_sorts_by_payout_and_the_api_agrees(manager_client, offers):
    apple, banana, cherry = offers
    assert page_ids(manager_client, "/manage/offers/", ordering="-payout") == ids([apple, cherry, banana])
    assert api_ids(manager_client, "/api/v1/offers/", ordering="-payout") == ids([apple, cherry, banana])
    assert page_ids(manager_client, "/manage/offers/", ordering="revenue") == ids([apple, cherry, banana])
    assert page_ids(manager_client, "/manage/offers/", ordering="-name") == ids([cherry, banana, apple])


def test_the_offer_list_headers_link_to_their_sorts(manager_client, offers):
    page = manager_client.get("/manage/offers/", {"ordering": "-payout", "status": "active"}).content.decode()
    assert '<th class="num" aria-sort="descending"><a class="sort" href="?ordering=payout&amp;status=active">' in page
    for column in ("id", "name", "advertiser", "status", "visibility", "revenue"):
        assert f'href="?ordering=-{column}&amp;status=active"' in page


def test_an_offer_column_outside_the_allow_list_is_refused_by_the_api_and_ignored_by_the_page(manager_client, offers):
    assert manager_client.get("/api/v1/offers/", {"ordering": "destination_url"}).status_code == 400
    default = page_ids(manager_client, "/manage/offers/")
    assert page_ids(manager_client, "/manage/offers/", ordering="destination_url") == default


def test_an_advertiser_sorts_its_offers_by_what_it_pays_never_by_the_affiliates_payout(client, offers):
    apple, banana, cherry = offers
    signed_in_as(client, advertiser=apple.advertiser)
    assert page_ids(client, "/advertiser/", ordering="-revenue") == ids([banana, cherry, apple])
    assert api_ids(client, "/api/v1/offers/", ordering="-revenue") == ids([banana, cherry, apple])
    assert client.get("/api/v1/offers/", {"ordering": "payout"}).status_code == 400
    # The page ignores it: the default order (by name), not by payout (banana, cherry, apple).
    assert page_ids(client, "/advertiser/", ordering="payout") == ids([apple, banana, cherry])
    assert "?ordering=-payout" not in client.get("/advertiser/").content.decode()


def test_an_affiliate_sorts_offers_by_what_it_earns_there_never_by_revenue_or_advertiser(client, offers):
    apple, banana, cherry = offers
    affiliate = factories.AffiliateFactory()
    # Its own payout on Banana (1.00 for everyone else) puts Banana first.
    factories.OfferAccessFactory(offer=banana, affiliate=affiliate, payout=Decimal("50.00"))
    signed_in_as(client, affiliate=affiliate)
    assert page_ids(client, "/affiliate/offers/", ordering="-payout") == ids([banana, apple, cherry])
    assert api_ids(client, "/api/v1/offers/", ordering="-payout") == ids([banana, apple, cherry])
    assert api_ids(client, "/api/v1/offers/", ordering="payout") == ids([cherry, apple, banana])
    for hidden in ("revenue", "-advertiser"):
        assert client.get("/api/v1/offers/", {"ordering": hidden}).status_code == 400
        assert page_ids(client, "/affiliate/offers/", ordering=hidden) == ids([apple, banana, cherry])
    page = client.get("/affiliate/offers/", {"ordering": "-payout"}).content.decode()
    assert '<th class="num" aria-sort="descending"><a class="sort" href="?ordering=payout">Your payout' in page


# --- Manager: offer access -------------------------------------------------------------------------------------


@pytest.fixture
def access_rows():
    offer = factories.OfferFactory(name="Spring sale")
    return [
        factories.OfferAccessFactory(offer=offer, affiliate=factories.AffiliateFactory(name=name), payout=payout)
        for name, payout in (("Zed Media", Decimal("3.00")), ("Alpha Ads", None), ("Mono Traffic", Decimal("7.00")))
    ]


def test_the_offer_access_list_sorts_by_affiliate_and_the_api_agrees(manager_client, access_rows):
    zed, alpha, mono = access_rows
    assert page_ids(manager_client, "/manage/access/", ordering="affiliate") == ids([alpha, mono, zed])
    assert api_ids(manager_client, "/api/v1/offer-access/", ordering="affiliate") == ids([alpha, mono, zed])
    OfferAccess.objects.filter(pk=alpha.pk).update(updated_at=timezone.now() + timedelta(minutes=5))
    assert page_ids(manager_client, "/manage/access/", ordering="-updated_at")[0] == alpha.pk
    page = manager_client.get("/manage/access/", {"ordering": "affiliate"}).content.decode()
    assert 'aria-sort="ascending"><a class="sort" href="?ordering=-affiliate">Affiliate' in page


def test_an_offer_access_column_outside_the_allow_list_is_refused_by_the_api_and_ignored_by_the_page(
    manager_client, access_rows
):
    assert manager_client.get("/api/v1/offer-access/", {"ordering": "affiliate__contact_email"}).status_code == 400
    default = page_ids(manager_client, "/manage/access/")
    assert page_ids(manager_client, "/manage/access/", ordering="affiliate__contact_email") == default


def test_an_advertiser_sorts_access_rows_by_neither_payout_overrides_nor_affiliate_names(client, access_rows):
    signed_in_as(client, advertiser=access_rows[0].offer.advertiser)
    assert client.get("/api/v1/offer-access/", {"ordering": "payout"}).status_code == 400
    assert client.get("/api/v1/offer-access/", {"ordering": "affiliate"}).status_code == 400
    assert client.get("/api/v1/offer-access/", {"ordering": "status"}).status_code == 200


# --- Manager: advertisers and affiliates ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("page", "api", "factory"),
    [
        ("/manage/advertisers/", "/api/v1/advertisers/", factories.AdvertiserFactory),
        ("/manage/affiliates/", "/api/v1/affiliates/", factories.AffiliateFactory),
    ],
)
def test_the_partner_lists_sort_by_name_and_refuse_other_columns(manager_client, page, api, factory):
    b, c, a = factory(name="Bravo"), factory(name="Charlie"), factory(name="Alpha")
    assert page_ids(manager_client, page, ordering="-name") == ids([c, b, a])
    assert api_ids(manager_client, api, ordering="-name") == ids([c, b, a])
    assert page_ids(manager_client, page, ordering="id") == ids([b, c, a])
    text = manager_client.get(page, {"ordering": "-name"}).content.decode()
    assert 'aria-sort="descending"><a class="sort" href="?ordering=name">' in text
    assert manager_client.get(api, {"ordering": "security_token"}).status_code == 400
    assert page_ids(manager_client, page, ordering="security_token") == page_ids(manager_client, page)


def test_the_affiliate_list_sorts_by_the_day_they_joined(manager_client):
    old, new = factories.AffiliateFactory(name="Zulu"), factories.AffiliateFactory(name="Alpha")
    type(old).objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=30))
    assert page_ids(manager_client, "/manage/affiliates/", ordering="created_at") == ids([old, new])
    assert page_ids(manager_client, "/manage/affiliates/", ordering="-created_at") == ids([new, old])


# --- The affiliate's and the advertiser's conversions ---------------------------------------------------------


@pytest.fixture
def conversions():
    offer = factories.OfferFactory(name="Spring sale")
    affiliate = factories.AffiliateFactory()
    return [
        factories.ConversionFactory(
            click__offer=offer, click__affiliate=affiliate, payout=Decimal(payout), revenue=Decimal(revenue)
        )
        for payout, revenue in (("2.00", "30.00"), ("9.00", "10.00"), ("5.00", "20.00"))
    ]


def test_the_affiliates_conversions_sort_by_payout_but_not_by_revenue(client, conversions):
    low, high, mid = conversions
    signed_in_as(client, affiliate=low.affiliate)
    assert page_ids(client, "/affiliate/conversions/", ordering="-payout") == ids([high, mid, low])
    assert page_ids(client, "/affiliate/conversions/", ordering="revenue") == ids([mid, high, low])  # newest first
    page = client.get("/affiliate/conversions/", {"ordering": "-payout"}).content.decode()
    assert '<th class="num" aria-sort="descending"><a class="sort" href="?ordering=payout">Payout' in page
    assert "ordering=-revenue" not in page


def test_the_advertisers_conversions_sort_by_revenue_but_not_by_payout(client, conversions):
    low, high, mid = conversions
    signed_in_as(client, advertiser=low.offer.advertiser)
    assert page_ids(client, "/advertiser/conversions/", ordering="-revenue") == ids([low, mid, high])
    assert page_ids(client, "/advertiser/conversions/", ordering="-payout") == ids([mid, high, low])  # newest first
    page = client.get("/advertiser/conversions/", {"ordering": "-revenue"}).content.decode()
    assert '<th class="num" aria-sort="descending"><a class="sort" href="?ordering=revenue">Revenue' in page
    assert "ordering=-payout" not in page and "ordering=-affiliate" not in page


# --- The affiliate's postback deliveries ----------------------------------------------------------------------


def test_the_affiliates_deliveries_sort_by_time_only_and_keep_their_status_filter(client):
    affiliate = factories.AffiliateFactory()
    now = timezone.now()

    def delivery(status, age):
        conversion = factories.ConversionFactory(click__affiliate=affiliate)
        row = PostbackDelivery.objects.create(
            conversion=conversion,
            conversion_status="approved",
            status=status,
            next_attempt_at=now if status == PostbackDelivery.Status.PENDING else None,
            give_up_at=now,
        )
        PostbackDelivery.objects.filter(pk=row.pk).update(created_at=now - age)
        return row

    old = delivery(PostbackDelivery.Status.DELIVERED, timedelta(hours=2))
    new = delivery(PostbackDelivery.Status.FAILED, timedelta(hours=1))
    signed_in_as(client, affiliate=affiliate)
    path = "/affiliate/postbacks/deliveries/"
    assert page_ids(client, path) == ids([new, old])
    assert page_ids(client, path, ordering="created_at") == ids([old, new])
    assert page_ids(client, path, ordering="attempts") == ids([new, old])  # not a sort: ignored
    assert page_ids(client, path, ordering="created_at", status="failed") == ids([new])
    page = client.get(path, {"ordering": "created_at"}).content.decode()
    assert 'aria-sort="ascending"><a class="sort" href="?ordering=-created_at">Created (UTC)' in page
