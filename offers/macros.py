"""URL templates with macros (docs/clicks.md#macros): `{name}` or `<name>`, filled with percent-encoded values."""

import re
from urllib.parse import quote, urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

CLICK_MACROS = (
    "transaction_id",
    "affiliate_id",
    "offer_id",
    "aff_sub",
    "aff_sub2",
    "aff_sub3",
    "aff_sub4",
    "aff_sub5",
    "source",
    "aff_click_id",
    "advertiser_id",
    "date",
    "datetime",
    "timestamp",
)
POSTBACK_MACROS = CLICK_MACROS + ("conversion_id", "payout", "amount", "currency", "adv_sub", "goal_id", "status")
# What the advertiser sent (the sale amount, its order reference): an affiliate's postback carries them only on a
# network that passes advertiser values through (TALLY_PASS_ADVERTISER_VALUES, off by default, like HasOffers'
# option). A URL using them stays valid either way; while the setting is off they fill empty.
ADVERTISER_VALUE_MACROS = ("amount", "adv_sub")


def affiliate_postback_macros():
    """The postback macros offered to affiliates on this network."""
    if settings.TALLY_PASS_ADVERTISER_VALUES:
        return POSTBACK_MACROS
    return tuple(name for name in POSTBACK_MACROS if name not in ADVERTISER_VALUE_MACROS)


def without_advertiser_values(values):
    """`values` with amount and adv_sub emptied, unless the network passes advertiser values to affiliates."""
    if settings.TALLY_PASS_ADVERTISER_VALUES:
        return values
    return {**values, **dict.fromkeys(ADVERTISER_VALUE_MACROS, "")}


MACRO_PATTERN = re.compile(r"\{([A-Za-z0-9_]+)\}|<([A-Za-z0-9_]+)>")


def macros_in(template):
    return [m.group(1) or m.group(2) for m in MACRO_PATTERN.finditer(template)]


def validate_url_template(template, known=CLICK_MACROS):
    """Raise ValidationError unless template is an http(s) URL whose macros are all known.

    Macros may stand in the path, query or fragment, never in the scheme or host: the host of
    every redirect is one a manager typed.
    """
    unknown = sorted({name for name in macros_in(template) if name not in known})
    if unknown:
        plural = "s" if len(unknown) > 1 else ""
        raise ValidationError(
            f"Unknown macro{plural}: {', '.join(unknown)}. Known macros: {', '.join(known)}.",
            code="unknown_macro",
        )
    parts = urlsplit(template)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError("Enter a full http:// or https:// URL.", code="invalid_url")
    if MACRO_PATTERN.search(parts.netloc) or "{" in parts.netloc or "<" in parts.netloc:
        raise ValidationError("Macros may not stand in the host name.", code="macro_in_host")


def fill(template, values):
    """Replace each known macro by its percent-encoded value; unknown ones become empty."""
    return MACRO_PATTERN.sub(lambda m: quote(str(values.get(m.group(1) or m.group(2), "")), safe=""), template)


def time_values(moment):
    """The date, datetime and timestamp macros of one moment (UTC), as every URL template spells them."""
    return {
        "date": moment.strftime("%Y-%m-%d"),
        "datetime": moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "timestamp": int(moment.timestamp()),
    }


def sample_click_values(*, offer_id=None, advertiser_id=None, now=None):
    """Macro values of a made-up click, to preview a landing URL before any real click exists."""
    now = now or timezone.now()
    return {
        "transaction_id": "9f2c4e7a1b3d5f60718293a4b5c6d7e8",
        "affiliate_id": 7,
        "offer_id": offer_id or 123,
        "aff_sub": "newsletter",
        "aff_sub2": "banner-a",
        "aff_sub3": "",
        "aff_sub4": "",
        "aff_sub5": "",
        "source": "email",
        "aff_click_id": "abc123",
        "advertiser_id": advertiser_id or 45,
        **time_values(now),
    }


def preview(template, **sample):
    """(landing URL for a sample click, None) when the template is valid, else (None, the error message)."""
    try:
        validate_url_template(template)
    except ValidationError as error:
        return None, " ".join(error.messages)
    return fill(template, sample_click_values(**sample)), None
