"""Notifications (README.md, Notifications): what a person was told about, and how each person wants to be told.

One row per (event, recipient), kept by a unique constraint: an event task that runs twice (a retry, a redelivered
message, two workers) finds the row already there and sends nothing again."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from core.db import TimestampedModel


class Kind(models.TextChoices):
    """The events a person can be told about; each belongs to one audience (see AUDIENCE_KINDS)."""

    ACCESS_REQUESTED = "access_requested", "An affiliate asks for access to an offer"
    OFFER_CAP = "offer_cap", "An offer reaches 80 % or 100 % of its cap"
    POSTBACKS_FAILING = "postbacks_failing", "Postbacks to an affiliate keep failing"
    POSTBACKS_REFUSED = "postbacks_refused", "Advertiser postbacks refused in bulk"
    ACCESS_DECIDED = "access_decided", "Your access request is approved or rejected"
    OFFER_STATUS = "offer_status", "An offer you run is paused or archived"
    OFFER_CHANGED = "offer_changed", "An offer you run changes its payout or landing page"
    OFFER_NEW = "offer_new", "A new public offer"
    INTEGRATION_TEST = "integration_test", "Your integration test succeeded"


AUDIENCE_KINDS = {
    "manager": (Kind.ACCESS_REQUESTED, Kind.OFFER_CAP, Kind.POSTBACKS_FAILING, Kind.POSTBACKS_REFUSED),
    "affiliate": (Kind.ACCESS_DECIDED, Kind.OFFER_STATUS, Kind.OFFER_CHANGED, Kind.OFFER_NEW),
    "advertiser": (Kind.INTEGRATION_TEST,),
}

# Kinds that come in bursts (a manager publishing or editing many offers at once): their e-mails wait and go out
# as one digest per person (notifications.services.digests_send). Their inbox entries appear at once.
DIGEST_KINDS = frozenset({Kind.OFFER_NEW, Kind.OFFER_CHANGED})


class Channel(models.TextChoices):
    BOTH = "both", "E-mail and inbox"
    EMAIL = "email", "E-mail only"
    INBOX = "inbox", "Inbox only"
    NONE = "none", "Nothing"


class Notification(TimestampedModel):
    """One event told to one person: its inbox entry (when they want one) and the state of its e-mail."""

    class Email(models.TextChoices):
        NOT_WANTED = "not_wanted"
        PENDING = "pending"
        SENT = "sent"

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    # What happened, named so that the same happening always gets the same key ("offer_cap:12:daily:2026-12-01:80").
    event_key = models.CharField(max_length=200)
    kind = models.CharField(max_length=32, choices=Kind.choices)
    title = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    # Where to look (a path in the recipient's portal), or "".
    link = models.CharField(max_length=500, blank=True)
    in_inbox = models.BooleanField(default=True)
    read_at = models.DateTimeField(null=True, blank=True)
    email = models.CharField(max_length=16, choices=Email.choices, default=Email.NOT_WANTED)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # Each event reaches each person at most once, however often its task runs.
            models.UniqueConstraint(fields=["event_key", "recipient"], name="%(app_label)s_%(class)s_once_per_event"),
        ]
        indexes = [
            # The unread count in every portal's navigation, and the inbox page: one person's entries.
            models.Index(fields=["recipient", "created_at"], condition=Q(in_inbox=True), name="notification_inbox"),
            # The digest job: e-mails still owed.
            models.Index(fields=["recipient", "created_at"], condition=Q(email="pending"), name="notification_owed"),
        ]

    def __str__(self):
        return f"{self.event_key} → {self.recipient_id}"


class Preference(models.Model):
    """How one person wants to hear about one kind of event; without a row: e-mail and inbox."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=32, choices=Kind.choices)
    channel = models.CharField(max_length=8, choices=Channel.choices, default=Channel.BOTH)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="%(app_label)s_%(class)s_one_per_kind"),
        ]

    def __str__(self):
        return f"{self.user_id} {self.kind}: {self.channel}"
