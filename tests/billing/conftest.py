"""Helpers for billing tests: conversions at chosen instants (as the reports tests make them), approvals at a
chosen instant, and one network's partners."""

from datetime import UTC, datetime

from conversions.models import Conversion, ConversionStatusChange
from conversions.services import conversion_set_status
from tests import factories


def at(text):
    """An aware UTC instant from "YYYY-MM-DD HH:MM"."""
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=UTC)


def conversion_at(when, *, offer, affiliate, goal=None, payout="5.00", revenue="8.00", status="approved"):
    """A conversion recorded at `when` (an instant or "YYYY-MM-DD HH:MM" UTC), in its offer's currency."""
    click = factories.ClickFactory(offer=offer, affiliate=affiliate)
    conversion = factories.ConversionFactory(
        click=click, goal=goal, payout=payout, revenue=revenue, currency=offer.currency, status=status
    )
    instant = at(when) if isinstance(when, str) else when
    Conversion.objects.filter(pk=conversion.pk).update(created_at=instant)
    conversion.refresh_from_db()
    return conversion


def set_status_at(conversion, status, when, user=None):
    """Change a conversion's status through the service, as if at `when` (its audit row moved there)."""
    conversion_set_status(conversion=conversion, status=status, user=user)
    change = ConversionStatusChange.objects.filter(conversion=conversion).order_by("-id").first()
    ConversionStatusChange.objects.filter(pk=change.pk).update(changed_at=at(when) if isinstance(when, str) else when)
    conversion.refresh_from_db()
    return conversion
