from django.contrib import admin

from conversions.models import Conversion, ConversionStatusChange, PostbackLog


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
