"""Shoppers for the traffic-quality tests: addresses whose country the offline database knows, and user agents."""

from quality.models import RefusedClickCount
from tracking.models import Click

# Addresses of big, long-lived networks (their country will not move with a database refresh).
US_IPV4 = "8.8.8.8"
GB_IPV4 = "81.2.69.160"
DE_IPV4 = "5.5.5.5"
US_IPV6 = "2001:4860:4860::8888"
DE_IPV6 = "2a01:4f8::1"
PRIVATE_IPV4 = "10.0.0.1"

DESKTOP_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36"
)
DESKTOP_MAC = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 "
    "Safari/605.1.15"
)
DESKTOP_LINUX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 "
    "Mobile/15E148 Safari/604.1"
)
ANDROID_PHONE = (
    "Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Mobile Safari/537.36"
)
IPAD = (
    "Mozilla/5.0 (iPad; CPU OS 16_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.0 "
    "Mobile/15E148 Safari/604.1"
)
ANDROID_TABLET = (
    "Mozilla/5.0 (Linux; Android 13; SM-X700) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36"
)
GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
FACEBOOK_PREVIEW = "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)"
SLACK_PREVIEW = "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)"


def follow(client, offer, affiliate, *, ip=US_IPV4, agent=DESKTOP_WINDOWS, method="get", **params):
    """A shopper at `ip` with browser `agent` following the affiliate's tracking link."""
    query = {"offer_id": offer.pk, "aff_id": affiliate.pk, **params}
    return getattr(client, method)("/click", query, headers={"user-agent": agent}, REMOTE_ADDR=ip)


def refused(reason=None):
    """The refused clicks counted for the reports (all reasons, or one)."""
    rows = RefusedClickCount.objects.all()
    if reason:
        rows = rows.filter(reason=reason)
    return sum(rows.values_list("count", flat=True))


def stored():
    return Click.objects.count()
