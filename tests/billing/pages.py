"""Invoices for the billing page tests, written the way the books hold them: a draft with its lines, issued through
billing.services (so numbers, totals and due dates are the service's own)."""

from datetime import date
from decimal import Decimal

from django.test import override_settings

from billing import services
from billing.models import Invoice, InvoiceLine
from tests import factories

PERIOD = (date(2026, 10, 1), date(2026, 10, 31))


def draft(partner, *amounts, currency="USD", period=PERIOD):
    """A draft invoice to `partner` (an affiliate or an advertiser) with one conversions line per amount."""
    party = Invoice.Party.AFFILIATE if partner._meta.model_name == "affiliate" else Invoice.Party.ADVERTISER
    invoice = Invoice.objects.create(
        party=party, **{party: partner}, currency=currency, period_start=period[0], period_end=period[1]
    )
    for amount in amounts or (Decimal("100.00"),):
        InvoiceLine.objects.create(
            invoice=invoice, kind=InvoiceLine.Kind.CONVERSIONS, count=2, amount=Decimal(amount), description="Offer"
        )
    return invoice


def issued(partner, *amounts, currency="USD", period=PERIOD, actor=None):
    """An issued invoice (issued by a new manager unless `actor` is given), whatever the network's minimum payout."""
    invoice = draft(partner, *amounts, currency=currency, period=period)
    with override_settings(TALLY_BILLING_MINIMUM_PAYOUT=Decimal("0.00")):
        return services.invoice_issue(invoice=invoice, actor=actor or factories.ManagerFactory())
