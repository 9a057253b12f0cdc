"""A click outside its offer's targeting (docs/clicks.md#traffic-quality): no transaction ID, the fallback or a 403,
counted with its reason; inside it, a click stored with its country, device and OS."""

import pytest

from quality.models import RefusedClickCount
from tests import factories
from tests.quality import helpers as h
from tracking.models import Click

pytestmark = pytest.mark.django_db

Reason = RefusedClickCount.Reason


def test_a_click_records_its_country_device_and_os(client, affiliate):
    offer = factories.OfferFactory()

    response = h.follow(client, offer, affiliate, ip=h.GB_IPV4, agent=h.IPHONE)

    assert response.status_code == 302
    click = Click.objects.get()
    assert (click.country, click.device, click.os) == ("GB", "mobile", "ios")
    assert click.transaction_id in response["Location"]


def test_an_ipv6_click_records_its_country(client, affiliate):
    h.follow(client, factories.OfferFactory(), affiliate, ip=h.DE_IPV6)

    assert Click.objects.get().country == "DE"


@pytest.mark.parametrize(
    ("ip", "allowed"), [(h.US_IPV4, True), (h.US_IPV6, True), (h.GB_IPV4, False), (h.DE_IPV6, False)]
)
def test_allowed_countries_let_only_their_clicks_in_over_ipv4_and_ipv6(client, affiliate, ip, allowed):
    offer = factories.OfferFactory(allowed_countries=["US", "CA"])

    response = h.follow(client, offer, affiliate, ip=ip)

    assert (response.status_code == 302) is allowed
    assert h.stored() == (1 if allowed else 0)
    assert h.refused(Reason.GEO) == (0 if allowed else 1)


@pytest.mark.parametrize(
    ("ip", "allowed"), [(h.US_IPV4, True), (h.DE_IPV4, False), (h.DE_IPV6, False), (h.US_IPV6, True)]
)
def test_blocked_countries_keep_their_clicks_out(client, affiliate, ip, allowed):
    offer = factories.OfferFactory(blocked_countries=["DE"])

    response = h.follow(client, offer, affiliate, ip=ip)

    assert h.stored() == (1 if allowed else 0)
    assert response.status_code == (302 if allowed else 403)


def test_a_refused_click_without_a_fallback_gets_a_clear_403_page_and_no_transaction_id(client, affiliate):
    offer = factories.OfferFactory(allowed_countries=["US"], fallback_url="")

    response = h.follow(client, offer, affiliate, ip=h.GB_IPV4)

    assert response.status_code == 403
    assert b"not available in your country" in response.content
    assert "Location" not in response
    assert h.stored() == 0


def test_a_refused_click_goes_to_the_offers_fallback_url_exactly_as_typed(client, affiliate):
    offer = factories.OfferFactory(allowed_countries=["US"], fallback_url="https://other.example/offers?from=geo")

    response = h.follow(client, offer, affiliate, ip=h.GB_IPV4)

    assert response.status_code == 302
    assert response["Location"] == "https://other.example/offers?from=geo"
    assert h.stored() == 0
    assert h.refused(Reason.GEO) == 1


@pytest.mark.parametrize("ip", [h.PRIVATE_IPV4, "::1"])
def test_a_click_of_unknown_country_fails_an_allow_list_but_passes_a_block_list(client, affiliate, ip):
    allow_list = factories.OfferFactory(allowed_countries=["US"])
    block_list = factories.OfferFactory(blocked_countries=["US"])

    assert h.follow(client, allow_list, affiliate, ip=ip).status_code == 403
    assert h.follow(client, block_list, affiliate, ip=ip).status_code == 302
    assert Click.objects.get().country == ""
    assert h.refused(Reason.GEO) == 1


def test_a_country_both_allowed_and_blocked_is_blocked(client, affiliate):
    offer = factories.OfferFactory(allowed_countries=["US", "GB"], blocked_countries=["US"])

    assert h.follow(client, offer, affiliate, ip=h.US_IPV4).status_code == 403
    assert h.follow(client, offer, affiliate, ip=h.GB_IPV4).status_code == 302


@pytest.mark.parametrize(
    ("agent", "allowed"),
    [(h.IPHONE, True), (h.ANDROID_PHONE, True), (h.IPAD, False), (h.DESKTOP_WINDOWS, False), ("", False)],
)
def test_allowed_device_types_let_only_their_clicks_in(client, affiliate, agent, allowed):
    offer = factories.OfferFactory(allowed_devices=["mobile"])

    response = h.follow(client, offer, affiliate, agent=agent)

    assert h.stored() == (1 if allowed else 0)
    assert h.refused(Reason.DEVICE) == (0 if allowed else 1)
    if not allowed:
        assert b"not available on your device" in response.content


@pytest.mark.parametrize(
    ("agent", "allowed"),
    [(h.ANDROID_PHONE, True), (h.ANDROID_TABLET, True), (h.IPHONE, False), (h.DESKTOP_MAC, False), ("zzz", False)],
)
def test_allowed_operating_systems_let_only_their_clicks_in(client, affiliate, agent, allowed):
    offer = factories.OfferFactory(allowed_os=["android"])

    h.follow(client, offer, affiliate, agent=agent)

    assert h.stored() == (1 if allowed else 0)
    assert h.refused(Reason.DEVICE) == (0 if allowed else 1)


def test_a_head_request_gets_the_refusal_a_get_would_but_is_not_counted(client, affiliate):
    offer = factories.OfferFactory(allowed_countries=["US"])

    response = h.follow(client, offer, affiliate, ip=h.GB_IPV4, method="head")

    assert response.status_code == 403
    assert h.refused() == 0


@pytest.mark.parametrize(
    "forwarded", ["not-an-ip", "8.8.8.8:443", "999.999.999.999", "8.8.8.8, ::ffff:zz", "\u00e9\u00e9", "1" * 500]
)
def test_a_malformed_forwarded_address_is_of_unknown_country_and_never_a_500(client, affiliate, settings, forwarded):
    settings.TALLY_TRUSTED_PROXY_COUNT = 1
    open_offer, us_only = factories.OfferFactory(), factories.OfferFactory(allowed_countries=["US"])

    def follow(offer):
        query = {"offer_id": offer.pk, "aff_id": affiliate.pk}
        return client.get("/click", query, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)

    assert follow(open_offer).status_code == 302
    assert follow(us_only).status_code == 403
    click = Click.objects.get()
    assert (click.ip, click.country) == (None, "")


def test_a_forwarded_address_from_a_trusted_proxy_decides_the_country(client, affiliate, settings):
    settings.TALLY_TRUSTED_PROXY_COUNT = 1
    offer = factories.OfferFactory(allowed_countries=["GB"])

    query = {"offer_id": offer.pk, "aff_id": affiliate.pk}
    response = client.get("/click", query, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=f"{h.US_IPV4}, {h.GB_IPV4}")

    assert response.status_code == 302
    assert Click.objects.get().country == "GB"
