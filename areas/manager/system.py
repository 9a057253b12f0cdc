"""The manager's system page (/manage/system/): is Tally's background work running? Worker and beat heartbeats,
the broker's queues, the affiliate-postback outbox, report freshness, each periodic task's last run and the biggest
tables, red where something is stale (operations.selectors)."""

from django.conf import settings
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from core.permissions import manager_required
from operations.selectors import system_checks, table_sizes


@manager_required
@require_safe
def system_status(request):
    now = timezone.now()
    checks = system_checks(now=now)
    context = {
        "now": now,
        "processes": checks[:2],
        "checks": checks[2:],
        "stale": [c for c in checks if c.stale],
        "tables": table_sizes(),
        "stale_seconds": settings.TALLY_HEARTBEAT_STALE_SECONDS,
    }
    return render(request, "manager/system.html", context)
