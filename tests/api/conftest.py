"""A small network seen by the five callers every API test asks about: a manager, affiliate A, affiliate B,
advertiser X's user and an anonymous caller. Affiliate A and advertiser X own data; B and advertiser Y own some too,
so each test can check that one caller never reaches another's rows."""

from types import SimpleNamespace

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from conversions.models import PostbackLog
from offers.models import Offer
from tests import factories


@pytest.fixture
def network(db):
    adv_x = factories.AdvertiserFactory(name="Acme", security_token="acme-secret-token")
    adv_y = factories.AdvertiserFactory(name="Other Corp")
    aff_a = factories.AffiliateFactory(name="Blue Coupons")
    aff_b = factories.AffiliateFactory(name="Deal Hunters")
    public = factories.OfferFactory(advertiser=adv_x, name="Public offer")
    gated = factories.OfferFactory(advertiser=adv_x, name="Gated offer", visibility=Offer.Visibility.APPROVAL_REQUIRED)
    private = factories.OfferFactory(advertiser=adv_x, name="Private offer", visibility=Offer.Visibility.PRIVATE)
    other = factories.OfferFactory(advertiser=adv_y, name="Other offer")
    access_a = factories.OfferAccessFactory(offer=private, affiliate=aff_a, payout="7.50")
    goal = factories.GoalFactory(offer=public, name="deposit")
    click_a = factories.ClickFactory(offer=public, affiliate=aff_a, aff_sub="news")
    click_b = factories.ClickFactory(offer=other, affiliate=aff_b, aff_sub="blog")
    conv_a = factories.ConversionFactory(click=click_a, adv_sub="ORDER-1")
    conv_b = factories.ConversionFactory(click=click_b, adv_sub="ORDER-2")
    log_a = PostbackLog.objects.create(
        received_at=conv_a.created_at,
        source_ip="192.0.2.10",
        method="GET",
        path="/postback",
        params={"transaction_id": click_a.transaction_id, "security_token": "***"},
        verdict="approved",
        http_status=200,
        trace=[{"rule": "missing_parameter", "ok": True, "detail": ""}],
        offer=public,
        conversion=conv_a,
    )
    log_b = PostbackLog.objects.create(
        received_at=conv_b.created_at,
        source_ip="192.0.2.11",
        method="GET",
        path="/postback",
        params={"transaction_id": click_b.transaction_id},
        verdict="approved",
        http_status=200,
        trace=[],
        offer=other,
        conversion=conv_b,
    )
    # Token-only users: no password (make_password(None) is unusable and spares the deliberately slow hashing).
    no_password = {"password": None}
    users = {
        "manager": factories.ManagerFactory(username="boss", **no_password),
        "affiliate_a": factories.MembershipFactory(affiliate=aff_a, user__password=None).user,
        "affiliate_b": factories.MembershipFactory(affiliate=aff_b, user__password=None).user,
        "advertiser": factories.MembershipFactory(advertiser=adv_x, user__password=None).user,
        "anonymous": None,
    }
    return SimpleNamespace(**locals())


@pytest.fixture
def api(network):
    """api("affiliate_a") is a client that sends that caller's token (api("anonymous") sends none)."""

    def client(role):
        c = APIClient()
        user = network.users[role]
        if user is not None:
            token, _ = Token.objects.get_or_create(user=user)
            c.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return c

    return client
