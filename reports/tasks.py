from celery import shared_task

from reports.services import rollups_refresh


@shared_task(ignore_result=True)
def refresh_rollups():
    """Bring the report rollups up to now (scheduled every minute by beat)."""
    rollups_refresh()
