from django.contrib import admin

from operations.models import Heartbeat, TaskRun


@admin.register(TaskRun)
class TaskRunAdmin(admin.ModelAdmin):
    list_display = ["task", "last_result", "last_run_at", "last_success_at", "last_duration"]
    readonly_fields = ["task", "last_run_at", "last_result", "last_error", "last_duration", "last_success_at"]


@admin.register(Heartbeat)
class HeartbeatAdmin(admin.ModelAdmin):
    list_display = ["component", "seen_at", "hostname"]
    readonly_fields = ["component", "seen_at", "hostname"]
