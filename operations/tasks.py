from celery import shared_task

from operations import retention, services
from operations.models import Heartbeat


@shared_task(bind=True)
def heartbeat(self):
    """The worker's heartbeat (beat: every minute): the worker that runs it records that it is alive."""
    services.heartbeat_record(component=Heartbeat.Component.WORKER, hostname=self.request.hostname or "")


@shared_task
def partitions_create_ahead():
    """The time partitions of clicks and the postback log, a week ahead (beat: hourly; docs/storage.md)."""
    return services.partitions_create_ahead()


@shared_task
def retention_apply():
    """Drop clicks and postback-log rows past retention (README, Data retention; beat: hourly)."""
    return retention.retention_apply()
