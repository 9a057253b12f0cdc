"""How rates read on portal pages: "5.00 USD" for a flat amount, "8 %" for a percent of the sale."""

from django import template

from offers.models import PayoutType

register = template.Library()


def _rate(kind, value, currency):
    if kind == PayoutType.CPS_PERCENT:
        return f"{value.normalize():f} %"
    return f"{value} {currency}".strip()


@register.filter
def payout_label(source, currency=""):
    """An offer's or goal's payout (pass the currency for a goal: `goal|payout_label:offer.currency`)."""
    return _rate(source.payout_type, source.payout, getattr(source, "currency", currency))


@register.filter
def revenue_label(source, currency=""):
    return _rate(source.revenue_type, source.revenue, getattr(source, "currency", currency))


@register.filter
def hours_label(hours):
    """720 → "720 h (30 days)"."""
    if hours % 24 == 0:
        days = hours // 24
        return f"{hours} h ({days} day{'s' if days != 1 else ''})"
    return f"{hours} h"
