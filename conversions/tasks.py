"""Celery tasks of the conversions app: thin wrappers that load by id and call a service."""

from celery import shared_task

from conversions import outbox, sending, services


@shared_task(soft_time_limit=30, time_limit=60)
def postback_deliver(delivery_id):
    """Make one attempt at an affiliate postback delivery (retries are scheduled in the database)."""
    sending.delivery_attempt(delivery_id=delivery_id)


@shared_task
def postback_sweep():
    """Queue affiliate postback deliveries that are due and carried by no task (beat: every minute)."""
    return outbox.deliveries_sweep()


@shared_task
def used_signatures_purge():
    """Forget used postback signatures whose timestamp window has ended (beat: every 5 minutes)."""
    return services.used_signatures_purge()
