from celery import shared_task

from reports.schedules import schedules_send_due
from reports.services import rollups_refresh


@shared_task(ignore_result=True)
def refresh_rollups():
    """Bring the report rollups up to now (scheduled every minute by beat)."""
    rollups_refresh()


@shared_task
def scheduled_reports_send():
    """E-mail the scheduled reports due in their current period (beat: every 15 minutes)."""
    return schedules_send_due()
