from celery import shared_task

from operations import services
from operations.models import Heartbeat


@shared_task(bind=True)
def heartbeat(self):
    """The worker's heartbeat (beat: every minute): the worker that runs it records that it is alive."""
    services.heartbeat_record(component=Heartbeat.Component.WORKER, hostname=self.request.hostname or "")
