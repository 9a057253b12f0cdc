"""The test fire (docs/affiliate-postbacks.md#test-fire): send an affiliate's postback URL one sample conversion, on
request, through the same outbound code as real deliveries (SSRF guard, timeouts, no redirects, signed) and return what
came back.

Nothing is recorded: no conversion, no delivery. The request carries `X-Tally-Test: 1`, and its conversion_id is
0, so an affiliate's server can tell it from a real one.
"""

from urllib.parse import urlsplit

from django.utils import timezone

from conversions import outbound, signing
from conversions.postback_urls import validate_postback_url
from conversions.sending import SNIPPET_CHARS
from offers.macros import fill, sample_click_values, without_advertiser_values


def sample_postback_values(*, affiliate, offer=None, now=None):
    """Macro values of a made-up approved conversion for this affiliate (on `offer` when given)."""
    now = now or timezone.now()
    values = sample_click_values(
        offer_id=offer.pk if offer else None, advertiser_id=offer.advertiser_id if offer else None, now=now
    )
    values.update(
        affiliate_id=affiliate.pk,
        conversion_id=0,
        payout=offer.payout if offer and offer.payout_type == offer.PayoutType.CPA_FLAT else "5.00",
        amount="100.00",
        currency=offer.currency if offer else "USD",
        adv_sub="",
        goal_id="",
        status="approved",
    )
    return without_advertiser_values(values)


def affiliate_postback_test_fire(*, affiliate, url, offer=None):
    """Send one sample postback to `url` (a postback URL template) now; returns the outbound.Answer and the
    response snippet as text. Raises ValidationError for a URL Tally would not call."""
    validate_postback_url(url)
    filled = fill(url, sample_postback_values(affiliate=affiliate, offer=offer))
    signature = signing.sign_with(affiliate.postback_signing_secrets(), urlsplit(filled).query)
    answer = outbound.fetch(filled, headers={"X-Tally-Signature": signature, "X-Tally-Test": "1"})
    snippet = answer.body[: SNIPPET_CHARS * 4].decode("utf-8", errors="replace")[:SNIPPET_CHARS]
    return answer, snippet
