"""The books in Django's admin: read-only. Invoices and payments change only through billing.services (the portal
and the API), which keep issued invoices fixed and payments within what is owed; billing profiles may be edited."""

from django.contrib import admin

from billing.models import (
    AdvertiserBillingProfile,
    AffiliateBillingProfile,
    Invoice,
    InvoiceConversion,
    InvoiceLine,
    Payment,
    PaymentAllocation,
)
from core.admin import ReadOnlyAdmin


class InvoiceLineInline(admin.TabularInline):
    model = InvoiceLine
    fields = ["kind", "description", "count", "amount", "reason", "created_by", "created_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Invoice)
class InvoiceAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "number",
        "party",
        "affiliate",
        "advertiser",
        "currency",
        "period_start",
        "period_end",
        "status",
        "total",
        "due_date",
    ]
    list_filter = ["party", "status", "currency"]
    search_fields = ["number", "affiliate__name", "advertiser__name"]
    list_select_related = ["affiliate", "advertiser"]
    inlines = [InvoiceLineInline]


@admin.register(InvoiceConversion)
class InvoiceConversionAdmin(ReadOnlyAdmin):
    list_display = ["invoice", "conversion", "party", "kind", "amount"]
    list_filter = ["party", "kind"]
    raw_id_fields = ["invoice", "conversion"]


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ["id", "party", "affiliate", "advertiser", "amount", "currency", "paid_on", "method", "reference"]
    list_filter = ["party", "method", "currency"]
    search_fields = ["reference", "affiliate__name", "advertiser__name"]


@admin.register(PaymentAllocation)
class PaymentAllocationAdmin(ReadOnlyAdmin):
    list_display = ["payment", "invoice", "amount"]


@admin.register(AffiliateBillingProfile)
class AffiliateBillingProfileAdmin(admin.ModelAdmin):
    list_display = ["affiliate", "frequency", "payment_method", "minimum_payout"]
    raw_id_fields = ["affiliate"]


@admin.register(AdvertiserBillingProfile)
class AdvertiserBillingProfileAdmin(admin.ModelAdmin):
    list_display = ["advertiser", "frequency", "terms_days", "billing_email"]
    raw_id_fields = ["advertiser"]
