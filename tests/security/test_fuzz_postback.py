"""Fuzzing the postback endpoints (/postback, /aff_lsr, /aff_goal; GET, form POST, JSON POST) with hypothesis over
every parameter, the signature header and the caller's address: never a 5xx, one log row per request, and never a
conversion without a valid click (or, by partner ID, an affiliate allowed on the offer) and valid credentials.

The oracle below decides "may this convert?" from what the test set up and sent, independently of the pipeline."""

import ipaddress
import json
import time
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from conversions.models import Conversion, PostbackLog
from conversions.signing import sign
from offers.models import Offer, OfferAccess, RuleAction
from partners.models import Affiliate
from quality.models import BlockEntry
from quality.services import block_entry_add
from tests import factories
from tests.security.conftest import examples
from tracking.models import Click

pytestmark = pytest.mark.django_db

TOKEN = "tok-3f9a1c"
SECRET, PREVIOUS = "whsec-now", "whsec-before"
ALLOWLIST = ipaddress.ip_network("192.0.2.0/28")
ADDRESSES = ["192.0.2.3", "192.0.2.200", "203.0.113.50", "2001:db8::5"]
HOSTILE = ["<script>alert(1)</script>", "\x00", "'; DROP TABLE conversions_conversion; --", "x" * 300, "\r\n", "𝕏"]
text = st.text(st.characters(exclude_categories=["Cs"]), max_size=30)
value = st.one_of(text, st.sampled_from(HOSTILE))


@pytest.fixture
def network(db, settings):
    settings.TALLY_MAX_PARAM_LENGTH = 64
    settings.TALLY_POSTBACK_RATE_LIMIT = 0  # rate limits have their own tests
    # Every advertiser has the token; only "token" requires it (partner-ID postbacks need it or a signature always).
    advertisers = {
        "open": factories.AdvertiserFactory(security_token=TOKEN, token_required=False),
        "token": factories.AdvertiserFactory(security_token=TOKEN),
        "allowlist": factories.AdvertiserFactory(
            security_token=TOKEN, token_required=False, postback_ip_allowlist=[str(ALLOWLIST)]
        ),
        "signed": factories.AdvertiserFactory(
            security_token=TOKEN,
            token_required=False,
            require_signature=True,
            signing_secret=SECRET,
            signing_secret_previous=PREVIOUS,
        ),
    }
    offers = [factories.OfferFactory(advertiser=a) for a in advertisers.values()]
    offers += [
        factories.OfferFactory(advertiser=advertisers["open"], status=Offer.Status.ARCHIVED),
        factories.OfferFactory(advertiser=advertisers["open"], status=Offer.Status.PAUSED),
        factories.OfferFactory(advertiser=advertisers["open"], visibility=Offer.Visibility.APPROVAL_REQUIRED),
        factories.OfferFactory(
            advertiser=advertisers["open"], allow_multiple_conversions=True, currency="EUR", payout_type="cps_percent"
        ),
    ]
    goals = [factories.GoalFactory(offer=offers[0]), factories.GoalFactory(offer=offers[-1])]
    active = factories.AffiliateFactory()
    approved = factories.AffiliateFactory()
    suspended = factories.AffiliateFactory(status=Affiliate.Status.SUSPENDED)
    blocked = factories.AffiliateFactory()
    factories.OfferAccessFactory(offer=offers[6], affiliate=approved)
    factories.OfferAccessFactory(offer=offers[6], affiliate=active, status=OfferAccess.Status.PENDING)
    factories.OfferAccessFactory(offer=offers[0], affiliate=blocked, status=OfferAccess.Status.BLOCKED)
    # The conversion rules (docs/postbacks.md#conversion-rules): every click on this offer is too fast (rejected),
    # and a shopper's ip outside the click's country is flagged for review.
    offers.append(
        factories.OfferFactory(
            advertiser=advertisers["open"],
            too_fast_seconds=3600,
            too_fast_action=RuleAction.REJECT,
            country_mismatch_action=RuleAction.REVIEW,
        )
    )
    # A network-wide blocklist entry (blocked_traffic): this affiliate's postbacks never convert.
    blocklisted = factories.AffiliateFactory()
    block_entry_add(kind=BlockEntry.Kind.AFFILIATE, affiliate=blocklisted)
    affiliates = [active, approved, suspended, blocked, blocklisted]
    clicks = [factories.ClickFactory(offer=o, affiliate=a) for o in offers for a in (active, suspended)]
    clicks.append(factories.ClickFactory(offer=offers[0], affiliate=blocklisted))
    Click.objects.filter(offer=offers[-1]).update(country="US")
    expired = timezone.now() - timedelta(hours=1)
    clicks.append(
        factories.ClickFactory(
            offer=offers[0], affiliate=active, created_at=expired - timedelta(hours=2), expires_at=expired
        )
    )
    return offers, affiliates, clicks, goals


def one_of_or_wrong(choices, wrong):
    """Each real choice as likely as a wrong value (so postbacks get past the early rules)."""
    return st.sampled_from([*choices, None]).flatmap(lambda c: st.just(c) if c is not None else wrong)


wrong_id = st.one_of(st.integers(0, 10**19).map(str), st.sampled_from(["", "-1", "1.5", " 2", "0x10"]), text)


@st.composite
def postbacks(draw, offers, affiliates, clicks, goals):
    params = {}
    if draw(st.booleans()):  # transaction-ID protocol
        tid = draw(one_of_or_wrong([c.transaction_id for c in clicks], st.one_of(text, st.just("0" * 65))))
        params["transaction_id"] = tid
        if draw(st.integers(0, 3)) == 0:
            params["offer_id"] = draw(one_of_or_wrong([str(o.pk) for o in offers], wrong_id))
    else:  # partner-ID protocol
        params["offer_id"] = draw(one_of_or_wrong([str(o.pk) for o in offers], wrong_id))
        params["aff_id"] = draw(one_of_or_wrong([str(a.pk) for a in affiliates], wrong_id))
    # Each optional parameter: left out, a good value, or a fuzzed one.
    optional = {
        "amount": (
            "12.50",
            st.one_of(
                st.decimals(min_value=-10, max_value=10**13, places=3).map(str),
                st.sampled_from(["", "1e400", "NaN", "Infinity", "12,50", " 7 ", "-0", "1E+2"]),
                text,
            ),
        ),
        "goal_id": (str(goals[0].pk), one_of_or_wrong([str(g.pk) for g in goals], wrong_id)),
        "currency": ("USD", st.sampled_from(["eur", "EUR", "US", "€€€", ""])),
        "conversion_unique_id": ("order-1", st.one_of(st.just("order-2"), value)),
        "security_token": (TOKEN, st.sampled_from([TOKEN.upper(), TOKEN + " ", "", "wrong"])),
        "test": ("0", st.sampled_from(["1", "true", "yes"])),
        "adv_sub": ("ORDER-1001", value),
        "adv_sub2": ("b", value),
        "adv_sub5": ("e", value),
        # The shopper's IP (conversion rules, by partner ID the IP blocklists).
        "ip": (
            "8.8.8.8",
            st.one_of(
                st.sampled_from(["195.50.140.1", "2001:db8::1", " 8.8.8.8 ", "999.1.1.1", "1.2.3.4/24", "::1", "0"]),
                st.ip_addresses().map(str),
                value,
            ),
        ),
        "unknown_param": ("x", value),
    }
    for name, (good, fuzzed) in optional.items():
        choice = draw(st.integers(0, 3))
        if choice == 1:
            params[name] = good
        elif choice == 3:
            params[name] = draw(fuzzed)
    how = draw(st.sampled_from(["get", "form", "json"]))
    path = draw(st.sampled_from(["/postback", "/postback", "/aff_lsr", "/aff_goal"]))
    signed_with = draw(st.sampled_from([None, None, None, SECRET, PREVIOUS, "other-secret", "garbage", "stale"]))
    return params, how, path, signed_with, draw(st.sampled_from(ADDRESSES))


def send(client, params, how, path, signed_with, address):
    payload = urlencode(params) if how in ("get", "form") else json.dumps(params)
    headers = {}
    if signed_with == "garbage":
        headers["X-Tally-Signature"] = "t=nope,v1=zz"
    elif signed_with == "stale":
        headers["X-Tally-Signature"] = sign(SECRET, payload, time.time() - 301)
    elif signed_with:
        headers["X-Tally-Signature"] = sign(signed_with, payload)
    if how == "get":
        return client.get(f"{path}?{payload}", headers=headers, REMOTE_ADDR=address)
    content_type = "application/x-www-form-urlencoded" if how == "form" else "application/json"
    return client.post(path, payload, content_type=content_type, headers=headers, REMOTE_ADDR=address)


def credentials_valid(advertiser, params, signed_with, address):
    """What docs/postbacks.md requires of the caller, worked out from what the test sent."""
    partner_id = not params.get("transaction_id", "").strip()
    needs_token = advertiser.token_required or (partner_id and signed_with is None)
    if needs_token and params.get("security_token") != advertiser.security_token:
        return False
    if advertiser.require_signature and signed_with not in (SECRET, PREVIOUS):
        return False
    if signed_with is not None and signed_with not in advertiser.signing_secrets():
        return False  # a signature that is sent is checked, required or not
    return not advertiser.postback_ip_allowlist or ipaddress.ip_address(address) in ALLOWLIST


def may_run(offer, affiliate):
    access = OfferAccess.objects.filter(offer=offer, affiliate=affiliate).first()
    if access and access.status == OfferAccess.Status.BLOCKED:
        return False
    return offer.visibility == Offer.Visibility.PUBLIC or bool(access and access.status == OfferAccess.Status.APPROVED)


def test_fuzzed_postbacks_never_fail_and_never_convert_without_a_valid_click_and_credentials(client, network):
    offers, affiliates, clicks, goals = network
    seen = {"converted": 0, "refused": set()}

    @examples(200)
    @given(request=postbacks(offers, affiliates, clicks, goals))
    def check(request):
        params, how, path, signed_with, address = request
        conversions, logs = Conversion.objects.count(), PostbackLog.objects.count()

        response = send(client, params, how, path, signed_with, address)

        assert response.status_code < 500
        assert response.status_code in (200, 400, 403, 404, 409, 410)
        assert PostbackLog.objects.count() == logs + 1  # every request leaves exactly one log row
        log = PostbackLog.objects.order_by("-pk").first()
        made = Conversion.objects.count() - conversions
        assert made in (0, 1)
        if path == "/postback":
            body = response.json()
            assert body["status"] in ("approved", "pending", "rejected")
        if response.status_code != 200:
            seen["refused"].add(log.reason)
            # Refusals that keep a (rejected) conversion: a full cap, a conversion rule with action reject.
            assert made == 0 or log.reason in ("cap_reached", "too_fast", "country_mismatch")
            if made:
                assert Conversion.objects.order_by("-pk").first().status == Conversion.Status.REJECTED
            return
        if made == 0:
            assert log.is_test  # a 200 that recorded nothing was a test postback
            return
        seen["converted"] += 1
        conversion = Conversion.objects.order_by("-pk").first()
        assert log.conversion_id == conversion.pk
        assert not log.is_test
        advertiser = conversion.offer.advertiser
        assert credentials_valid(advertiser, params, signed_with, address), (params, signed_with, address)
        assert conversion.affiliate.status == Affiliate.Status.ACTIVE
        assert conversion.affiliate_id not in BlockEntry.objects.values_list("affiliate", flat=True)
        if "ip" in params:  # an ip that converted was an address; its country is a code or unknown
            ipaddress.ip_address(params["ip"].strip())
            assert len(conversion.country) in (0, 2)
        if conversion.flags.exists():
            assert conversion.status == Conversion.Status.PENDING
        assert conversion.offer.status != Offer.Status.ARCHIVED
        if params.get("transaction_id", "").strip():
            click = conversion.click
            assert click is not None and click.transaction_id == params["transaction_id"].strip()
            assert click.expires_at >= conversion.created_at
            assert (conversion.offer_id, conversion.affiliate_id) == (click.offer_id, click.affiliate_id)
        else:
            assert conversion.click is None
            assert str(conversion.offer_id) == params["offer_id"] and str(conversion.affiliate_id) == params["aff_id"]
            assert may_run(conversion.offer, conversion.affiliate)
        assert conversion.amount >= 0

    check()
    # The examples got past every rule to real conversions, and were refused for many reasons on the way.
    assert seen["converted"] >= 3, seen
    assert len(seen["refused"]) >= 8, seen
    # The database never holds two conversions of one click and goal on an offer that allows only one.
    singles = Conversion.objects.filter(single_per_click=True).values_list("click_id", "goal_id")
    assert len(singles) == len(set(singles))
