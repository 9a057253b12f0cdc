"""Helpers for report tests: raw rows at chosen instants, users of each audience, and a report for a range."""

from datetime import UTC, date, datetime

import pytest

from conversions.models import Conversion
from reports.selectors import report_rows
from reports.services import rollups_refresh
from tests import factories

DAY = date(2025, 3, 10)


def at(text):
    """An aware UTC instant from "YYYY-MM-DD HH:MM"."""
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=UTC)


def click_at(when, **kwargs):
    return factories.ClickFactory(created_at=at(when) if isinstance(when, str) else when, **kwargs)


def conversion_at(when, **kwargs):
    """A conversion recorded at `when` (created_at is set by the database on insert, so it is moved after)."""
    if "click" in kwargs and kwargs["click"] is None:  # a partner-ID conversion: no session
        kwargs.setdefault("transaction_id", "")
    conversion = factories.ConversionFactory(**kwargs)
    instant = at(when) if isinstance(when, str) else when
    Conversion.objects.filter(pk=conversion.pk).update(created_at=instant)
    conversion.refresh_from_db()
    return conversion


def user_of(partner):
    """A login belonging to an affiliate or an advertiser."""
    field = "affiliate" if partner.__class__.__name__ == "Affiliate" else "advertiser"
    return factories.MembershipFactory(**{field: partner}).user


def report(user, group_by, date_from=DAY, date_to=DAY, refresh=True, **kwargs):
    if refresh:
        rollups_refresh()
    return report_rows(user=user, group_by=group_by, date_from=date_from, date_to=date_to, **kwargs)


@pytest.fixture
def network_tz(settings):
    """Set the network time zone for one test."""

    def use(name):
        settings.TALLY_NETWORK_TIME_ZONE = name

    return use
