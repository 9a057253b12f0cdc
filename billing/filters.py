"""The billing lists' filters, shared by the portal pages and /api/v1/invoices/ and /api/v1/payments/ (README.md,
Billing): ?status=issued&currency=EUR&party=affiliate mean the same on a page and in the API."""

import django_filters
from django import forms

from billing.models import Invoice, Party, Payment, PaymentMethod
from core.filters import SortFilter, scoped
from partners.models import Advertiser, Affiliate
from partners.selectors import advertiser_list, affiliate_list


def date_filter(field_name, lookup_expr, label):
    """A date filter with a date picker on the portal pages (the API reads the same YYYY-MM-DD)."""
    return django_filters.DateFilter(
        field_name=field_name, lookup_expr=lookup_expr, label=label, widget=forms.DateInput(attrs={"type": "date"})
    )


class InvoiceFilterSet(django_filters.FilterSet):
    party = django_filters.ChoiceFilter(choices=Party.choices)
    status = django_filters.ChoiceFilter(choices=Invoice.Status.choices)
    affiliate = django_filters.ModelChoiceFilter(queryset=scoped(affiliate_list, Affiliate))
    advertiser = django_filters.ModelChoiceFilter(queryset=scoped(advertiser_list, Advertiser))
    currency = django_filters.CharFilter(max_length=3)
    period_from = date_filter("period_end", "gte", "Period ends from")
    period_to = date_filter("period_start", "lte", "Period starts by")
    number = django_filters.CharFilter(lookup_expr="icontains")
    ordering = SortFilter(
        fields={
            "period_end": "period_end",
            "issued_at": "issued_at",
            "total": "total",
            "due_date": "due_date",
            "number": "number",
        },
        tiebreak=("-period_end",),
    )

    class Meta:
        model = Invoice
        fields = ["party", "status", "affiliate", "advertiser", "currency", "number"]


class PaymentFilterSet(django_filters.FilterSet):
    party = django_filters.ChoiceFilter(choices=Party.choices)
    affiliate = django_filters.ModelChoiceFilter(queryset=scoped(affiliate_list, Affiliate))
    advertiser = django_filters.ModelChoiceFilter(queryset=scoped(advertiser_list, Advertiser))
    currency = django_filters.CharFilter(max_length=3)
    method = django_filters.ChoiceFilter(choices=PaymentMethod.choices)
    paid_from = date_filter("paid_on", "gte", "Paid from")
    paid_to = date_filter("paid_on", "lte", "Paid to")
    ordering = SortFilter(fields={"paid_on": "paid_on", "amount": "amount"}, tiebreak=("-paid_on",))

    class Meta:
        model = Payment
        fields = ["party", "affiliate", "advertiser", "currency", "method"]
