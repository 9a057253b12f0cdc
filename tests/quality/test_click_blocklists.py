"""Blocklists (README, Traffic quality): network-wide or per offer, by IP, CIDR (IPv4 and IPv6), affiliate, aff_sub
or source value. A matching click is refused like targeting (reason `blocked`); session_block_reason tells the
postback side."""

import pytest
from django.core.exceptions import ValidationError

from quality.models import BlockEntry, RefusedClickCount
from quality.services import block_entry_add, block_entry_delete, session_block_reason
from tests import factories
from tests.quality import helpers as h

pytestmark = pytest.mark.django_db

BLOCKED = RefusedClickCount.Reason.BLOCKED


@pytest.mark.parametrize(
    ("kind", "value", "blocked_ip", "free_ip"),
    [
        ("ip", h.US_IPV4, h.US_IPV4, "8.8.4.4"),
        ("ip", "2001:4860:4860:0:0:0:0:8888", h.US_IPV6, "2001:4860:4860::8844"),
        ("cidr", "8.8.8.0/24", "8.8.8.200", "8.8.9.1"),
        ("cidr", "2a01:4f8::/32", "2a01:4f8:ffff::1", "2a01:4f9::1"),
        ("cidr", "0.0.0.0/0", "1.2.3.4", "2001:db8::1"),
    ],
)
@pytest.mark.parametrize("scope", ["network", "offer"])
def test_a_click_from_a_blocked_address_or_network_is_refused(
    client, offer, affiliate, kind, value, blocked_ip, free_ip, scope
):
    block_entry_add(kind=kind, value=value, offer=offer if scope == "offer" else None)

    refused = h.follow(client, offer, affiliate, ip=blocked_ip)
    allowed = h.follow(client, offer, affiliate, ip=free_ip)

    assert refused.status_code == 403
    assert b"not available for your traffic" in refused.content
    assert allowed.status_code == 302
    assert h.stored() == 1
    assert h.refused(BLOCKED) == 1


@pytest.mark.parametrize("scope", ["network", "offer"])
def test_a_blocked_affiliates_clicks_are_refused(client, offer, affiliate, scope):
    other = factories.AffiliateFactory()
    block_entry_add(kind="affiliate", affiliate=affiliate, offer=offer if scope == "offer" else None)

    assert h.follow(client, offer, affiliate).status_code == 403
    assert h.follow(client, offer, other).status_code == 302
    assert h.refused(BLOCKED) == 1


@pytest.mark.parametrize(("kind", "param"), [("aff_sub", "aff_sub"), ("source", "source")])
@pytest.mark.parametrize("scope", ["network", "offer"])
def test_a_blocked_sub_value_is_refused_exactly_as_typed(client, offer, affiliate, kind, param, scope):
    block_entry_add(kind=kind, value="fraud-farm-7", offer=offer if scope == "offer" else None)

    assert h.follow(client, offer, affiliate, **{param: "fraud-farm-7"}).status_code == 403
    assert h.follow(client, offer, affiliate, **{param: "Fraud-Farm-7"}).status_code == 302
    assert h.follow(client, offer, affiliate, **{param: "fraud-farm-8"}).status_code == 302
    assert h.refused(BLOCKED) == 1


def test_aff_sub1_counts_as_aff_sub_for_the_blocklist(client, offer, affiliate):
    block_entry_add(kind="aff_sub", value="bad")

    assert h.follow(client, offer, affiliate, aff_sub1="bad").status_code == 403


def test_an_offers_entry_leaves_other_offers_alone(client, offer, affiliate):
    other_offer = factories.OfferFactory()
    block_entry_add(kind="ip", value=h.US_IPV4, offer=offer)

    assert h.follow(client, offer, affiliate).status_code == 403
    assert h.follow(client, other_offer, affiliate).status_code == 302


def test_a_blocked_click_goes_to_the_fallback_url_when_the_offer_has_one(client, affiliate):
    offer = factories.OfferFactory(fallback_url="https://other.example/")
    block_entry_add(kind="ip", value=h.US_IPV4)

    response = h.follow(client, offer, affiliate)

    assert (response.status_code, response["Location"]) == (302, "https://other.example/")
    assert h.stored() == 0


def test_deleting_an_entry_lets_its_clicks_in_again_at_once(client, offer, affiliate):
    entry = block_entry_add(kind="ip", value=h.US_IPV4)
    assert h.follow(client, offer, affiliate).status_code == 403

    block_entry_delete(entry=entry)

    assert h.follow(client, offer, affiliate).status_code == 302


def test_an_entry_added_while_the_lists_are_cached_applies_at_once_in_this_process(client, offer, affiliate):
    assert h.follow(client, offer, affiliate).status_code == 302

    block_entry_add(kind="cidr", value="8.8.0.0/16")

    assert h.follow(client, offer, affiliate).status_code == 403


def test_another_processs_change_is_seen_after_the_cache_time(client, offer, affiliate, settings):
    """A change this process got no signal for (another process saved it): the fingerprint check finds it."""
    settings.TALLY_CLICK_CACHE_SECONDS = 0.0001
    assert h.follow(client, offer, affiliate).status_code == 302
    BlockEntry.objects.bulk_create([BlockEntry(kind="ip", value=h.US_IPV4)])  # no post_save signal

    assert h.follow(client, offer, affiliate).status_code == 403


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        ("ip", "8.8.8"),
        ("ip", "8.8.8.8/32"),
        ("cidr", "8.8.8.1/24"),
        ("cidr", "2001:db8::/129"),
        ("cidr", "banana"),
        ("aff_sub", "   "),
        ("source", "a\x00b"),
    ],
)
def test_a_malformed_entry_is_refused_with_a_clear_error(kind, value):
    with pytest.raises(ValidationError):
        block_entry_add(kind=kind, value=value)
    assert BlockEntry.objects.count() == 0


def test_the_same_entry_twice_is_refused_but_network_wide_and_per_offer_may_coexist(offer):
    block_entry_add(kind="ip", value="203.0.113.9")
    block_entry_add(kind="ip", value="203.0.113.9", offer=offer)

    with pytest.raises(ValidationError, match="already on the network-wide blocklist"):
        block_entry_add(kind="ip", value=" 203.0.113.9 ")
    with pytest.raises(ValidationError, match="already on the offer's blocklist"):
        block_entry_add(kind="ip", value="203.0.113.9", offer=offer)


def test_session_block_reason_tells_the_postback_side_which_kind_matched(offer, affiliate):
    other = factories.OfferFactory()
    block_entry_add(kind="source", value="spam", offer=offer)
    block_entry_add(kind="cidr", value="2001:db8::/32")

    assert session_block_reason(offer=offer, affiliate=affiliate, ip=None, subs={"source": "spam"}) == "source"
    assert session_block_reason(offer=other, affiliate=affiliate, ip=None, subs={"source": "spam"}) is None
    assert session_block_reason(offer=other, affiliate=affiliate, ip="2001:db8::5", subs={}) == "cidr"
    assert session_block_reason(offer=other, affiliate=affiliate, ip="not an ip", subs={}) is None


def test_a_thousand_entry_blocklist_answers_in_well_under_a_millisecond(offer, affiliate):
    """The lists are sets per prefix length, not a scan: 1,000 networks of a few prefix lengths."""
    from time import perf_counter

    from quality.blocklist import current_blocklists

    entries = [BlockEntry(kind="cidr", value=f"10.{i // 250}.{i % 250}.0/24") for i in range(700)]
    entries += [BlockEntry(kind="cidr", value=f"2001:db8:{i:x}::/48") for i in range(200)]
    entries += [BlockEntry(kind="ip", value=f"192.0.2.{i}") for i in range(100)]
    BlockEntry.objects.bulk_create(entries)
    lists = current_blocklists()
    assert lists.match(offer_id=offer.pk, affiliate_id=affiliate.pk, ip="10.2.199.7", subs={}) == "cidr"

    start = perf_counter()
    for _ in range(1000):
        lists.match(offer_id=offer.pk, affiliate_id=affiliate.pk, ip="198.51.100.1", subs={"aff_sub": "x"})
    per_click = (perf_counter() - start) / 1000

    assert per_click < 0.0002


def test_an_entry_saved_outside_the_portal_is_normalized_too(client, offer, affiliate):
    """The admin saves through full_clean: an address as typed still matches the click's canonical one."""
    entry = BlockEntry(kind="ip", value=" 2001:4860:4860:0000::8888 ")
    entry.full_clean()
    entry.save()

    assert entry.value == h.US_IPV6
    assert h.follow(client, offer, affiliate, ip=h.US_IPV6).status_code == 403
