"""Fuzzing GET /click (and /aff_c) with hypothesis over every parameter and the headers it reads: never a 5xx,
every redirect goes to the host a manager configured (the offer's destination, or its fallback while paused), and
a click is stored exactly when a shopper is sent to the destination, with what was sent."""

from urllib.parse import urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from offers.models import Offer, OfferAccess
from partners.models import Advertiser, Affiliate
from quality.lookups import traits_of
from tests import factories
from tests.security.conftest import examples
from tracking.models import SUB_FIELDS, Click

pytestmark = pytest.mark.django_db

MAX_LENGTH = 40  # TALLY_MAX_PARAM_LENGTH during these tests, so over-long values are cheap to make
DESTINATION = (
    "https://shop.example/land/{aff_sub}/<aff_sub2>?tid={transaction_id}&s3={aff_sub3}&s4=<aff_sub4>"
    "&s5={aff_sub5}&src={source}&cid={aff_click_id}&o={offer_id}&a=<affiliate_id>#f{aff_sub}"
)
FALLBACK = "https://fallback.example/paused?from=tally"

# Values that try to move a redirect somewhere else, split headers or break the database.
HOSTILE = [
    "//evil.example",
    "@evil.example",
    "https://evil.example/",
    "\\\\evil.example",
    "%2F%2Fevil.example",
    "\r\nLocation: https://evil.example",
    "%0d%0aSet-Cookie: a=b",
    "../../../etc/passwd",
    "javascript:alert(1)",
    "<script>alert(1)</script>",
    "\x00",
    "'; DROP TABLE tracking_click; --",
    "\u202e\ufeff\u200b",
    "x" * (MAX_LENGTH + 1),
]
text = st.text(st.characters(exclude_categories=["Cs"]), max_size=MAX_LENGTH + 5)
value = st.one_of(text, st.sampled_from(HOSTILE))


@pytest.fixture
def network(db, settings):
    settings.TALLY_MAX_PARAM_LENGTH = MAX_LENGTH
    settings.TALLY_CLICK_RATE_LIMIT = 0  # rate limits have their own tests
    settings.TALLY_TRUSTED_PROXY_COUNT = 1  # so X-Forwarded-For is read, and fuzzed
    suspended_advertiser = factories.AdvertiserFactory(status=Advertiser.Status.SUSPENDED)
    offers = {
        "active": factories.OfferFactory(destination_url=DESTINATION),
        "paused_with_fallback": factories.OfferFactory(
            destination_url=DESTINATION, status=Offer.Status.PAUSED, fallback_url=FALLBACK
        ),
        "paused": factories.OfferFactory(destination_url=DESTINATION, status=Offer.Status.PAUSED),
        "archived": factories.OfferFactory(destination_url=DESTINATION, status=Offer.Status.ARCHIVED),
        "private": factories.OfferFactory(destination_url=DESTINATION, visibility=Offer.Visibility.PRIVATE),
        "suspended_advertiser": factories.OfferFactory(
            destination_url=DESTINATION, advertiser=suspended_advertiser, fallback_url=FALLBACK
        ),
    }
    affiliates = {
        "active": factories.AffiliateFactory(),
        "pending": factories.AffiliateFactory(status=Affiliate.Status.PENDING),
        "suspended": factories.AffiliateFactory(status=Affiliate.Status.SUSPENDED),
        "blocked": factories.AffiliateFactory(),
    }
    factories.OfferAccessFactory(
        offer=offers["active"], affiliate=affiliates["blocked"], status=OfferAccess.Status.BLOCKED
    )
    return offers, affiliates


def ids(objects):
    """An id parameter: one that exists (each as likely as a wrong one, so links get far), a number that does not,
    a near miss, or anything at all; None leaves it out."""
    wrong = st.one_of(
        st.integers(-3, 10**20).map(str),
        st.sampled_from(["", " 1", "1 ", "1\n", "01", "1.0", "0x1", "１"]),  # the last is a full-width digit
        text,
        st.none(),
    )
    return st.sampled_from([*objects, None]).flatmap(lambda o: st.just(str(o.pk)) if o else wrong)


@st.composite
def click_requests(draw, offers, affiliates):
    params = {"offer_id": draw(ids(list(offers.values()))), "aff_id": draw(ids(list(affiliates.values())))}
    for name in (*SUB_FIELDS, "aff_sub1"):
        params[name] = draw(st.one_of(st.none(), st.none(), value))
    params[draw(st.sampled_from(["foo", "url", "redirect", "next", "offer_url"]))] = draw(value)
    params = {k: v for k, v in params.items() if v is not None}
    headers = {
        "HTTP_USER_AGENT": draw(value),
        "HTTP_REFERER": draw(value),
        "HTTP_X_FORWARDED_FOR": draw(st.one_of(value, st.just("203.0.113.9, 198.51.100.1"))),
    }
    path = draw(st.sampled_from(["/click", "/aff_c"]))
    return path, params, headers


def expected_subs(params):
    subs = {name: params.get(name, "") for name in SUB_FIELDS}
    if "aff_sub" not in params:
        subs["aff_sub"] = params.get("aff_sub1", "")
    return subs


def test_fuzzed_clicks_never_fail_and_only_ever_redirect_where_a_manager_pointed(client, network):
    offers, affiliates = network
    configured = {"shop.example", "fallback.example"}
    by_id = {str(o.pk): o for o in offers.values()}
    outcomes = set()

    @examples(250)
    @given(request=click_requests(offers, affiliates))
    def check(request):
        path, params, headers = request
        before = Click.objects.count()

        response = client.get(path, params, **headers)

        assert response.status_code in (302, 400, 403, 404, 410), response.status_code
        stored = Click.objects.count() - before
        outcomes.add(response.status_code if response.status_code != 302 else urlsplit(response["Location"]).hostname)
        if response.status_code != 302:
            assert stored == 0
            return
        location = response["Location"]
        assert "\r" not in location and "\n" not in location
        parts = urlsplit(location)
        assert (parts.scheme, parts.hostname) in {("https", host) for host in configured}
        offer = by_id[params["offer_id"]]  # a redirect means the link named a real offer
        if parts.hostname == "fallback.example":
            assert location == offer.fallback_url
            assert stored == 0
            return
        assert offer.status == Offer.Status.ACTIVE
        if traits_of(headers["HTTP_USER_AGENT"].replace("\x00", "")[:1000]).bot:
            # A crawler or link previewer lands untracked (docs/clicks.md#traffic-quality).
            assert stored == 0 and "tid=&" in location
            return
        assert stored == 1
        row = Click.objects.order_by("-pk").first()
        assert {name: getattr(row, name) for name in SUB_FIELDS} == expected_subs(params)
        assert f"tid={row.transaction_id}&" in location
        assert (row.offer_id, row.affiliate.is_active) == (offer.pk, True)

    check()
    # The examples reached every answer, not only the early refusals.
    assert outcomes == {"shop.example", "fallback.example", 400, 403, 404, 410}
