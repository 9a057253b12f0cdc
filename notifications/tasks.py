"""Celery tasks of notifications: thin, load by id and call notifications.events / services. Each may run twice
(a retry, a redelivery): the (event key, recipient) constraint keeps everyone told once."""

from celery import shared_task

from notifications import events, services


@shared_task(ignore_result=True)
def access_requested(access_id):
    events.access_requested(access_id=access_id)


@shared_task(ignore_result=True)
def access_decided(access_id, status, stamp):
    events.access_decided(access_id=access_id, status=status, stamp=stamp)


@shared_task(ignore_result=True)
def offer_saved(offer_id, created, changes, stamp):
    events.offer_saved(offer_id=offer_id, created=created, changes=changes, stamp=stamp)


@shared_task(ignore_result=True)
def delivery_failed(delivery_id):
    events.delivery_failed(delivery_id=delivery_id)


@shared_task
def watch():
    """The beat checks (every minute): offer caps, refusal spikes, integration tests that passed."""
    return {
        "caps": events.caps_check(),
        "refusals": events.refusals_check(),
        "integration_tests": events.integration_tests_check(),
    }


@shared_task
def emails_send_owed():
    """E-mails still owed and the digests that are due (beat: every minute)."""
    return services.emails_send_owed()
