from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q

from core.db import TimestampedModel
from offers.models import MONEY, Goal, Offer
from partners.models import Affiliate
from tracking.models import SUB_FIELDS, Click, SubIds


class Conversion(TimestampedModel, SubIds):
    """One conversion an advertiser reported, attributed to an affiliate, with what it earns and costs."""

    class Status(models.TextChoices):
        APPROVED = "approved"
        PENDING = "pending"
        REJECTED = "rejected"

    # No database constraint: clicks are partitioned on PostgreSQL (docs/storage.md) and retention drops old clicks
    # with their partition, while their conversions stay.
    click = models.ForeignKey(
        Click, null=True, blank=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="conversions"
    )
    # What the conversion needs of its click, copied when recorded (click_details), with the sub IDs (SubIds): pages,
    # reports and affiliate postbacks never read the click, which retention drops (README, Data retention). Empty by
    # partner ID.
    clicked_at = models.DateTimeField(null=True, blank=True)
    click_country = models.CharField(max_length=2, blank=True)
    # No index of their own: conversion_offer_time starts with offer_id, conversion_affiliate_time with affiliate_id.
    offer = models.ForeignKey(Offer, on_delete=models.PROTECT, related_name="conversions", db_index=False)
    affiliate = models.ForeignKey(Affiliate, on_delete=models.PROTECT, related_name="conversions", db_index=False)
    goal = models.ForeignKey(
        Goal, null=True, blank=True, on_delete=models.PROTECT, related_name="conversions", db_index=False
    )  # indexed in Meta, only where set
    transaction_id = models.CharField(max_length=64, blank=True)  # indexed in Meta (one index, no LIKE twin)
    amount = models.DecimalField(**MONEY, default=Decimal("0"), help_text="The sale amount.")
    payout = models.DecimalField(**MONEY, default=Decimal("0"))
    revenue = models.DecimalField(**MONEY, default=Decimal("0"))
    currency = models.CharField(max_length=3, default="USD")
    adv_sub = models.CharField(max_length=2048, blank=True)
    adv_sub2 = models.CharField(max_length=2048, blank=True)
    adv_sub3 = models.CharField(max_length=2048, blank=True)
    adv_sub4 = models.CharField(max_length=2048, blank=True)
    adv_sub5 = models.CharField(max_length=2048, blank=True)
    # The advertiser's ID of the conversion: deduplicates within the offer where a transaction may convert more
    # than once (and over the partner-ID protocol); where it may not, it is only recorded.
    conversion_unique_id = models.CharField(max_length=255, null=True, blank=True)
    # True when this row takes the single slot of its (click, goal): the offer or goal allows one
    # conversion per transaction, whatever the conversion_unique_id.
    single_per_click = models.BooleanField(default=False)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.APPROVED)
    # Why a rejected conversion was rejected (e.g. cap_reached, or a manager's words).
    status_reason = models.CharField(max_length=255, blank=True)
    # Seconds from the click to the postback, fixed when recorded (NULL by partner ID: no click). The click-to-
    # conversion report aggregates it over conversion_offer_time / conversion_affiliate_time, never reading clicks.
    seconds_to_convert = models.PositiveIntegerField(null=True, blank=True)
    # The shopper's country at conversion, from the postback's `ip` (docs/postbacks.md#parameters); "" when unknown.
    country = models.CharField(max_length=2, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # Exactly once per click and goal (the default goal is NULL, so it has its own index).
            models.UniqueConstraint(
                fields=["click"],
                condition=Q(single_per_click=True, goal__isnull=True),
                name="%(app_label)s_%(class)s_one_per_click",
            ),
            models.UniqueConstraint(
                fields=["click", "goal"],
                condition=Q(single_per_click=True, goal__isnull=False),
                name="%(app_label)s_%(class)s_one_per_click_goal",
            ),
            # The unique ID deduplicates only the rows that no (click, goal) slot does.
            models.UniqueConstraint(
                fields=["offer", "conversion_unique_id"],
                condition=Q(conversion_unique_id__isnull=False, single_per_click=False),
                name="%(app_label)s_%(class)s_unique_id_per_offer",
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="%(app_label)s_%(class)s_amount_not_negative"),
            models.CheckConstraint(condition=Q(payout__gte=0), name="%(app_label)s_%(class)s_payout_not_negative"),
            models.CheckConstraint(condition=Q(revenue__gte=0), name="%(app_label)s_%(class)s_revenue_not_negative"),
        ]
        indexes = [
            # Cap counts: conversions of one offer since the start of the day or month.
            models.Index(fields=["offer", "created_at"], name="conversion_offer_time"),
            # Affiliate-scoped conversion lists and reports.
            models.Index(fields=["affiliate", "created_at"], name="conversion_affiliate_time"),
            # Finding a transaction's conversions. Declared here rather than db_index=True, which on PostgreSQL adds
            # a second index for LIKE that no query uses and every postback would write.
            models.Index(fields=["transaction_id"], name="conversion_transaction_id"),
            # A goal's conversions. Partial: most conversions have no goal, and a full index would take an entry
            # for each of them.
            models.Index(fields=["goal"], condition=Q(goal__isnull=False), name="conversion_goal"),
        ]

    def __str__(self):
        return f"Conversion #{self.pk} ({self.status})"


def click_details(click):
    """The fields a conversion copies from its click (none without one): the sub IDs for reports and affiliate
    postbacks (docs/affiliate-postbacks.md#macros), the click's time and country for the conversion page."""
    if click is None:
        return {}
    return {
        **{name: getattr(click, name) for name in SUB_FIELDS},
        "clicked_at": click.created_at,
        "click_country": click.country,
    }


class ConversionFlag(models.Model):
    """A conversion rule the conversion broke (docs/postbacks.md#conversion-rules), kept with it so that a manager
    reviews it: `too_fast` or `country_mismatch`, whatever the rule's action was."""

    conversion = models.ForeignKey(Conversion, on_delete=models.CASCADE, related_name="flags")
    code = models.CharField(max_length=32)  # a conversions.reasons.Reason value
    detail = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["conversion", "id"]
        constraints = [
            models.UniqueConstraint(fields=["conversion", "code"], name="%(app_label)s_%(class)s_once_per_code"),
        ]
        indexes = [
            # The flagged-conversions page filtered by flag (the unique constraint serves the conversion's own flags).
            models.Index(fields=["code", "conversion"], name="conversionflag_code"),
        ]

    def __str__(self):
        return f"#{self.conversion_id}: {self.code}"


class PostbackLog(models.Model):
    """One request to the postback endpoint (or a replay of one), accepted or not, with its decision trace."""

    # On PostgreSQL the table is range-partitioned by this column (core/partitions.py, docs/storage.md).
    partitioned_by = "received_at"

    class Verdict(models.TextChoices):
        APPROVED = "approved"
        PENDING = "pending"
        REJECTED = "rejected"

    received_at = models.DateTimeField(db_index=True)
    source_ip = models.GenericIPAddressField(null=True, blank=True)
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=32)
    # The request's parameters as received (query and body), with any security token masked.
    params = models.JSONField(default=dict)
    verdict = models.CharField(max_length=16, choices=Verdict.choices)
    reason = models.CharField(max_length=32, blank=True)  # indexed in Meta (one index, no LIKE twin)
    detail = models.TextField(blank=True)
    http_status = models.PositiveSmallIntegerField()
    # [{"rule": "<reason code>", "ok": true/false, "detail": "..."}, ...] in the order checked.
    trace = models.JSONField(default=list)
    is_test = models.BooleanField(default=False)
    # The offer the request was resolved to (None when it named no known click or offer).
    offer = models.ForeignKey(Offer, null=True, blank=True, on_delete=models.SET_NULL, related_name="postback_logs")
    conversion = models.ForeignKey(
        Conversion, null=True, blank=True, on_delete=models.SET_NULL, related_name="postback_logs"
    )
    # No database constraint: a partitioned table's id alone is not a unique key another row may reference.
    replay_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        db_constraint=False,
        related_name="replays",
        db_index=False,
    )  # indexed in Meta, only where set

    class Meta:
        ordering = ["-received_at", "-id"]
        # The log filtered by reason, newest first (db_index=True on reason would add an unused LIKE index too).
        indexes = [
            models.Index(fields=["reason", "received_at"], name="postbacklog_reason_time"),
            # A log row's replays; partial, as almost no row is a replay.
            models.Index(fields=["replay_of"], condition=Q(replay_of__isnull=False), name="postbacklog_replays"),
        ]

    def __str__(self):
        return f"{self.received_at:%Y-%m-%d %H:%M:%S} {self.verdict} {self.reason}".strip()


class UsedSignature(models.Model):
    """A signed postback that was accepted (its X-Tally-Signature verified), remembered until its timestamp window
    ends, so that the same signed request sent again is refused as a replay."""

    # conversions.signing.signed_message: SHA-256 (hex) of the advertiser, the signature's timestamp and the payload.
    digest = models.CharField(max_length=64)
    # When the signature's timestamp leaves the window (t + TALLY_SIGNATURE_TOLERANCE).
    expires_at = models.DateTimeField()

    class Meta:
        constraints = [
            # A constraint, not unique=True, which on PostgreSQL adds a second index for LIKE that no query uses.
            models.UniqueConstraint(fields=["digest"], name="%(app_label)s_%(class)s_once"),
        ]
        indexes = [
            # The purge: rows whose window has ended.
            models.Index(fields=["expires_at"], name="usedsignature_expires_at"),
        ]

    def __str__(self):
        return f"{self.digest[:12]}… until {self.expires_at:%Y-%m-%d %H:%M:%S}"


class ConversionStatusChange(models.Model):
    """Audit trail: one row each time a person (or the API) moved a conversion from one status to another."""

    conversion = models.ForeignKey(Conversion, on_delete=models.CASCADE, related_name="status_changes")
    old_status = models.CharField(max_length=16, choices=Conversion.Status.choices)
    new_status = models.CharField(max_length=16, choices=Conversion.Status.choices)
    reason = models.CharField(max_length=255, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-changed_at", "-id"]

    def __str__(self):
        return f"#{self.conversion_id}: {self.old_status} → {self.new_status}"


class AffiliatePostback(TimestampedModel):
    """An affiliate's postback URL (docs/affiliate-postbacks.md): Tally calls it for the affiliate's conversions on
    one offer, or on every offer when `offer` is empty. An offer's own postback takes the place of the affiliate-wide
    one."""

    affiliate = models.ForeignKey(Affiliate, on_delete=models.CASCADE, related_name="postbacks")
    offer = models.ForeignKey(
        Offer, null=True, blank=True, on_delete=models.CASCADE, related_name="affiliate_postbacks"
    )
    # A URL template with the macros of docs/affiliate-postbacks.md (offers.macros.POSTBACK_MACROS); checked by the
    # services.
    url = models.CharField(max_length=2000)
    # Off: one call when the conversion is approved. On: a call each time the conversion takes a status
    # (approved, pending or rejected, when recorded and when a manager changes it); {status} tells which.
    on_status_change = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["affiliate"], condition=Q(offer__isnull=True), name="%(app_label)s_%(class)s_one_global"
            ),
            models.UniqueConstraint(
                fields=["affiliate", "offer"],
                condition=Q(offer__isnull=False),
                name="%(app_label)s_%(class)s_one_per_offer",
            ),
        ]

    def __str__(self):
        return f"{self.affiliate} → {self.url}"


class PostbackDelivery(TimestampedModel):
    """One call Tally owes an affiliate: a conversion, in the status it reports, to one postback URL. Written in
    the same transaction as the conversion (an outbox), sent by a worker, retried until delivered or given up."""

    class Status(models.TextChoices):
        PENDING = "pending"
        DELIVERED = "delivered"
        FAILED = "failed"

    conversion = models.ForeignKey(Conversion, on_delete=models.CASCADE, related_name="postback_deliveries")
    # Kept (as NULL) when the affiliate removes the postback, so its history stays; such a delivery can't be sent.
    postback = models.ForeignKey(
        AffiliatePostback, null=True, blank=True, on_delete=models.SET_NULL, related_name="deliveries"
    )
    # The conversion status this call reports ({status}); a status-change postback has one delivery per change.
    conversion_status = models.CharField(max_length=16, choices=Conversion.Status.choices)
    is_status_update = models.BooleanField(default=False)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    # When the next attempt is due (pending only); a worker sending it pushes it forward while it works.
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # When a send task was last queued for it; the sweep queues it again if nothing came of that.
    queued_at = models.DateTimeField(null=True, blank=True)
    # No retries after this (72 h after it was written, or after a manual resend).
    give_up_at = models.DateTimeField()
    delivered_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        verbose_name_plural = "postback deliveries"
        ordering = ["-created_at", "-id"]
        constraints = [
            # A plain postback is called once per conversion, however often its status goes back and forth.
            models.UniqueConstraint(
                fields=["conversion", "postback"],
                condition=Q(is_status_update=False),
                name="%(app_label)s_%(class)s_once_per_conversion",
            ),
            models.CheckConstraint(
                condition=Q(status="pending", next_attempt_at__isnull=False)
                | (~Q(status="pending") & Q(next_attempt_at__isnull=True)),
                name="%(app_label)s_%(class)s_due_iff_pending",
            ),
        ]
        indexes = [
            # The sweep: pending deliveries whose next attempt is due, oldest first.
            models.Index(fields=["next_attempt_at"], condition=Q(status="pending"), name="delivery_due"),
        ]

    def __str__(self):
        return f"Delivery #{self.pk} of conversion #{self.conversion_id} ({self.status})"


class PostbackAttempt(models.Model):
    """One request Tally made (or refused to make) for a delivery, with what came back."""

    delivery = models.ForeignKey(PostbackDelivery, on_delete=models.CASCADE, related_name="attempt_log")
    attempted_at = models.DateTimeField()
    url = models.TextField()
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)
    response_snippet = models.TextField(blank=True)

    class Meta:
        ordering = ["delivery", "attempted_at", "id"]

    def __str__(self):
        return f"{self.attempted_at:%Y-%m-%d %H:%M:%S} {self.status_code or self.error}"
