"""The click-to-conversion time distribution (README, Traffic quality): how long after their click conversions of an
offer or affiliate came in, bucketed, for the histogram on the manager's "Time to convert" report.

It never reads clicks: each conversion keeps `seconds_to_convert`, fixed by the postback pipeline when it was
recorded (docs/postbacks.md#conversion-rules). One aggregate query counts every bucket at once, over the
conversions of the period, read through the conversion_offer_time or conversion_affiliate_time index when an offer
or affiliate is chosen. Partner-ID conversions have no click and no time: they are counted apart.
"""

from dataclasses import dataclass

from django.db.models import Count, Q

# (label, from seconds inclusive, to seconds exclusive or None): quick ones finely, where bots and stuffing show.
BUCKETS = (
    ("< 10 s", 0, 10),
    ("10–30 s", 10, 30),
    ("30–60 s", 30, 60),
    ("1–5 min", 60, 300),
    ("5–15 min", 300, 900),
    ("15–60 min", 900, 3600),
    ("1–6 h", 3600, 6 * 3600),
    ("6–24 h", 6 * 3600, 24 * 3600),
    ("1–7 days", 24 * 3600, 7 * 24 * 3600),
    ("7 days or more", 7 * 24 * 3600, None),
)


@dataclass(frozen=True)
class Bucket:
    label: str
    low: int
    high: int | None
    count: int
    percent: float


@dataclass(frozen=True)
class Distribution:
    buckets: list
    timed: int  # conversions with a click (and so a time)
    untimed: int  # partner-ID conversions: no click, no time

    @property
    def chart(self):
        """What static/js/conversion_times.js draws."""
        return {"labels": [b.label for b in self.buckets], "counts": [b.count for b in self.buckets]}


def _bucket_filter(low, high):
    condition = Q(seconds_to_convert__gte=low)
    if high is not None:
        condition &= Q(seconds_to_convert__lt=high)
    return condition


def conversion_time_distribution(*, conversions) -> Distribution:
    """The distribution of a conversions queryset (already scoped and filtered: period, offer, affiliate, status),
    counted by the database in one query."""
    counts = conversions.order_by().aggregate(
        untimed=Count("pk", filter=Q(seconds_to_convert__isnull=True)),
        **{f"b{index}": Count("pk", filter=_bucket_filter(low, high)) for index, (_, low, high) in enumerate(BUCKETS)},
    )
    timed = sum(counts[f"b{index}"] for index in range(len(BUCKETS)))
    buckets = [
        Bucket(
            label=label,
            low=low,
            high=high,
            count=counts[f"b{index}"],
            percent=round(100 * counts[f"b{index}"] / timed, 1) if timed else 0.0,
        )
        for index, (label, low, high) in enumerate(BUCKETS)
    ]
    return Distribution(buckets=buckets, timed=timed, untimed=counts["untimed"])
