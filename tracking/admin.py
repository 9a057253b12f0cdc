from django.contrib import admin

from tracking.models import Click


@admin.register(Click)
class ClickAdmin(admin.ModelAdmin):
    list_display = ["transaction_id", "offer", "affiliate", "aff_sub", "ip", "is_unique", "created_at", "expires_at"]
    list_filter = ["is_unique"]
    search_fields = ["transaction_id", "aff_sub", "aff_click_id"]
    list_select_related = ["offer", "affiliate"]
    raw_id_fields = ["offer", "affiliate"]
    readonly_fields = ["transaction_id"]
