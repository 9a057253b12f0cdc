"""Writes of notifications (README.md, Notifications): record an event for its recipients as each prefers, send
its e-mails (at most once per person), gather bursty kinds into digests, mark entries read, save preferences."""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Min
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from notifications.models import AUDIENCE_KINDS, DIGEST_KINDS, Channel, Kind, Notification, Preference

logger = logging.getLogger(__name__)


def _channels(users, kind):
    chosen = dict(
        Preference.objects.filter(user__in=[u.pk for u in users], kind=kind).values_list("user_id", "channel")
    )
    return {user.pk: chosen.get(user.pk, Channel.BOTH) for user in users}


@transaction.atomic
def event_record(*, kind, event_key, users, title, body="", link="") -> int:
    """Tell `users` about one event, each through the channels they chose for its kind. A person already told
    about `event_key` is skipped (the unique constraint decides, so a retried or doubled task tells no one twice).
    E-mails go out after the commit, except for digest kinds, which wait for digests_send. Returns how many were
    told (this time)."""
    kind = Kind(kind)
    channels = _channels(users, kind)
    rows = []
    for user in users:
        channel = channels[user.pk]
        if channel == Channel.NONE or not user.is_active:
            continue
        wants_email = channel in (Channel.BOTH, Channel.EMAIL) and bool(user.email)
        rows.append(
            Notification(
                recipient=user,
                event_key=event_key[:200],
                kind=kind,
                title=title[:300],
                body=body,
                link=link[:500],
                in_inbox=channel in (Channel.BOTH, Channel.INBOX),
                email=Notification.Email.PENDING if wants_email else Notification.Email.NOT_WANTED,
            )
        )
    before = Notification.objects.filter(event_key=event_key[:200]).count()
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    told = Notification.objects.filter(event_key=event_key[:200]).count() - before
    if kind not in DIGEST_KINDS:
        transaction.on_commit(lambda: emails_send(event_key=event_key[:200]))
    return told


def _claim(queryset, limit=500):
    """Take the owed e-mails in `queryset` for this worker: marked sent before sending, in a short transaction of
    their own, so that two workers never both send one (rows another holds are skipped), and a crash between the
    two loses an e-mail rather than sending it twice. Returns the rows."""
    with transaction.atomic():
        owed = queryset.filter(email=Notification.Email.PENDING).order_by("created_at", "pk")
        rows = list(owed.select_for_update(skip_locked=True)[:limit])
        Notification.objects.filter(pk__in=[r.pk for r in rows], email=Notification.Email.PENDING).update(
            email=Notification.Email.SENT, emailed_at=timezone.now()
        )
    return rows


def _release(rows):
    """Owe them again (the mail server refused): the next emails_send_owed run tries once more."""
    Notification.objects.filter(pk__in=[r.pk for r in rows]).update(email=Notification.Email.PENDING, emailed_at=None)


def _deliver(recipient, rows, template):
    context = {
        "recipient": recipient,
        "notifications": rows,
        "site_url": settings.TALLY_SITE_URL.rstrip("/"),
        "preferences_path": preferences_path(recipient),
    }
    subject = " ".join(render_to_string(f"emails/{template}_subject.txt", context).split())
    body = render_to_string(f"emails/{template}.txt", context)
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [recipient.email])
    except Exception:
        logger.exception("could not e-mail notifications %s to user %s", [r.pk for r in rows], recipient.pk)
        _release(rows)
        return 0
    return 1


def preferences_path(user):
    """The user's preferences page (linked from every e-mail)."""
    audience = "manager" if user.is_staff else ("affiliate" if user_affiliate_id(user) else "advertiser")
    return reverse(f"{audience}:notification_preferences")


def user_affiliate_id(user):
    membership = getattr(user, "membership", None)
    return membership.affiliate_id if membership else None


def emails_send(*, event_key) -> int:
    """Send the e-mails one event still owes, one per person. Returns how many were sent."""
    rows = _claim(Notification.objects.filter(event_key=event_key).exclude(kind__in=DIGEST_KINDS))
    return sum(_deliver(row.recipient, [row], "notification") for row in rows)


def emails_send_owed(*, now=None) -> int:
    """The beat job: e-mails owed for longer than a minute (their first try failed, or its task was lost), one per
    event; and the digests (see digests_send). Returns how many e-mails were sent."""
    now = now or timezone.now()
    owed = Notification.objects.filter(
        email=Notification.Email.PENDING, created_at__lte=now - timedelta(minutes=1)
    ).exclude(kind__in=DIGEST_KINDS)
    sent = sum(_deliver(row.recipient, [row], "notification") for row in _claim(owed))
    return sent + digests_send(now=now)


def digests_send(*, now=None) -> int:
    """One e-mail per person for the digest kinds (new public offers, offer changes) once the oldest of their owed
    entries is TALLY_NOTIFY_DIGEST_MINUTES old: everything owed by then goes in it, one entry or fifty. Returns how
    many digests were sent."""
    now = now or timezone.now()
    cutoff = now - timedelta(minutes=settings.TALLY_NOTIFY_DIGEST_MINUTES)
    owed = Notification.objects.filter(email=Notification.Email.PENDING, kind__in=DIGEST_KINDS)
    due = owed.values("recipient").annotate(oldest=Min("created_at")).filter(oldest__lte=cutoff)
    sent = 0
    for recipient_id in [row["recipient"] for row in due]:
        rows = _claim(owed.filter(recipient_id=recipient_id))
        if rows:
            sent += _deliver(rows[0].recipient, rows, "notification_digest")
    return sent


def notification_mark_read(*, user, notification_id=None) -> int:
    """Mark one of the user's inbox entries read, or all of them (notification_id=None). Returns how many."""
    unread = Notification.objects.filter(recipient=user, in_inbox=True, read_at__isnull=True)
    if notification_id is not None:
        unread = unread.filter(pk=notification_id)
    return unread.update(read_at=timezone.now())


@transaction.atomic
def preferences_save(*, user, audience, channels) -> None:
    """Save how `user` wants to hear of each kind of their audience (`channels`: kind → channel)."""
    for kind in AUDIENCE_KINDS[audience]:
        if kind in channels:
            Preference.objects.update_or_create(user=user, kind=kind, defaults={"channel": Channel(channels[kind])})
