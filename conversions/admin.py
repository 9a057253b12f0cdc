from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from conversions.models import (
    AffiliatePostback,
    Conversion,
    ConversionStatusChange,
    PostbackAttempt,
    PostbackDelivery,
    PostbackLog,
)
from conversions.outbox import delivery_resend
from conversions.postback_urls import validate_postback_url


@admin.register(Conversion)
class ConversionAdmin(admin.ModelAdmin):
    list_display = ["id", "transaction_id", "offer", "affiliate", "goal", "status", "amount", "payout", "revenue"]
    list_filter = ["status"]
    search_fields = ["transaction_id", "adv_sub", "conversion_unique_id"]
    list_select_related = ["offer", "affiliate", "goal"]
    raw_id_fields = ["click", "offer", "affiliate", "goal"]


@admin.register(PostbackLog)
class PostbackLogAdmin(admin.ModelAdmin):
    list_display = ["id", "received_at", "source_ip", "path", "verdict", "reason", "http_status", "conversion"]
    list_filter = ["verdict", "reason", "is_test"]
    search_fields = ["detail"]
    raw_id_fields = ["conversion", "replay_of"]


@admin.register(ConversionStatusChange)
class ConversionStatusChangeAdmin(admin.ModelAdmin):
    list_display = ["conversion", "old_status", "new_status", "reason", "changed_by", "changed_at"]
    raw_id_fields = ["conversion"]


@admin.register(AffiliatePostback)
class AffiliatePostbackAdmin(admin.ModelAdmin):
    list_display = ["affiliate", "offer", "url", "on_status_change", "updated_at"]
    list_filter = ["on_status_change"]
    search_fields = ["url", "affiliate__name"]
    list_select_related = ["affiliate", "offer"]
    raw_id_fields = ["affiliate", "offer"]

    def get_form(self, request, obj=None, **kwargs):
        # The same checks as the affiliate's own page: known macros, and the SSRF guard.
        form = super().get_form(request, obj, **kwargs)
        form.base_fields["url"].validators = [*form.base_fields["url"].validators, validate_postback_url]
        return form


class PostbackAttemptInline(admin.TabularInline):
    model = PostbackAttempt
    extra = 0
    can_delete = False
    fields = ["attempted_at", "url", "status_code", "duration_ms", "error", "response_snippet"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(PostbackDelivery)
class PostbackDeliveryAdmin(admin.ModelAdmin):
    list_display = ["id", "conversion", "conversion_status", "status", "attempts", "next_attempt_at", "last_error"]
    list_filter = ["status", "conversion_status"]
    list_select_related = ["conversion"]
    # Read-only: sending, retrying and giving up are the workers' business; a manager can Resend.
    readonly_fields = [
        "conversion",
        "postback",
        "conversion_status",
        "is_status_update",
        "status",
        "attempts",
        "next_attempt_at",
        "queued_at",
        "give_up_at",
        "delivered_at",
        "last_error",
        "created_at",
    ]
    inlines = [PostbackAttemptInline]
    actions = ["resend"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description="Resend the selected postbacks")
    def resend(self, request, queryset):
        sent = 0
        for delivery in queryset:
            try:
                delivery_resend(delivery=delivery)
                sent += 1
            except ValidationError as exc:
                self.message_user(request, f"#{delivery.pk}: {exc.messages[0]}", messages.WARNING)
        if sent:
            self.message_user(request, f"{sent} postback(s) queued to be sent again.", messages.SUCCESS)
