"""The postback reason codes (docs/reason-codes.md): one member per rule, in the order the pipeline checks
them. Each code is protocol (the JSON "reason", the HasOffers err_msg, PostbackLog.reason and the trace's "rule"), so
a member's value never changes; what the code means to Tally is on the member."""

from enum import StrEnum


class Reason(StrEnum):
    """A rule of the postback pipeline and the code a postback refused by it carries.

    Each member has `http_status` (the answer when it refuses), `label` (what the rule checks, as the manager reads it
    in the decision trace), `replayable` (a manager may replay a refusal once its cause is fixed; the others can only
    be fixed by the sender) and `credential` (a credential check: skipped on replay, a refusal is logged as WARNING).
    """

    http_status: int
    label: str
    replayable: bool
    credential: bool

    def __new__(cls, code, http_status, label, kind=""):
        if kind not in ("", "credential", "replayable"):
            raise ValueError(f"unknown kind of reason {kind!r}")
        member = str.__new__(cls, code)
        member._value_ = code
        member.http_status = http_status
        member.label = label
        member.replayable = kind == "replayable"
        member.credential = kind == "credential"
        return member

    # code, HTTP status, trace label[, "credential" or "replayable"]; in the order the rules are checked.
    MISSING_PARAMETER = "missing_parameter", 400, "Required parameters present"
    INVALID_PARAMETER = "invalid_parameter", 400, "Parameter values valid"
    UNKNOWN_TRANSACTION = "unknown_transaction", 404, "Transaction (or offer and affiliate) found"
    # The coupon-code protocol (docs/postbacks.md#coupon-codes): no such code on the offer, or outside its dates.
    UNKNOWN_COUPON = "unknown_coupon", 404, "Coupon code known on the offer"
    INVALID_TOKEN = "invalid_token", 403, "Security token", "credential"
    INVALID_SIGNATURE = "invalid_signature", 403, "Signature", "credential"
    IP_NOT_ALLOWED = "ip_not_allowed", 403, "Sender's IP allowed", "credential"
    OFFER_MISMATCH = "offer_mismatch", 409, "offer_id matches the click"
    EXPIRED_TRANSACTION = "expired_transaction", 410, "Session still open"
    COUPON_EXPIRED = "coupon_expired", 410, "Coupon code within its dates"
    OFFER_INACTIVE = "offer_inactive", 409, "Offer not archived", "replayable"
    AFFILIATE_NOT_ALLOWED = "affiliate_not_allowed", 403, "Affiliate allowed on the offer", "replayable"
    # The click's session (its IP, affiliate, sub IDs) matches a blocklist: refused, nothing recorded. Replayable
    # once a manager takes the entry off the blocklist.
    BLOCKED_TRAFFIC = "blocked_traffic", 403, "Traffic not on a blocklist", "replayable"
    DUPLICATE = "duplicate", 409, "Not a duplicate"
    # Conversion rules (docs/postbacks.md#conversion-rules): per the offer's action, a conversion kept as rejected
    # (409) or kept pending and flagged (200); a manager may overturn either, so they are never replayed.
    TOO_FAST = "too_fast", 409, "Not converted too soon after the click"
    COUNTRY_MISMATCH = "country_mismatch", 409, "Shopper's country is the click's"
    # Not replayable: a cap-rejected conversion is stored as rejected, and a manager approves it instead.
    CAP_REACHED = "cap_reached", 409, "Under the offer's cap"

    @classmethod
    def lookup(cls, code):
        """The member for a stored code, or None (an empty reason, or a code from before a rename)."""
        try:
            return cls(code)
        except ValueError:
            return None

    @classmethod
    def replayable_reasons(cls):
        """The reasons a manager may replay, in rule order."""
        return tuple(reason for reason in cls if reason.replayable)

    @classmethod
    def credential_rules(cls):
        """The credential rules (token, signature, IP allowlist), in rule order."""
        return tuple(reason for reason in cls if reason.credential)


# The conversion rules (docs/postbacks.md#conversion-rules), in rule order: a broken one keeps the conversion
# (rejected or pending) and leaves its code as a flag on it.
CONVERSION_RULES = (Reason.TOO_FAST, Reason.COUNTRY_MISMATCH)
