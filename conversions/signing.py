"""X-Tally-Signature: `t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<payload>">` (SPEC §5, §6)."""

import hashlib
import hmac
import time


def sign(secret, payload, timestamp=None):
    timestamp = int(time.time()) if timestamp is None else int(timestamp)
    digest = hmac.new(secret.encode(), f"{timestamp}.{payload}".encode(), hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify(header, payload, secrets, *, now, tolerance):
    """Return (ok, detail). Any one of the active secrets may have signed it."""
    fields = {}
    for part in (header or "").split(","):
        key, _, value = part.strip().partition("=")
        fields.setdefault(key, []).append(value)
    try:
        timestamp = int(fields["t"][0])
        signatures = fields["v1"]
    except (KeyError, ValueError, IndexError):
        return False, "malformed X-Tally-Signature header (expected t=<unix>,v1=<hex>)"
    if abs(now - timestamp) > tolerance:
        return False, f"signature timestamp is {int(now - timestamp)} s off (tolerance ±{tolerance} s)"
    for secret in secrets:
        expected = sign(secret, payload, timestamp).partition(",v1=")[2]
        if any(hmac.compare_digest(expected, candidate) for candidate in signatures):
            return True, ""
    return False, "signature does not match"
