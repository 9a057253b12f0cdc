"""Billing periods: runs of network days (core.periods) by a partner's invoice frequency (README.md, Billing).

period_containing(date(2026, 3, 20), "semimonthly")  # -> (date(2026, 3, 16), date(2026, 3, 31))
last_closed_period(date(2026, 4, 1), "monthly")      # -> (date(2026, 3, 1), date(2026, 3, 31))
"""

import calendar
from datetime import date, timedelta

from billing.models import Frequency


def period_containing(day: date, frequency: str) -> tuple[date, date]:
    """The first and last network day of the `frequency` period that holds `day` (weeks run Monday to Sunday)."""
    if frequency == Frequency.WEEKLY:
        start = day - timedelta(days=day.weekday())
        return start, start + timedelta(days=6)
    last = date(day.year, day.month, calendar.monthrange(day.year, day.month)[1])
    if frequency == Frequency.SEMIMONTHLY:
        if day.day <= 15:
            return day.replace(day=1), day.replace(day=15)
        return day.replace(day=16), last
    if frequency == Frequency.MONTHLY:
        return day.replace(day=1), last
    raise ValueError(f"no periods for frequency {frequency!r}")


def last_closed_period(today: date, frequency: str) -> tuple[date, date]:
    """The most recent period that ended before `today` (a network day)."""
    start, _ = period_containing(today, frequency)
    return period_containing(start - timedelta(days=1), frequency)
