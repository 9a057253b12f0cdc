"""{{ amount|money:"EUR" }} → "1,234.50 EUR": an amount with its currency, the way invoices print it."""

from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def money(value, currency=""):
    if value in (None, ""):
        return ""
    amount = Decimal(value).quantize(Decimal("0.01"))
    sign = "-" if amount < 0 else ""
    text = f"{sign}{abs(amount):,.2f}"
    return f"{text} {currency}".strip()
