"""Reads of the books (README.md, Billing), scoped by role through core.scoping: managers see everything; an
affiliate's users their own issued and paid invoices and payments; an advertiser's users likewise. Drafts and void
invoices are the managers' alone.

    invoice_list(user=request.user)             # a queryset, newest period first
    invoice_for(user=request.user, pk=12)       # Http404 outside one's scope
    balances()                                  # per affiliate and currency: issued − paid
    invoices_to_pay()                           # what the network owes, with each affiliate's payment method
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import DecimalField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.http import Http404

from billing.models import (
    CENT,
    ZERO,
    AdvertiserBillingProfile,
    AffiliateBillingProfile,
    Invoice,
    InvoiceConversion,
    Party,
    Payment,
    PaymentAllocation,
)
from core.periods import network_today
from core.scoping import restrict
from offers.models import MONEY

VISIBLE_TO_PARTNERS = (Invoice.Status.ISSUED, Invoice.Status.PAID)


def _own_invoices(party):
    def rule(queryset, user):
        membership = user.membership
        partner_id = membership.affiliate_id if party == Party.AFFILIATE else membership.advertiser_id
        return queryset.filter(party=party, status__in=VISIBLE_TO_PARTNERS, **{f"{party}_id": partner_id})

    return rule


def with_paid(queryset):
    """Invoices annotated with `paid` (the sum of the payments allocated to each), in one query."""
    paid = (
        PaymentAllocation.objects.filter(invoice=OuterRef("pk"))
        .order_by()
        .values("invoice")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return queryset.annotate(
        paid=Coalesce(
            Subquery(paid, output_field=DecimalField(**MONEY)), Value(ZERO), output_field=DecimalField(**MONEY)
        )
    )


def invoice_list(*, user):
    """The invoices `user` may see (see the module docstring), with `paid` annotated."""
    queryset = Invoice.objects.select_related("affiliate", "advertiser", "issued_by")
    return with_paid(
        restrict(queryset, user, affiliate=_own_invoices(Party.AFFILIATE), advertiser=_own_invoices(Party.ADVERTISER))
    )


def invoice_for(*, user, pk) -> Invoice:
    """One invoice `user` may see, or Http404 (never 403: outside one's scope an invoice does not exist)."""
    try:
        return invoice_list(user=user).get(pk=pk)
    except (Invoice.DoesNotExist, ValueError, TypeError):
        raise Http404("No such invoice.") from None


def invoice_lines(invoice):
    """The lines of an invoice as printed: conversions, then reversals, then adjustments."""
    order = {"conversions": 0, "reversal": 1, "adjustment": 2}
    return sorted(
        invoice.lines.select_related("offer", "goal", "created_by"), key=lambda line: (order[line.kind], line.pk)
    )


def invoice_conversions(invoice, *, kind=InvoiceConversion.Kind.CHARGE):
    """The conversions behind an invoice (every amount traceable to them), oldest first."""
    return (
        invoice.conversion_links.filter(kind=kind)
        .select_related("conversion", "conversion__offer")
        .order_by("conversion__created_at", "conversion_id")
    )


def _own_payments(party):
    def rule(queryset, user):
        membership = user.membership
        partner_id = membership.affiliate_id if party == Party.AFFILIATE else membership.advertiser_id
        return queryset.filter(party=party, **{f"{party}_id": partner_id})

    return rule


def payment_list(*, user):
    """The payments `user` may see: managers all, a partner's users their own."""
    queryset = Payment.objects.select_related("affiliate", "advertiser", "recorded_by")
    return restrict(
        queryset, user, affiliate=_own_payments(Party.AFFILIATE), advertiser=_own_payments(Party.ADVERTISER)
    )


def payment_for(*, user, pk) -> Payment:
    try:
        return payment_list(user=user).get(pk=pk)
    except (Payment.DoesNotExist, ValueError, TypeError):
        raise Http404("No such payment.") from None


def balances(*, affiliate=None, party=Party.AFFILIATE):
    """Per partner and currency: issued (the totals of issued and paid invoices), paid, and balance = issued − paid.
    [{"affiliate": Affiliate, "currency": "USD", "issued": Decimal, "paid": Decimal, "balance": Decimal}, ...]
    (the key is "advertiser" for party="advertiser"). Only partners with an issued invoice appear."""
    invoices = Invoice.objects.filter(party=party, status__in=VISIBLE_TO_PARTNERS)
    if affiliate is not None:
        invoices = invoices.filter(affiliate=affiliate)
    key = f"{party}_id"
    # Quantized: SQLite sums decimals as floats, which come back as Decimals with trailing digits.
    issued = {
        (row[key], row["currency"]): row["total"].quantize(CENT)
        for row in invoices.values(key, "currency").order_by().annotate(total=Sum("total"))
    }
    paid = {
        (row[f"invoice__{key}"], row["invoice__currency"]): row["total"].quantize(CENT)
        for row in PaymentAllocation.objects.filter(invoice__in=invoices)
        .values(f"invoice__{key}", "invoice__currency")
        .order_by()
        .annotate(total=Sum("amount"))
    }
    model = Invoice._meta.get_field(party).related_model
    partners = model.objects.in_bulk({partner_id for partner_id, _ in issued})
    rows = []
    for (partner_id, currency), total in issued.items():
        done = paid.get((partner_id, currency), ZERO)
        rows.append(
            {party: partners[partner_id], "currency": currency, "issued": total, "paid": done, "balance": total - done}
        )
    return sorted(rows, key=lambda row: (row[party].name.casefold(), row[party].pk, row["currency"]))


@dataclass
class ToPay:
    """What the network owes one affiliate in one currency, and how to pay it."""

    affiliate: object
    currency: str
    amount_due: Decimal = ZERO
    method: str = ""
    details: str = ""
    invoices: list = field(default_factory=list)


def invoices_to_pay(*, currency=None):
    """Issued affiliate invoices not yet paid in full, per affiliate and currency, oldest first, with the
    affiliate's payment method and details: the "to pay" page and its mass-payment CSV."""
    invoices = with_paid(
        Invoice.objects.filter(party=Party.AFFILIATE, status=Invoice.Status.ISSUED).select_related("affiliate")
    ).order_by("affiliate__name", "affiliate_id", "currency", "period_end", "id")
    if currency:
        invoices = invoices.filter(currency=currency)
    profiles = {p.affiliate_id: p for p in AffiliateBillingProfile.objects.all()}
    groups = {}
    for invoice in invoices:
        due = invoice.total - invoice.paid
        if due <= 0:
            continue
        group = groups.get((invoice.affiliate_id, invoice.currency))
        if group is None:
            profile = profiles.get(invoice.affiliate_id)
            group = groups[(invoice.affiliate_id, invoice.currency)] = ToPay(
                affiliate=invoice.affiliate,
                currency=invoice.currency,
                method=profile.payment_method if profile else "",
                details=profile.payment_details if profile else "",
            )
        group.amount_due += due
        group.invoices.append(invoice)
    return list(groups.values())


def overdue_invoices(*, user=None):
    """Issued advertiser invoices past their due date (network days), the oldest due first; scoped to `user` when
    given (the dashboard passes the manager)."""
    queryset = (
        with_paid(Invoice.objects.select_related("advertiser"))
        .filter(party=Party.ADVERTISER, status=Invoice.Status.ISSUED, due_date__lt=network_today())
        .order_by("due_date", "id")
    )
    if user is not None:
        queryset = restrict(queryset, user, advertiser=_own_invoices(Party.ADVERTISER))
    return queryset


def affiliate_billing_profile(*, affiliate) -> AffiliateBillingProfile:
    """The affiliate's billing profile, unsaved with the network defaults when it has none yet."""
    return AffiliateBillingProfile.objects.filter(affiliate=affiliate).first() or AffiliateBillingProfile(
        affiliate=affiliate
    )


def advertiser_billing_profile(*, advertiser) -> AdvertiserBillingProfile:
    return AdvertiserBillingProfile.objects.filter(advertiser=advertiser).first() or AdvertiserBillingProfile(
        advertiser=advertiser
    )


def affiliate_billing_profile_list(*, user):
    """Affiliate billing profiles `user` may see (payment details: the affiliate's own users and managers only)."""
    return restrict(AffiliateBillingProfile.objects.select_related("affiliate"), user, affiliate="affiliate_id")


def advertiser_billing_profile_list(*, user):
    return restrict(AdvertiserBillingProfile.objects.select_related("advertiser"), user, advertiser="advertiser_id")


def invoice_search(queryset, value):
    """Invoices whose number or partner name contains `value` (the lists' search box)."""
    return queryset.filter(
        Q(number__icontains=value) | Q(affiliate__name__icontains=value) | Q(advertiser__name__icontains=value)
    )
