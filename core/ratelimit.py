"""Fixed-window counters in Django's cache: per-IP rate limits on the click and postback endpoints, and the
failed sign-in counts behind the login lockout (core/lockout.py).

A counter is one cache key per (scope, who, window): `tally:rl:<scope>:<who>:<window number>`. Counting a request
is one round trip: on Redis (Django's RedisCache) a pipeline of `SET key 0 EX <window> NX` and `INCR key`; on any
other backend `incr`, falling back to `add` the first time in a window. The key names its window, so a count never
outlives it even if an expiry is missed.

The cache is settings.CACHES[TALLY_RATELIMIT_CACHE]: local memory by default (each process counts alone, so with
N web processes an address may send up to N times the limit), Redis through CACHE_URL in production (one count
for the whole network).

When the cache fails, the limiter rests for CACHE_PAUSE_SECONDS before trying it again, and what happens to the
request depends on the caller:
- fail open (the default; the click, postback, sign-up and test-fire limits): the request is let through, once
  logged, so a limiter never takes the endpoints down with it;
- fail closed (`fail_closed=True`; the sign-in lockout): Unavailable is raised and the caller refuses, so that a
  stopped cache never means unlimited password guessing.
"""

import functools
import ipaddress
import logging
import math
import time

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)

# After the cache fails, the limiter lets everything through for this many seconds before trying it again.
CACHE_PAUSE_SECONDS = 5.0
_paused_until = 0.0


class Unavailable(Exception):
    """The cache holding the counts can't be reached (raised only to callers that fail closed)."""


def _cache():
    return caches[settings.TALLY_RATELIMIT_CACHE]


def _key(scope, who, window, now):
    return f"tally:rl:{scope}:{who}:{int(now // window)}"


def _increment(cache, key, window):
    """Add one to the counter at key (created with a lifetime of one window); return the new count."""
    if isinstance(cache, RedisCache):
        # Django's RedisCache.incr() asks EXISTS before INCR and needs an add() first: three round trips.
        # Done here in one, through the backend's own connection pool and key format.
        redis_key = cache.make_and_validate_key(key)
        pipe = cache._cache.get_client(redis_key, write=True).pipeline(transaction=False)
        pipe.set(redis_key, 0, ex=window + 1, nx=True)
        pipe.incr(redis_key)
        return pipe.execute()[1]
    try:
        return cache.incr(key)
    except ValueError:  # the first request of this window
        if cache.add(key, 1, timeout=window + 1):
            return 1
        return cache.incr(key)  # another request created it meanwhile


def too_many_requests(response, retry_after):
    """Make response the answer to a refused request: 429, with Retry-After in whole seconds."""
    response.status_code = 429
    response["Retry-After"] = str(retry_after)
    return response


def seconds_left(window, now=None):
    """Whole seconds until the current window ends (at least 1): the Retry-After of a refusal."""
    now = time.time() if now is None else now
    return max(1, math.ceil((now // window + 1) * window - now))


def _paused(scope, fail_closed):
    """True while the limiter rests after a cache failure; raises Unavailable instead for a caller that fails
    closed."""
    if time.monotonic() >= _paused_until:
        return False
    if fail_closed:
        raise Unavailable(scope)
    return True


def _failed(scope, fail_closed, error, message, *args):
    """After a cache failure: rest, log, and raise Unavailable to a caller that fails closed."""
    global _paused_until
    _paused_until = time.monotonic() + CACHE_PAUSE_SECONDS
    logger.warning(message, *args)
    if fail_closed:
        raise Unavailable(scope) from error


def add(scope, who, *, window, now=None, fail_closed=False):
    """Count one event of `who` in `scope` for the current window of `window` seconds; return the new count.
    When the cache fails: 0 (let through), or Unavailable with fail_closed."""
    now = time.time() if now is None else now
    if _paused(scope, fail_closed):
        return 0
    try:
        return _increment(_cache(), _key(scope, who, window, now), window)
    except Exception as error:
        outcome = f"refusing {scope}" if fail_closed else "letting requests through"
        _failed(scope, fail_closed, error, "rate limit cache unavailable; %s for %s s", outcome, CACHE_PAUSE_SECONDS)
        return 0


def hit(scope, who, *, limit, window, now=None, fail_closed=False):
    """Count one event of `who` (e.g. an IP address) in `scope`. Returns 0 while the count is within `limit`
    for the current window of `window` seconds, else the seconds until the window ends. limit <= 0 turns the
    limit off (nothing is counted). When the cache fails: 0 (let through), or Unavailable with fail_closed."""
    if limit <= 0:
        return 0
    now = time.time() if now is None else now
    count = add(scope, who, window=window, now=now, fail_closed=fail_closed)
    if count <= limit:
        return 0
    retry_after = seconds_left(window, now)
    if count == limit + 1:
        logger.warning(
            "rate limited: %s from %s passed %s per %s s; refused for the next %s s",
            scope,
            who,
            limit,
            window,
            retry_after,
        )
    return retry_after


def count(scope, who, *, window, now=None, fail_closed=False):
    """The current window's count for `who` in `scope`, without adding to it. When the cache fails: 0, or
    Unavailable with fail_closed."""
    now = time.time() if now is None else now
    if _paused(scope, fail_closed):
        return 0
    try:
        return int(_cache().get(_key(scope, who, window, now)) or 0)
    except Exception as error:
        _failed(scope, fail_closed, error, "rate limit cache unavailable while reading %s", scope)
        return 0


def reset(scope, who, *, window, now=None):
    """Forget the current window's count for `who` in `scope` (logged and skipped when the cache fails)."""
    now = time.time() if now is None else now
    try:
        _cache().delete(_key(scope, who, window, now))
    except Exception:
        logger.warning("rate limit cache unavailable while resetting %s", scope)


def recall(scope, who, *, fail_closed=False):
    """The value last remembered for `who` in `scope` (not tied to a window), or None. When the cache fails: None,
    or Unavailable with fail_closed."""
    if _paused(scope, fail_closed):
        return None
    try:
        return _cache().get(f"tally:rl:{scope}:{who}")
    except Exception as error:
        _failed(scope, fail_closed, error, "rate limit cache unavailable while reading %s", scope)
        return None


def remember(scope, who, value, *, timeout):
    """Keep `value` for `who` in `scope` for `timeout` seconds (logged and skipped when the cache fails)."""
    try:
        _cache().set(f"tally:rl:{scope}:{who}", value, timeout=timeout)
    except Exception:
        logger.warning("rate limit cache unavailable while writing %s", scope)


@functools.lru_cache(maxsize=8)
def _networks(entries):
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def is_exempt(ip):
    """True when ip is on settings.TALLY_RATELIMIT_EXEMPT_IPS (addresses or CIDR networks)."""
    entries = settings.TALLY_RATELIMIT_EXEMPT_IPS
    if not entries or not ip:
        return False
    address = ipaddress.ip_address(ip)
    return any(address in network for network in _networks(tuple(entries)))


def request_limited(scope, ip, *, limit):
    """The per-IP limit of a hot endpoint: 0 to go on, else the Retry-After seconds of a 429.

    `ip` is core.http.client_ip(request) (None when a trusted proxy forwarded no valid address: those share
    one counter)."""
    if limit <= 0 or is_exempt(ip):
        return 0
    return hit(scope, ip or "unknown", limit=limit, window=settings.TALLY_RATELIMIT_WINDOW_SECONDS)
