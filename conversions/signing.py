"""X-Tally-Signature: `t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<payload>">` (docs/postbacks.md#signed-postbacks)."""

import hashlib
import hmac
import time


def _digest(secret, payload, timestamp):
    """The hex HMAC-SHA256 of "<timestamp>.<payload>" under secret (its literal UTF-8 text)."""
    return hmac.new(secret.encode(), f"{timestamp}.{payload}".encode(), hashlib.sha256).hexdigest()


def sign(secret, payload, timestamp=None):
    return sign_with([secret], payload, timestamp)


def sign_with(secrets, payload, timestamp=None):
    """One header signed by each secret: `t=<unix>,v1=<first>,v1=<second>` (a verifier holding any one accepts it)."""
    timestamp = int(time.time()) if timestamp is None else int(timestamp)
    return f"t={timestamp}" + "".join(f",v1={_digest(secret, payload, timestamp)}" for secret in secrets)


def _fields(header):
    """(timestamp, [v1 values]) of a header, or None when it is malformed."""
    fields = {}
    for part in (header or "").split(","):
        key, _, value = part.strip().partition("=")
        fields.setdefault(key, []).append(value)
    try:
        return int(fields["t"][0]), fields["v1"]
    except (KeyError, ValueError, IndexError):
        return None


def verify(header, payload, secrets, *, now, tolerance, future_skew=None):
    """Return (ok, detail). Any one of the active secrets may have signed it, at most `tolerance` seconds ago and at
    most `future_skew` seconds ahead of our clock (the sender's clock may run a little fast; default: tolerance)."""
    fields = _fields(header)
    if fields is None:
        return False, "malformed X-Tally-Signature header (expected t=<unix>,v1=<hex>)"
    timestamp, signatures = fields
    future_skew = tolerance if future_skew is None else future_skew
    if now - timestamp > tolerance:
        return False, f"signature timestamp is {int(now - timestamp)} s old (tolerance {tolerance} s)"
    if timestamp - now > future_skew:
        return False, f"signature timestamp is {int(timestamp - now)} s in the future (tolerance {future_skew} s)"
    for secret in secrets:
        expected = _digest(secret, payload, timestamp)
        if any(hmac.compare_digest(expected, candidate) for candidate in signatures):
            return True, ""
    return False, "signature does not match"


def signed_message(header, payload, *, signer):
    """(digest, timestamp) of what a verified header signed: the SHA-256 of the signer (e.g. the advertiser's id),
    the timestamp and the payload. The same message sent again has the same digest, whatever else the header
    carries (extra v1 values, another of the active secrets), so it can be refused as a replay."""
    timestamp, _ = _fields(header)
    digest = hashlib.sha256(f"{signer}:{timestamp}.{payload}".encode()).hexdigest()
    return digest, timestamp
