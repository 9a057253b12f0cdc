"""Parsing of postback parameters: what arrives as text becomes typed values, or a reason code."""

import ipaddress
import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.conf import settings

from conversions.reasons import Reason

ID_PATTERN = re.compile(r"^[0-9]{1,18}$")
CURRENCY_PATTERN = re.compile(r"^[A-Za-z]{3}$")
ADV_SUB_FIELDS = ("adv_sub", "adv_sub2", "adv_sub3", "adv_sub4", "adv_sub5")
MAX_AMOUNT = Decimal("999999999999.99")
CENT = Decimal("0.01")


class Rejection(Exception):
    """A rule failed: reason is the rule's Reason (docs/reason-codes.md), detail is for a person."""

    def __init__(self, reason: Reason, detail: str):
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


@dataclass
class PostbackParams:
    transaction_id: str = ""
    offer_id: int | None = None
    aff_id: int | None = None
    goal_id: int | None = None
    amount: Decimal = Decimal("0")
    currency: str = ""
    conversion_unique_id: str | None = None
    security_token: str = ""
    test: bool = False
    adv_subs: dict = field(default_factory=dict)
    # A coupon code the shopper used (docs/postbacks.md#coupon-codes); "" when not sent.
    coupon_code: str = ""
    # The shopper's IP as the advertiser saw it (`ip`), normalised; "" when not sent. Not the sender's address.
    shopper_ip: str = ""

    @property
    def by_partner_id(self):
        return not self.transaction_id

    @property
    def by_coupon(self):
        """The coupon-code protocol (docs/postbacks.md#coupon-codes): no transaction ID, a coupon code and an offer.
        Like the partner-ID protocol it has no click (by_partner_id is true too: the same credential rule)."""
        return not self.transaction_id and bool(self.coupon_code)


def _id(params, name):
    value = params.get(name, "")
    if value == "":
        return None
    if not ID_PATTERN.fullmatch(value):
        raise Rejection(Reason.INVALID_PARAMETER, f"{name} must be a positive whole number, got {value[:40]!r}")
    return int(value)


def _text(params, name, limit):
    value = params.get(name, "")
    if len(value) > limit:
        raise Rejection(Reason.INVALID_PARAMETER, f"{name} is longer than {limit} characters")
    if "\x00" in value:
        raise Rejection(Reason.INVALID_PARAMETER, f"{name} contains a NUL character")
    return value


def _amount(params):
    raw = params.get("amount", "").strip()
    if raw == "":
        return Decimal("0")
    try:
        amount = Decimal(raw)
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite() or amount < 0 or amount > MAX_AMOUNT:
        raise Rejection(Reason.INVALID_PARAMETER, f"amount must be a non-negative decimal, got {raw[:40]!r}")
    # Money is kept to the cent: round here, once, rather than leave it to the database (SQLite and
    # PostgreSQL would round 12.345 differently, and the payout would be worked out from another amount).
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def _shopper_ip(params):
    raw = params.get("ip", "").strip()
    if raw == "":
        return ""
    try:
        return str(ipaddress.ip_address(raw))
    except ValueError:
        raise Rejection(Reason.INVALID_PARAMETER, f"ip must be an IPv4 or IPv6 address, got {raw[:45]!r}") from None


def parse(params, *, goal_required=False):
    """Typed parameters from a dict of strings; raises Rejection for missing_parameter/invalid_parameter."""
    # missing_parameter comes before invalid_parameter (docs/reason-codes.md), so check presence before any value.
    has_offer = params.get("offer_id", "").strip()
    has_partner = has_offer and (params.get("aff_id", "").strip() or params.get("coupon_code", "").strip())
    if not params.get("transaction_id", "").strip() and not has_partner:
        raise Rejection(Reason.MISSING_PARAMETER, "send transaction_id, or offer_id and aff_id (or coupon_code)")
    if goal_required and not params.get("goal_id"):
        raise Rejection(Reason.MISSING_PARAMETER, "goal_id is required on /aff_goal")
    transaction_id = _text(params, "transaction_id", 64).strip()
    limit = settings.TALLY_MAX_PARAM_LENGTH
    currency = params.get("currency", "").strip()
    if currency and not CURRENCY_PATTERN.match(currency):
        raise Rejection(Reason.INVALID_PARAMETER, f"currency must be an ISO 4217 code, got {currency[:20]!r}")
    unique_id = _text(params, "conversion_unique_id", 255) or None
    return PostbackParams(
        transaction_id=transaction_id,
        offer_id=_id(params, "offer_id"),
        aff_id=_id(params, "aff_id"),
        goal_id=_id(params, "goal_id"),
        amount=_amount(params),
        currency=currency.upper(),
        conversion_unique_id=unique_id,
        security_token=_text(params, "security_token", 256),
        test=params.get("test", "") in ("1", "true", "True"),
        adv_subs={name: _text(params, name, limit) for name in ADV_SUB_FIELDS},
        coupon_code=_text(params, "coupon_code", 64).strip(),
        shopper_ip=_shopper_ip(params),
    )
