"""Days as the network sees them: cut in settings.TALLY_NETWORK_TIME_ZONE, not in UTC."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone


def network_tz():
    return ZoneInfo(settings.TALLY_NETWORK_TIME_ZONE)


def network_today():
    return timezone.localtime(timezone.now(), network_tz()).date()


def day_start(day):
    """The aware instant a network day begins."""
    return datetime.combine(day, time.min, tzinfo=network_tz())


def day_end(day):
    """The aware instant the next network day begins (exclusive end of `day`)."""
    return day_start(day + timedelta(days=1))


def period_starts(now):
    """The start of the network day and month that contain `now` (for daily and monthly caps)."""
    local = timezone.localtime(now, network_tz())
    day = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return day, day.replace(day=1)
