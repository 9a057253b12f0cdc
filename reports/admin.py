from django.contrib import admin

from reports.models import ReportSchedule, ReportScheduleSend, RollupState


@admin.register(RollupState)
class RollupStateAdmin(admin.ModelAdmin):
    list_display = ["covered_until", "time_zone", "refreshed_at"]
    readonly_fields = ["covered_until", "time_zone", "refreshed_at"]


class ReportScheduleSendInline(admin.TabularInline):
    model = ReportScheduleSend
    extra = 0
    readonly_fields = ["period_start", "sent_at", "rows"]


@admin.register(ReportSchedule)
class ReportScheduleAdmin(admin.ModelAdmin):
    list_display = ["name", "owner", "frequency", "created_at"]
    list_filter = ["frequency"]
    raw_id_fields = ["owner"]
    inlines = [ReportScheduleSendInline]
