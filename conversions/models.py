from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q

from config.db import TimestampedModel
from offers.models import MONEY, Goal, Offer
from partners.models import Affiliate
from tracking.models import Click


class Conversion(TimestampedModel):
    """One conversion an advertiser reported, attributed to an affiliate, with what it earns and costs."""

    class Status(models.TextChoices):
        APPROVED = "approved"
        PENDING = "pending"
        REJECTED = "rejected"

    click = models.ForeignKey(Click, null=True, blank=True, on_delete=models.PROTECT, related_name="conversions")
    offer = models.ForeignKey(Offer, on_delete=models.PROTECT, related_name="conversions")
    affiliate = models.ForeignKey(Affiliate, on_delete=models.PROTECT, related_name="conversions")
    goal = models.ForeignKey(Goal, null=True, blank=True, on_delete=models.PROTECT, related_name="conversions")
    transaction_id = models.CharField(max_length=64, blank=True, db_index=True)
    amount = models.DecimalField(**MONEY, default=Decimal("0"), help_text="The sale amount.")
    payout = models.DecimalField(**MONEY, default=Decimal("0"))
    revenue = models.DecimalField(**MONEY, default=Decimal("0"))
    currency = models.CharField(max_length=3, default="USD")
    adv_sub = models.CharField(max_length=2048, blank=True)
    adv_sub2 = models.CharField(max_length=2048, blank=True)
    adv_sub3 = models.CharField(max_length=2048, blank=True)
    adv_sub4 = models.CharField(max_length=2048, blank=True)
    adv_sub5 = models.CharField(max_length=2048, blank=True)
    conversion_unique_id = models.CharField(max_length=255, null=True, blank=True)
    # True when this row takes the single slot of its (click, goal): the offer or goal allows one
    # conversion per transaction and no conversion_unique_id was given.
    single_per_click = models.BooleanField(default=False)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.APPROVED)
    # Why a rejected conversion was rejected (e.g. cap_reached, or a manager's words).
    status_reason = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # Exactly once per session and goal (the default goal is NULL, so it has its own index).
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
            models.UniqueConstraint(
                fields=["offer", "conversion_unique_id"],
                condition=Q(conversion_unique_id__isnull=False),
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
        ]

    def __str__(self):
        return f"Conversion #{self.pk} ({self.status})"


class PostbackLog(models.Model):
    """One request to the postback endpoint (or a replay of one), accepted or not, with its decision trace."""

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
    reason = models.CharField(max_length=32, blank=True, db_index=True)
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
    replay_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replays")

    class Meta:
        ordering = ["-received_at", "-id"]

    def __str__(self):
        return f"{self.received_at:%Y-%m-%d %H:%M:%S} {self.verdict} {self.reason}".strip()


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
