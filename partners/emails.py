"""Email to applicants, invited people and managers. Sent through Django's email settings (the console backend
by default), after the transaction that caused them commits; a failure is logged, never undoes the change.

Each message is two templates: templates/emails/<name>_subject.txt and templates/emails/<name>.txt.
"""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)


def send_after_commit(name, *, to, context):
    """Queue the message `name` to the addresses `to` for when the current transaction commits."""
    recipients = sorted({address for address in to if address})
    if not recipients:
        logger.warning("email %s has no recipient", name)
        return
    transaction.on_commit(lambda: _send(name, recipients, context))


def _send(name, recipients, context):
    subject = " ".join(render_to_string(f"emails/{name}_subject.txt", context).split())
    body = render_to_string(f"emails/{name}.txt", context)
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
    except Exception:
        logger.exception("could not send email %s to %s", name, recipients)


def affiliate_addresses(affiliate):
    """Everyone to tell about an affiliate's account: its contact address and its users."""
    return [affiliate.contact_email, *affiliate.members.values_list("user__email", flat=True)]


def manager_addresses():
    return list(get_user_model().objects.filter(is_staff=True, is_active=True).values_list("email", flat=True))
