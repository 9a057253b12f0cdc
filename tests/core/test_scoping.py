"""core.scoping.restrict: the one role switch every selector scopes its rows with."""

import pytest
from django.contrib.auth.models import AnonymousUser

from core.scoping import restrict
from partners.models import Advertiser, Affiliate
from tests import factories
from tracking.models import Click

pytestmark = pytest.mark.django_db

PATHS = {"affiliate": "affiliate_id", "advertiser": "offer__advertiser_id"}


@pytest.fixture
def world():
    """Two advertisers with an offer each, two affiliates, and a click by each affiliate on each offer."""
    acme, globex = factories.AdvertiserFactory(), factories.AdvertiserFactory()
    alice, bob = factories.AffiliateFactory(), factories.AffiliateFactory()
    acme_offer, globex_offer = factories.OfferFactory(advertiser=acme), factories.OfferFactory(advertiser=globex)
    clicks = {
        (affiliate.pk, offer.pk): factories.ClickFactory(offer=offer, affiliate=affiliate)
        for affiliate in (alice, bob)
        for offer in (acme_offer, globex_offer)
    }
    return {"acme": acme, "alice": alice, "acme_offer": acme_offer, "clicks": clicks}


def affiliate_user_of(affiliate):
    return factories.MembershipFactory(affiliate=affiliate).user


def advertiser_user_of(advertiser):
    return factories.MembershipFactory(advertiser=advertiser).user


def test_a_manager_sees_every_row(world):
    manager = factories.ManagerFactory()
    assert set(restrict(Click.objects.all(), manager, **PATHS)) == set(world["clicks"].values())


def test_a_manager_sees_every_row_even_with_no_paths(world):
    manager = factories.ManagerFactory()
    assert restrict(Click.objects.all(), manager).count() == len(world["clicks"])


def test_an_affiliate_sees_the_rows_on_its_affiliate_path(world):
    alice = world["alice"]
    rows = restrict(Click.objects.all(), affiliate_user_of(alice), **PATHS)
    assert set(rows) == {click for click in world["clicks"].values() if click.affiliate_id == alice.pk}
    assert rows.count() == 2


def test_an_advertiser_sees_the_rows_on_its_advertiser_path(world):
    acme = world["acme"]
    rows = restrict(Click.objects.all(), advertiser_user_of(acme), **PATHS)
    assert set(rows) == {click for click in world["clicks"].values() if click.offer.advertiser_id == acme.pk}
    assert rows.count() == 2


def test_a_role_given_no_path_sees_nothing(world):
    assert not restrict(Click.objects.all(), affiliate_user_of(world["alice"]), advertiser="offer__advertiser_id")
    assert not restrict(Click.objects.all(), advertiser_user_of(world["acme"]), affiliate="affiliate_id")


@pytest.mark.parametrize("make_user", [AnonymousUser, factories.UserFactory, lambda: None])
def test_anyone_else_sees_nothing(world, make_user):
    """Anonymous, a login with no membership, no user at all: scoping fails closed."""
    assert not restrict(Click.objects.all(), make_user(), **PATHS).exists()


def test_the_path_may_be_the_primary_key(world):
    """partners' own lists: an affiliate's user sees its affiliate row, an advertiser's user its advertiser row."""
    alice, acme = world["alice"], world["acme"]
    assert list(restrict(Affiliate.objects.all(), affiliate_user_of(alice), affiliate="pk")) == [alice]
    assert list(restrict(Advertiser.objects.all(), advertiser_user_of(acme), advertiser="pk")) == [acme]


def test_a_callable_rule_gets_the_queryset_and_user(world):
    """A role with a rule of its own (offers for affiliates) passes a callable instead of a path."""
    alice = world["alice"]
    user = affiliate_user_of(alice)
    seen = []

    def only_acme_offer(queryset, who):
        seen.append(who)
        return queryset.filter(offer=world["acme_offer"], affiliate=who.membership.affiliate)

    rows = restrict(Click.objects.all(), user, affiliate=only_acme_offer, advertiser="offer__advertiser_id")
    assert list(rows) == [world["clicks"][(alice.pk, world["acme_offer"].pk)]]
    assert seen == [user]


def test_a_callable_rule_is_not_used_for_other_roles(world):
    def boom(queryset, user):
        raise AssertionError("the affiliate rule ran for someone else")

    by_acme = advertiser_user_of(world["acme"])
    assert restrict(Click.objects.all(), by_acme, affiliate=boom, advertiser="offer__advertiser_id").count() == 2
    assert restrict(Click.objects.all(), factories.ManagerFactory(), affiliate=boom).count() == 4
    assert not restrict(Click.objects.all(), AnonymousUser(), affiliate=boom).exists()
