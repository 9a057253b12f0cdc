"""The signals of the apps below, turned into tasks: nothing is worked out in the request that made the change
(the signals are sent after its commit), and a broker that cannot be reached never fails that request."""

import logging

from celery import current_app

from conversions.sending import delivery_failed
from notifications import tasks
from offers.services import offer_access_decided, offer_access_requested, offer_saved

logger = logging.getLogger(__name__)


def _queue(task, *args):
    try:
        # One try, no reconnect loop (as the postback outbox does): the change is committed, and a broker outage must
        # not hold up the page that made it; the event is then lost, which is logged.
        with current_app.connection_for_write(transport_options={"max_retries": 0}) as connection:
            task.apply_async(args, connection=connection, retry=False)
    except Exception:
        logger.warning("could not queue notification task %s%r", task.name, args, exc_info=True)


def on_offer_access_requested(access, **_):
    _queue(tasks.access_requested, access.pk)


def on_offer_access_decided(access, **_):
    _queue(tasks.access_decided, access.pk, str(access.status), access.updated_at.isoformat())


def on_offer_saved(offer, created, changes, **_):
    plain = {name: [str(old), str(new)] for name, (old, new) in changes.items()}
    _queue(tasks.offer_saved, offer.pk, created, plain, offer.updated_at.isoformat())


def on_delivery_failed(delivery, **_):
    _queue(tasks.delivery_failed, delivery.pk)


def connect():
    offer_access_requested.connect(on_offer_access_requested, dispatch_uid="notifications.access_requested")
    offer_access_decided.connect(on_offer_access_decided, dispatch_uid="notifications.access_decided")
    offer_saved.connect(on_offer_saved, dispatch_uid="notifications.offer_saved")
    delivery_failed.connect(on_delivery_failed, dispatch_uid="notifications.delivery_failed")
