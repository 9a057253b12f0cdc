"""Fuzzing the click's traffic-quality paths with hypothesis (the profile of tests/security/conftest.py): forwarded
addresses (IPv4, IPv6, malformed), user agents (browsers, bots, garbage), sub values on and off the blocklists.
Never a 5xx; every GET is either stored (inside the targeting, on no blocklist) or counted once as refused."""

from urllib.parse import parse_qs, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quality.models import BlockEntry, RefusedClickCount
from quality.services import block_entry_add, session_block_reason
from tests import factories
from tests.quality import helpers as h
from tests.security.conftest import examples
from tracking.models import Click

pytestmark = pytest.mark.django_db

FALLBACK = "https://fallback.example/elsewhere"
AGENTS = [h.DESKTOP_WINDOWS, h.DESKTOP_MAC, h.IPHONE, h.ANDROID_PHONE, h.IPAD, h.GOOGLEBOT, h.SLACK_PREVIEW, ""]
ADDRESSES = [h.US_IPV4, h.GB_IPV4, h.DE_IPV4, h.US_IPV6, h.DE_IPV6, h.PRIVATE_IPV4, "8.8.8.77", "2a01:4f8:1::9"]
GARBAGE = ["", "::ffff:zz", "1.2.3.4:80", "[2001:db8::1]", "999.1.1.1", "\x00", "unknown", "1" * 300, "\u202e"]
text = st.text(st.characters(exclude_categories=["Cs"]), max_size=60)


@pytest.fixture
def setup(db, settings):
    settings.TALLY_CLICK_RATE_LIMIT = 0
    settings.TALLY_TRUSTED_PROXY_COUNT = 1
    offers = [
        factories.OfferFactory(),
        factories.OfferFactory(allowed_countries=["US", "GB"], blocked_countries=["GB"], fallback_url=FALLBACK),
        factories.OfferFactory(allowed_devices=["mobile"], allowed_os=["ios", "android"]),
        factories.OfferFactory(blocked_countries=["DE"], allowed_devices=["desktop", "tablet"], fallback_url=FALLBACK),
    ]
    affiliates = [factories.AffiliateFactory(), factories.AffiliateFactory()]
    block_entry_add(kind="cidr", value="8.8.8.0/26")
    block_entry_add(kind="cidr", value="2a01:4f8:1::/48", offer=offers[0])
    block_entry_add(kind="aff_sub", value="bad-sub")
    block_entry_add(kind="source", value="bad-source", offer=offers[2])
    block_entry_add(kind="affiliate", affiliate=affiliates[1], offer=offers[3])
    return offers, affiliates


@st.composite
def clicks(draw, offers, affiliates):
    offer, affiliate = draw(st.sampled_from(offers)), draw(st.sampled_from(affiliates))
    address = draw(st.one_of(st.sampled_from(ADDRESSES), st.ip_addresses().map(str), st.sampled_from(GARBAGE), text))
    forwarded = draw(st.sampled_from(["{}", "203.0.113.1, {}", "{}, {}"])).format(address, address)
    agent = draw(st.one_of(st.sampled_from(AGENTS), text, st.just("x" * 2000)))
    params = {"offer_id": offer.pk, "aff_id": affiliate.pk}
    for name, blocked in (("aff_sub", "bad-sub"), ("source", "bad-source")):
        found = draw(st.one_of(st.none(), st.just(blocked), text))
        if found is not None:
            params[name] = found
    return offer, affiliate, params, forwarded, agent


def test_fuzzed_clicks_are_stored_only_inside_targeting_and_otherwise_counted_once(client, setup):
    offers, affiliates = setup
    reasons = set()

    @examples(300)
    @given(request=clicks(offers, affiliates))
    def check(request):
        offer, affiliate, params, forwarded, agent = request
        clicks_before = Click.objects.count()
        refused_before = {r: h.refused(r) for r in RefusedClickCount.Reason.values}

        response = client.get(
            "/click", params, HTTP_X_FORWARDED_FOR=forwarded, HTTP_USER_AGENT=agent, REMOTE_ADDR="127.0.0.1"
        )

        assert response.status_code in (302, 400, 403), response.status_code
        stored = Click.objects.count() - clicks_before
        refused = {r: h.refused(r) - refused_before[r] for r in RefusedClickCount.Reason.values}
        if response.status_code == 400:  # a sub value with a NUL byte: refused before any quality check
            assert stored == 0 and sum(refused.values()) == 0
            return
        assert stored + sum(refused.values()) == 1
        reasons.update(r for r, n in refused.items() if n)
        if response.status_code == 403:
            assert not offer.fallback_url and stored == 0
            return
        location = urlsplit(response["Location"])
        if location.hostname == "fallback.example":
            assert stored == 0 and refused["bot"] == 0
            return
        assert location.hostname == "shop.example"
        tid = parse_qs(location.query, keep_blank_values=True)["tid"][0]
        if not stored:
            assert tid == "" and refused["bot"] == 1
            return
        row = Click.objects.get(transaction_id=tid)
        assert row.country not in offer.blocked_countries
        assert not offer.allowed_countries or row.country in offer.allowed_countries
        assert not offer.allowed_devices or row.device in offer.allowed_devices
        assert not offer.allowed_os or row.os in offer.allowed_os
        subs = {"aff_sub": row.aff_sub, "source": row.source}
        assert session_block_reason(offer=offer, affiliate=affiliate, ip=row.ip, subs=subs) is None

    check()
    assert reasons == {"geo", "device", "blocked", "bot"}
    assert BlockEntry.objects.count() == 5
