from django.contrib import admin

from reports.models import RollupState


@admin.register(RollupState)
class RollupStateAdmin(admin.ModelAdmin):
    list_display = ["covered_until", "time_zone", "refreshed_at"]
    readonly_fields = ["covered_until", "time_zone", "refreshed_at"]
