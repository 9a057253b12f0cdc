"""Transaction IDs: 32 lower-case hex characters in the UUIDv7 layout (docs/storage.md, Transaction IDs).

The first 48 bits are the click's time in milliseconds since the epoch (the click's created_at, exactly), then the
version (7) and variant bits around 74 random bits from the OS CSPRNG: as unguessable as a random token that size,
and the postback's lookup reads the click's time, hence its partition, from the ID itself. No library: the time
must be the one we pass (uuid6/uuid-utils take the clock's), and the layout is a few shifts.

IDs made before this layout (128 random bits) keep working: conversions.click_lookup looks an ID up by its time
first and, when that finds nothing, among the clicks made before the change only (legacy_before).
"""

import functools
import secrets
from datetime import UTC, datetime, timedelta

from django.db.models import Q
from django.utils import timezone

# Times an ID may carry: a random legacy ID looks v7-shaped 1 time in 64, and then almost always decodes to a time
# far outside these (its 48 bits span some 8,900 years).
EARLIEST = datetime(2020, 1, 1, tzinfo=UTC)
CLOCK_SKEW = timedelta(days=1)
# Clicks made up to this long after the migration that brought this layout may still carry legacy IDs (web
# processes running the old code during a deploy).
DEPLOY_MARGIN = timedelta(days=1)
_VARIANTS = frozenset("89ab")
_HEX = frozenset("0123456789abcdef")


def truncate_ms(moment: datetime) -> datetime:
    """moment without its sub-millisecond part: what an ID holds."""
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def new_transaction_id(now: datetime) -> str:
    """A new ID for a click made at `now` (its millisecond is kept, the rest dropped)."""
    ms = _epoch_ms(now)
    rand = int.from_bytes(secrets.token_bytes(10), "big") >> 6  # 74 random bits
    rand_a, rand_b = rand >> 62, rand & ((1 << 62) - 1)
    value = (ms & ((1 << 48) - 1)) << 80 | 0x7 << 76 | rand_a << 64 | 0b10 << 62 | rand_b
    return f"{value:032x}"


def time_of(transaction_id: str) -> datetime | None:
    """The time a v7 ID carries (UTC, to the millisecond), or None for an ID in another layout (a legacy random ID)
    or with an implausible time (before EARLIEST or more than CLOCK_SKEW ahead of now)."""
    if (
        len(transaction_id) != 32
        or transaction_id[12] != "7"
        or transaction_id[16] not in _VARIANTS
        or not _HEX.issuperset(transaction_id)
    ):
        return None
    ms = int(transaction_id[:12], 16)
    if not _epoch_ms(EARLIEST) <= ms <= _epoch_ms(timezone.now() + CLOCK_SKEW):
        return None
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=ms)


def _epoch_ms(moment: datetime) -> int:
    delta = moment.astimezone(UTC) - datetime(1970, 1, 1, tzinfo=UTC)
    return delta.days * 86_400_000 + delta.seconds * 1000 + delta.microseconds // 1000  # exact, no float


def legacy_before() -> datetime:
    """Clicks made before this time may carry legacy IDs: when the migration that brought v7 IDs ran, plus
    DEPLOY_MARGIN (read once per process from Django's migration record)."""
    applied = _migration_applied()
    if applied is None:  # not migrated yet: every click may be a legacy one
        _migration_applied.cache_clear()
        return datetime.max.replace(tzinfo=UTC)
    return applied + DEPLOY_MARGIN


@functools.cache
def _migration_applied():
    from django.db.migrations.recorder import MigrationRecorder

    return (
        MigrationRecorder.Migration.objects.filter(app="tracking", name="0005_partitioned_clicks")
        .values_list("applied", flat=True)
        .first()
    )


def transaction_id_q(transaction_id: str) -> Q:
    """A filter on clicks for this transaction ID that PostgreSQL prunes: the day its v7 time names, or the days
    before legacy_before() (a legacy ID), never every partition (docs/storage.md, Older transaction IDs)."""
    when = Q(created_at__lt=legacy_before())
    if (at := time_of(transaction_id)) is not None:
        when |= Q(created_at=at)
    return Q(transaction_id=transaction_id) & when
