"""GET /click and its HasOffers alias /aff_c (docs/clicks.md)."""

import re
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, quote, urlsplit

import pytest
import time_machine

from offers.macros import CLICK_MACROS, macros_in
from offers.models import Offer, OfferAccess
from partners.models import Affiliate
from tests import factories
from tracking.models import SUB_FIELDS, Click

pytestmark = pytest.mark.django_db

NOW = datetime(2025, 3, 14, 15, 9, 26, tzinfo=UTC)
BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
SHOPPER_IP = "198.51.100.23"


def follow_link(client, offer, affiliate, path="/click", headers=None, remote_addr=SHOPPER_IP, **params):
    """A shopper's browser following an affiliate's tracking link."""
    query = {"offer_id": offer.pk, "aff_id": affiliate.pk, **params}
    headers = {"user-agent": BROWSER} if headers is None else headers
    return client.get(path, query, headers=headers, REMOTE_ADDR=remote_addr)


def only_click():
    assert Click.objects.count() == 1
    return Click.objects.get()


# --- success ---------------------------------------------------------------------------------------------------


def test_a_click_on_a_public_offer_redirects_to_the_destination_with_both_macro_spellings_filled(
    client, offer, affiliate
):
    response = follow_link(client, offer, affiliate, aff_sub="spring-sale")

    click = only_click()
    assert response.status_code == 302
    assert response["Location"] == f"https://shop.example/landing?tid={click.transaction_id}&sub=spring-sale"


def test_a_click_is_stored_with_its_sub_ids_ip_user_agent_and_referer(client, offer, affiliate):
    subs = {field: f"value-of-{field}" for field in SUB_FIELDS}

    response = follow_link(
        client,
        offer,
        affiliate,
        headers={"user-agent": BROWSER, "referer": "https://blog.example/post?id=7"},
        **subs,
    )

    assert response.status_code == 302
    click = only_click()
    assert click.offer == offer
    assert click.affiliate == affiliate
    assert {field: getattr(click, field) for field in SUB_FIELDS} == subs
    assert click.ip == SHOPPER_IP
    assert click.user_agent == BROWSER
    assert click.referer == "https://blog.example/post?id=7"
    assert click.is_unique is True


def test_sub_ids_not_passed_are_stored_empty(client, offer, affiliate):
    follow_link(client, offer, affiliate)

    click = only_click()
    assert all(getattr(click, field) == "" for field in SUB_FIELDS)


@time_machine.travel(NOW, tick=False)
def test_the_session_expires_the_offers_session_hours_after_the_click(client, affiliate):
    offer = factories.OfferFactory(session_hours=672)

    follow_link(client, offer, affiliate)

    click = only_click()
    assert click.created_at == NOW
    assert click.expires_at == NOW + timedelta(hours=672)


@time_machine.travel(NOW, tick=False)
def test_an_offer_with_the_default_lifespan_keeps_the_session_for_the_settings_default(client, affiliate, settings):
    settings.TALLY_DEFAULT_SESSION_HOURS = 720
    offer = factories.OfferFactory()

    follow_link(client, offer, affiliate)

    click = only_click()
    assert click.expires_at - click.created_at == timedelta(days=30)


def test_each_click_gets_a_different_transaction_id_of_32_hex_characters(client, offer, affiliate):
    locations = [follow_link(client, offer, affiliate)["Location"] for _ in range(5)]

    transaction_ids = list(Click.objects.values_list("transaction_id", flat=True))
    assert len(set(transaction_ids)) == 5
    assert all(re.fullmatch(r"[0-9a-f]{32}", tid) for tid in transaction_ids)
    assert {parse_qs(urlsplit(location).query)["tid"][0] for location in locations} == set(transaction_ids)


def test_aff_sub1_is_accepted_as_a_synonym_of_aff_sub(client, offer, affiliate):
    response = follow_link(client, offer, affiliate, aff_sub1="from-aff-sub1")

    assert response.status_code == 302
    assert response["Location"].endswith("&sub=from-aff-sub1")
    assert only_click().aff_sub == "from-aff-sub1"


def test_aff_sub_wins_when_both_aff_sub_and_aff_sub1_are_given(client, offer, affiliate):
    follow_link(client, offer, affiliate, aff_sub="primary", aff_sub1="synonym")

    assert only_click().aff_sub == "primary"


def test_unknown_parameters_are_ignored_and_never_choose_the_redirect(client, offer, affiliate):
    response = follow_link(
        client, offer, affiliate, aff_sub="x", url="https://evil.example/", redirect="//evil.example", utm_source="fb"
    )

    assert response.status_code == 302
    assert urlsplit(response["Location"]).hostname == "shop.example"
    assert "evil" not in response["Location"]
    assert only_click().aff_sub == "x"


def test_the_hasoffers_aff_c_path_records_a_click_and_redirects_like_click(client, offer, affiliate):
    response = follow_link(client, offer, affiliate, path="/aff_c", aff_sub="migrated")

    click = only_click()
    assert response.status_code == 302
    assert response["Location"] == f"https://shop.example/landing?tid={click.transaction_id}&sub=migrated"


@time_machine.travel(NOW, tick=False)
def test_every_click_macro_is_filled_with_the_clicks_values(client, affiliate):
    # Alternate the two spellings so each is exercised on a different set of macros.
    query = "&".join(
        f"{name}={{{name}}}" if index % 2 else f"{name}=<{name}>" for index, name in enumerate(CLICK_MACROS)
    )
    offer = factories.OfferFactory(destination_url=f"https://shop.example/landing?{query}")
    assert set(macros_in(offer.destination_url)) == set(CLICK_MACROS)
    subs = {field: f"{field}-value" for field in SUB_FIELDS}

    response = follow_link(client, offer, affiliate, **subs)

    assert response.status_code == 302
    click = only_click()
    filled = {name: values[0] for name, values in parse_qs(urlsplit(response["Location"]).query).items()}
    assert filled == {
        "transaction_id": click.transaction_id,
        "affiliate_id": str(affiliate.pk),
        "offer_id": str(offer.pk),
        **subs,
        "advertiser_id": str(offer.advertiser_id),
        "date": "2025-03-14",
        "datetime": "2025-03-14T15:09:26Z",
        "timestamp": str(int(NOW.timestamp())),
    }


def test_macros_are_filled_in_the_path_and_fragment_too(client, affiliate):
    offer = factories.OfferFactory(destination_url="https://shop.example/o/<offer_id>/a/{affiliate_id}#{aff_sub}")

    response = follow_link(client, offer, affiliate, aff_sub="frag")

    assert response["Location"] == f"https://shop.example/o/{offer.pk}/a/{affiliate.pk}#frag"


# --- hostile values ---------------------------------------------------------------------------------------------

HOSTILE_VALUES = [
    "two words",
    "a&aff_sub=b&tid=forged",
    "x#fragment",
    "../../evil.example/path",
    "?next=https://evil.example/",
    "@evil.example",
    "//evil.example",
    "ünïcødé ✓ 日本語 🙂",
    "\r\nSet-Cookie: stolen=1",
    "%41already%2Fencoded",
    "<aff_sub2>{transaction_id}",
]


@pytest.mark.parametrize("value", HOSTILE_VALUES)
def test_a_hostile_sub_id_is_percent_encoded_and_never_changes_the_host(client, affiliate, value):
    offer = factories.OfferFactory(destination_url="https://shop.example/go/{aff_sub}?s=<aff_sub>&t=1#{aff_sub}")

    response = follow_link(client, offer, affiliate, aff_sub=value, aff_sub2="second")

    assert response.status_code == 302
    location = response["Location"]
    encoded = quote(value, safe="")
    assert location == f"https://shop.example/go/{encoded}?s={encoded}&t=1#{encoded}"
    parts = urlsplit(location)
    assert parts.scheme == "https"
    assert parts.netloc == "shop.example"
    assert parse_qs(parts.query) == {"s": [value], "t": ["1"]}
    assert only_click().aff_sub == value


def test_sub_ids_of_2000_characters_are_stored_whole_and_encoded_in_the_redirect(client, affiliate):
    query = "&".join(f"{field}={{{field}}}" for field in SUB_FIELDS)
    offer = factories.OfferFactory(destination_url=f"https://shop.example/landing?{query}")
    # Four 2,000-character values, one hostile (~5,300 characters once encoded): ~11,400 in all, under the cap below.
    subs = {field: "" for field in SUB_FIELDS}
    subs.update({field: (f"{field}.x" * 300)[:2000] for field in ("aff_sub2", "source", "aff_click_id")})
    subs["aff_sub"] = ("sub é&/?#" * 300)[:2000]

    response = follow_link(client, offer, affiliate, **subs)

    assert response.status_code == 302
    parts = urlsplit(response["Location"])
    assert parts.netloc == "shop.example"
    assert {name: values[0] for name, values in parse_qs(parts.query, keep_blank_values=True).items()} == subs
    click = only_click()
    assert {field: getattr(click, field) for field in SUB_FIELDS} == subs


def test_sub_ids_that_would_make_the_landing_url_too_long_to_redirect_are_a_400_and_no_click(client, affiliate):
    # Each emoji is 12 characters once percent-encoded: 2,000 of them overflow Django's 16,384-character redirect cap.
    offer = factories.OfferFactory(destination_url="https://shop.example/landing?s={aff_sub}")

    response = follow_link(client, offer, affiliate, aff_sub="🙂" * 2000)

    assert response.status_code == 400
    assert "landing URL too long" in response.content.decode()
    assert not response.has_header("Location")
    assert Click.objects.count() == 0


def test_a_sub_id_of_exactly_the_maximum_length_is_accepted(client, offer, affiliate, settings):
    value = "x" * settings.TALLY_MAX_PARAM_LENGTH

    response = follow_link(client, offer, affiliate, aff_sub=value)

    assert response.status_code == 302
    assert only_click().aff_sub == value


@pytest.mark.parametrize("field", [*SUB_FIELDS, "aff_sub1"])
def test_a_sub_id_longer_than_the_maximum_is_refused_with_400_and_no_click(client, offer, affiliate, settings, field):
    assert settings.TALLY_MAX_PARAM_LENGTH == 2048

    response = follow_link(client, offer, affiliate, **{field: "x" * 2049})

    assert response.status_code == 400
    assert "longer than 2048" in response.content.decode()
    assert not response.has_header("Location")
    assert Click.objects.count() == 0


@pytest.mark.parametrize("field", [*SUB_FIELDS, "aff_sub1"])
def test_a_nul_byte_in_a_sub_id_is_refused_with_400_and_no_click(client, offer, affiliate, field):
    response = follow_link(client, offer, affiliate, **{field: "abc\x00def"})

    assert response.status_code == 400
    assert "NUL" in response.content.decode()
    assert Click.objects.count() == 0


@pytest.mark.parametrize("header", ["user-agent", "referer"])
def test_a_nul_byte_in_a_header_is_dropped_not_a_server_error(client, offer, affiliate, header):
    headers = {"user-agent": BROWSER, header: "before\x00after"}

    response = follow_link(client, offer, affiliate, headers=headers)

    assert response.status_code == 302
    assert getattr(only_click(), header.replace("-", "_")) == "beforeafter"


def test_a_click_without_a_user_agent_header_is_recorded(client, offer, affiliate):
    response = follow_link(client, offer, affiliate, headers={})

    assert response.status_code == 302
    click = only_click()
    assert click.user_agent == ""
    assert click.referer == ""


def test_a_very_long_user_agent_and_referer_are_truncated_not_refused(client, offer, affiliate):
    headers = {"user-agent": "U" * 5000, "referer": "https://blog.example/" + "r" * 5000}

    response = follow_link(client, offer, affiliate, headers=headers)

    assert response.status_code == 302
    click = only_click()
    assert click.user_agent == "U" * 1000
    assert len(click.referer) == 2000


# --- failures ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("missing", ["offer_id", "aff_id"])
def test_a_link_missing_offer_id_or_aff_id_is_a_404_and_stores_no_click(client, offer, affiliate, missing):
    query = {"offer_id": offer.pk, "aff_id": affiliate.pk}
    del query[missing]

    response = client.get("/click", query)

    assert response.status_code == 404
    assert "Link not found" in response.content.decode()
    assert Click.objects.count() == 0


# Each wraps the real ID ({}), so a lenient parser would find the row and record a click.
MALFORMED_IDS = ["", "abc", "-{}", "+{}", "{}.0", "{}e0", "0x{}", " {}", "{} ", "{}\n", "{}\x00", "{};--", "{},{}"]


@pytest.mark.parametrize("value", [*MALFORMED_IDS, "１", "9" * 19])
@pytest.mark.parametrize("param", ["offer_id", "aff_id"])
def test_a_malformed_offer_id_or_aff_id_is_a_404_and_stores_no_click(client, offer, affiliate, param, value):
    real_id = offer.pk if param == "offer_id" else affiliate.pk
    query = {"offer_id": offer.pk, "aff_id": affiliate.pk, param: value.replace("{}", str(real_id))}

    response = client.get("/click", query)

    assert response.status_code == 404
    assert not response.has_header("Location")
    assert Click.objects.count() == 0


@pytest.mark.parametrize("param", ["offer_id", "aff_id"])
@pytest.mark.parametrize("unknown", [0, 987654321, 999_999_999_999_999_999])
def test_an_unknown_offer_or_affiliate_is_a_404_and_stores_no_click(client, offer, affiliate, param, unknown):
    query = {"offer_id": offer.pk, "aff_id": affiliate.pk, param: unknown}

    response = client.get("/click", query)

    assert response.status_code == 404
    assert "No such offer or affiliate" in response.content.decode()
    assert Click.objects.count() == 0


@pytest.mark.parametrize("status", [Affiliate.Status.PENDING, Affiliate.Status.SUSPENDED])
def test_an_affiliate_that_is_not_active_is_a_403_and_stores_no_click(client, offer, status):
    affiliate = factories.AffiliateFactory(status=status)

    response = follow_link(client, offer, affiliate)

    assert response.status_code == 403
    assert "not active" in response.content.decode()
    assert Click.objects.count() == 0


RESTRICTED = [Offer.Visibility.APPROVAL_REQUIRED, Offer.Visibility.PRIVATE]


@pytest.mark.parametrize("visibility", RESTRICTED)
def test_a_restricted_offer_without_an_access_row_is_a_403_and_stores_no_click(client, affiliate, visibility):
    offer = factories.OfferFactory(visibility=visibility)

    response = follow_link(client, offer, affiliate)

    assert response.status_code == 403
    assert "may not run this offer" in response.content.decode()
    assert Click.objects.count() == 0


@pytest.mark.parametrize(
    "access_status", [OfferAccess.Status.PENDING, OfferAccess.Status.REJECTED, OfferAccess.Status.BLOCKED]
)
@pytest.mark.parametrize("visibility", RESTRICTED)
def test_a_restricted_offer_with_access_not_approved_is_a_403(client, affiliate, visibility, access_status):
    offer = factories.OfferFactory(visibility=visibility)
    factories.OfferAccessFactory(offer=offer, affiliate=affiliate, status=access_status)

    response = follow_link(client, offer, affiliate)

    assert response.status_code == 403
    assert Click.objects.count() == 0


@pytest.mark.parametrize("visibility", RESTRICTED)
def test_a_restricted_offer_with_approved_access_redirects_and_stores_the_click(client, affiliate, visibility):
    offer = factories.OfferFactory(visibility=visibility)
    factories.OfferAccessFactory(offer=offer, affiliate=affiliate, status=OfferAccess.Status.APPROVED)

    response = follow_link(client, offer, affiliate)

    assert response.status_code == 302
    assert urlsplit(response["Location"]).netloc == "shop.example"
    assert only_click().affiliate == affiliate


def test_another_affiliates_approval_does_not_let_this_affiliate_run_a_restricted_offer(client, affiliate):
    offer = factories.OfferFactory(visibility=Offer.Visibility.APPROVAL_REQUIRED)
    factories.OfferAccessFactory(offer=offer, status=OfferAccess.Status.APPROVED)

    response = follow_link(client, offer, affiliate)

    assert response.status_code == 403
    assert Click.objects.count() == 0


def test_an_affiliate_blocked_on_a_public_offer_gets_a_403_and_no_click(client, offer, affiliate):
    factories.OfferAccessFactory(offer=offer, affiliate=affiliate, status=OfferAccess.Status.BLOCKED)

    response = follow_link(client, offer, affiliate)

    assert response.status_code == 403
    assert Click.objects.count() == 0


def test_a_pending_access_row_on_a_public_offer_does_not_stop_the_click(client, offer, affiliate):
    factories.OfferAccessFactory(offer=offer, affiliate=affiliate, status=OfferAccess.Status.PENDING)

    response = follow_link(client, offer, affiliate)

    assert response.status_code == 302
    assert only_click().offer == offer


def test_a_paused_offer_with_a_fallback_redirects_there_without_storing_a_click(client, affiliate):
    offer = factories.OfferFactory(status=Offer.Status.PAUSED, fallback_url="https://shop.example/other-deals")

    response = follow_link(client, offer, affiliate, aff_sub="x", url="https://evil.example/")

    assert response.status_code == 302
    assert response["Location"] == "https://shop.example/other-deals"
    assert Click.objects.count() == 0


def test_a_paused_offer_without_a_fallback_is_a_410_and_stores_no_click(client, affiliate):
    offer = factories.OfferFactory(status=Offer.Status.PAUSED, fallback_url="")

    response = follow_link(client, offer, affiliate, url="https://evil.example/")

    assert response.status_code == 410
    assert not response.has_header("Location")
    assert "not running" in response.content.decode()
    assert Click.objects.count() == 0


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_a_request_other_than_get_is_a_405_and_stores_no_click(client, offer, affiliate, method):
    response = getattr(client, method)(f"/click?offer_id={offer.pk}&aff_id={affiliate.pk}")

    assert response.status_code == 405
    assert Click.objects.count() == 0


@pytest.mark.parametrize("path", ["/click", "/aff_c"])
def test_a_head_request_gets_the_redirect_a_get_would_but_stores_no_click_and_no_transaction_id(
    client, offer, affiliate, path
):
    response = client.head(path, {"offer_id": offer.pk, "aff_id": affiliate.pk, "aff_sub": "spring-sale"})

    assert response.status_code == 302
    assert response["Location"] == "https://shop.example/landing?tid=&sub=spring-sale"
    assert Click.objects.count() == 0


def test_a_head_request_only_looks_the_link_up(client, offer, affiliate, django_assert_num_queries):
    # The offer with its advertiser; its access rows; the affiliate; the blocklists (quality.blocklist). No insert.
    with django_assert_num_queries(4):
        response = client.head("/click", {"offer_id": offer.pk, "aff_id": affiliate.pk})

    assert response.status_code == 302


def test_a_head_request_is_refused_like_a_get_when_the_affiliate_is_not_active(client, offer):
    affiliate = factories.AffiliateFactory(status=Affiliate.Status.SUSPENDED)

    response = client.head("/click", {"offer_id": offer.pk, "aff_id": affiliate.pk})

    assert response.status_code == 403
    assert Click.objects.count() == 0


def test_a_head_request_on_a_paused_offer_gets_the_fallback_like_a_get(client, affiliate):
    offer = factories.OfferFactory(status=Offer.Status.PAUSED, fallback_url="https://shop.example/soon")

    response = client.head("/click", {"offer_id": offer.pk, "aff_id": affiliate.pk})

    assert response.status_code == 302
    assert response["Location"] == "https://shop.example/soon"
    assert Click.objects.count() == 0


# --- unique clicks (docs/clicks.md#unique-clicks) ---------------------------------------------------------------------


def test_a_second_click_from_the_same_ip_and_user_agent_within_24_hours_is_not_unique(
    client, offer, affiliate, time_machine
):
    time_machine.move_to(NOW, tick=False)
    follow_link(client, offer, affiliate)
    time_machine.move_to(NOW + timedelta(hours=23, minutes=59), tick=False)
    follow_link(client, offer, affiliate)

    assert list(Click.objects.order_by("created_at").values_list("is_unique", flat=True)) == [True, False]


def test_a_click_more_than_24_hours_after_the_last_one_is_unique_again(client, offer, affiliate, time_machine):
    time_machine.move_to(NOW, tick=False)
    follow_link(client, offer, affiliate)
    time_machine.move_to(NOW + timedelta(hours=24, seconds=1), tick=False)
    follow_link(client, offer, affiliate)

    assert list(Click.objects.order_by("created_at").values_list("is_unique", flat=True)) == [True, True]


def test_a_click_with_a_different_user_agent_is_unique(client, offer, affiliate):
    follow_link(client, offer, affiliate, headers={"user-agent": BROWSER})
    follow_link(client, offer, affiliate, headers={"user-agent": "Mozilla/5.0 (iPhone) Safari/604.1"})

    assert list(Click.objects.order_by("pk").values_list("is_unique", flat=True)) == [True, True]


def test_a_click_from_a_different_ip_is_unique(client, offer, affiliate):
    follow_link(client, offer, affiliate, remote_addr="198.51.100.23")
    follow_link(client, offer, affiliate, remote_addr="198.51.100.24")

    assert list(Click.objects.order_by("pk").values_list("is_unique", flat=True)) == [True, True]


def test_the_same_visitor_on_another_offer_or_through_another_affiliate_is_unique(client, offer, affiliate):
    other_offer = factories.OfferFactory()
    other_affiliate = factories.AffiliateFactory()

    follow_link(client, offer, affiliate)
    follow_link(client, other_offer, affiliate)
    follow_link(client, offer, other_affiliate)

    assert list(Click.objects.order_by("pk").values_list("is_unique", flat=True)) == [True, True, True]


def test_repeat_clicks_without_a_user_agent_are_not_unique(client, offer, affiliate):
    follow_link(client, offer, affiliate, headers={})
    follow_link(client, offer, affiliate, headers={})

    assert list(Click.objects.order_by("pk").values_list("is_unique", flat=True)) == [True, False]


# --- client IP --------------------------------------------------------------------------------------------------


def test_x_forwarded_for_is_ignored_without_trusted_proxies(client, offer, affiliate, settings):
    settings.TALLY_TRUSTED_PROXY_COUNT = 0

    follow_link(client, offer, affiliate, headers={"x-forwarded-for": "203.0.113.66"}, remote_addr="10.0.0.5")

    assert only_click().ip == "10.0.0.5"


def test_with_one_trusted_proxy_the_last_x_forwarded_for_entry_is_the_client(client, offer, affiliate, settings):
    settings.TALLY_TRUSTED_PROXY_COUNT = 1
    headers = {"x-forwarded-for": "192.0.2.1, 203.0.113.66"}

    follow_link(client, offer, affiliate, headers=headers, remote_addr="10.0.0.5")

    assert only_click().ip == "203.0.113.66"


def test_with_two_trusted_proxies_the_second_to_last_entry_is_the_client(client, offer, affiliate, settings):
    settings.TALLY_TRUSTED_PROXY_COUNT = 2
    headers = {"x-forwarded-for": "192.0.2.1, 203.0.113.66, 10.0.0.4"}

    follow_link(client, offer, affiliate, headers=headers, remote_addr="10.0.0.5")

    assert only_click().ip == "203.0.113.66"


def test_with_a_trusted_proxy_but_no_x_forwarded_for_the_peer_address_is_used(client, offer, affiliate, settings):
    settings.TALLY_TRUSTED_PROXY_COUNT = 1

    follow_link(client, offer, affiliate, remote_addr="10.0.0.5")

    assert only_click().ip == "10.0.0.5"


def test_an_ipv6_client_address_is_stored(client, offer, affiliate):
    follow_link(client, offer, affiliate, remote_addr="2001:db8::1")

    assert only_click().ip == "2001:db8::1"


@pytest.mark.parametrize("forwarded", ["not-an-ip", "203.0.113.66:51234", "unknown", "<script>"])
def test_a_garbage_x_forwarded_for_entry_is_stored_as_no_ip_not_a_server_error(
    client, offer, affiliate, settings, forwarded
):
    settings.TALLY_TRUSTED_PROXY_COUNT = 1

    response = follow_link(client, offer, affiliate, headers={"x-forwarded-for": forwarded}, remote_addr="10.0.0.5")

    assert response.status_code == 302
    assert only_click().ip is None


# --- query count ------------------------------------------------------------------------------------------------


def test_a_click_on_a_public_offer_takes_five_queries(client, offer, affiliate, django_assert_num_queries):
    # The offer with its advertiser; its access rows; the affiliate; the blocklists (quality.blocklist); the insert,
    # which decides uniqueness. (Each process then keeps the first four for a few seconds:
    # tests/tracking/test_click_routing.py, tests/quality/test_click_queries.py.)
    with django_assert_num_queries(5):
        response = follow_link(client, offer, affiliate)

    assert response.status_code == 302


def test_a_link_to_an_unknown_offer_takes_one_query(client, affiliate, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = client.get("/click", {"offer_id": 987654321, "aff_id": affiliate.pk})

    assert response.status_code == 404


def test_a_malformed_link_is_refused_without_a_query(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/click", {"offer_id": "abc", "aff_id": "1"})

    assert response.status_code == 404
