"""The click endpoint's short-lived lookup cache (tracking.routing): fewer queries, and changes still take effect."""

import pytest

from offers.models import Offer
from offers.services import offer_access_set, offer_update
from partners.models import Affiliate
from partners.services import affiliate_set_status
from tests import factories
from tracking import routing
from tracking.models import Click

pytestmark = pytest.mark.django_db


def follow_link(client, offer, affiliate, **params):
    return client.get("/click", {"offer_id": offer.pk, "aff_id": affiliate.pk, **params}, REMOTE_ADDR="198.51.100.23")


def test_a_second_click_on_the_same_link_takes_one_query(client, offer, affiliate, django_assert_num_queries):
    follow_link(client, offer, affiliate)

    with django_assert_num_queries(1):
        response = follow_link(client, offer, affiliate)

    assert response.status_code == 302
    assert Click.objects.count() == 2


def test_with_the_cache_off_every_click_looks_the_link_up(
    client, offer, affiliate, settings, django_assert_num_queries
):
    settings.TALLY_CLICK_CACHE_SECONDS = 0
    follow_link(client, offer, affiliate)

    # The offer, its access rows, the affiliate, the blocklists (quality.blocklist), the insert.
    with django_assert_num_queries(5):
        response = follow_link(client, offer, affiliate)

    assert response.status_code == 302


def test_a_first_click_of_a_known_offer_and_a_known_affiliate_takes_one_query(
    client, offer, affiliate, django_assert_num_queries
):
    other_offer, other_affiliate = factories.OfferFactory(), factories.AffiliateFactory()
    follow_link(client, offer, other_affiliate)
    follow_link(client, other_offer, affiliate)

    with django_assert_num_queries(1):
        response = follow_link(client, offer, affiliate)

    assert response.status_code == 302


def test_suspending_an_affiliate_through_its_service_stops_its_clicks_at_once(client, offer, affiliate):
    assert follow_link(client, offer, affiliate).status_code == 302

    affiliate_set_status(affiliate=affiliate, status=Affiliate.Status.SUSPENDED)

    response = follow_link(client, offer, affiliate)
    assert response.status_code == 403
    assert Click.objects.count() == 1


def test_pausing_an_offer_through_its_service_sends_clicks_to_the_fallback_at_once(client, affiliate):
    offer = factories.OfferFactory(fallback_url="https://shop.example/other-deals")
    assert follow_link(client, offer, affiliate).status_code == 302

    offer_update(offer=offer, status=Offer.Status.PAUSED)

    response = follow_link(client, offer, affiliate)
    assert response["Location"] == "https://shop.example/other-deals"
    assert Click.objects.count() == 1


def test_blocking_an_affiliate_on_an_offer_stops_its_clicks_at_once(client, offer, affiliate):
    assert follow_link(client, offer, affiliate).status_code == 302

    offer_access_set(offer=offer, affiliate=affiliate, status="blocked")

    assert follow_link(client, offer, affiliate).status_code == 403
    assert Click.objects.count() == 1


def test_a_change_that_sends_no_signal_takes_effect_once_the_cache_bound_has_passed(
    client, offer, affiliate, settings, monkeypatch
):
    settings.TALLY_CLICK_CACHE_SECONDS = 5
    clock = [1000.0]
    monkeypatch.setattr(routing, "monotonic", lambda: clock[0])
    assert follow_link(client, offer, affiliate).status_code == 302

    # A bulk update (or another process's save) does not reach this process's cache...
    Affiliate.objects.filter(pk=affiliate.pk).update(status=Affiliate.Status.SUSPENDED)
    clock[0] += 4.9
    assert follow_link(client, offer, affiliate).status_code == 302

    # ...but no cached entry outlives the bound.
    clock[0] += 0.2
    assert follow_link(client, offer, affiliate).status_code == 403
    assert Click.objects.count() == 2


def test_a_link_to_an_unknown_affiliate_is_not_remembered(client, offer, django_assert_num_queries):
    missing = Affiliate(pk=987654321)
    assert follow_link(client, offer, missing).status_code == 404

    with django_assert_num_queries(1):
        assert follow_link(client, offer, missing).status_code == 404


def test_repeat_clicks_with_no_usable_ip_are_not_unique(client, offer, affiliate, settings):
    settings.TALLY_TRUSTED_PROXY_COUNT = 1
    for _ in range(2):
        client.get("/click", {"offer_id": offer.pk, "aff_id": affiliate.pk}, headers={"x-forwarded-for": "unknown"})

    assert list(Click.objects.order_by("pk").values_list("ip", "is_unique")) == [(None, True), (None, False)]
