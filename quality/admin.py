from django.contrib import admin

from quality.models import BlockEntry, RefusedClickCount


@admin.register(BlockEntry)
class BlockEntryAdmin(admin.ModelAdmin):
    """Blocklist entries; values are normalized on save (BlockEntry.clean), as in the portal."""

    list_display = ("kind", "value", "offer", "affiliate", "note", "created_at")
    list_filter = ("kind",)
    search_fields = ("value", "note")
    raw_id_fields = ("offer", "affiliate")


@admin.register(RefusedClickCount)
class RefusedClickCountAdmin(admin.ModelAdmin):
    list_display = ("hour", "offer", "affiliate", "reason", "count")
    list_filter = ("reason",)
    raw_id_fields = ("offer", "affiliate")
