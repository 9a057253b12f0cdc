from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q

from core.db import TimestampedModel
from offers.macros import validate_url_template
from partners.models import Advertiser, Affiliate

CENT = Decimal("0.01")
MONEY = {"max_digits": 14, "decimal_places": 2}


class PayoutType(models.TextChoices):
    CPA_FLAT = "cpa_flat", "CPA (flat amount)"
    CPS_PERCENT = "cps_percent", "CPS (percent of sale)"


def compute_amount(kind, rate, sale_amount):
    """What a flat or percent rate comes to for one conversion, rounded to the cent."""
    if kind == PayoutType.CPS_PERCENT:
        return (Decimal(sale_amount or 0) * rate / 100).quantize(CENT, rounding=ROUND_HALF_UP)
    return rate


def default_session_hours():
    return settings.TALLY_DEFAULT_SESSION_HOURS


class OfferQuerySet(models.QuerySet):
    def runnable_by(self, affiliate):
        """Offers the affiliate may send traffic to: public ones not blocked for it, or approved ones."""
        rows = OfferAccess.objects.filter(offer=models.OuterRef("pk"), affiliate=affiliate)
        blocked = models.Exists(rows.filter(status=OfferAccess.Status.BLOCKED))
        approved = models.Exists(rows.filter(status=OfferAccess.Status.APPROVED))
        return self.filter((Q(visibility=Offer.Visibility.PUBLIC) & ~blocked) | approved)


class Offer(TimestampedModel):
    """Something an advertiser pays for, with where clicks land and what a conversion earns."""

    class Status(models.TextChoices):
        ACTIVE = "active"
        PAUSED = "paused"
        ARCHIVED = "archived"

    class Visibility(models.TextChoices):
        PUBLIC = "public"
        APPROVAL_REQUIRED = "approval_required"
        PRIVATE = "private"

    class Approval(models.TextChoices):
        AUTO = "auto"
        MANUAL = "manual"

    PayoutType = PayoutType

    advertiser = models.ForeignKey(Advertiser, on_delete=models.PROTECT, related_name="offers")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    destination_url = models.URLField(max_length=2000, validators=[validate_url_template])
    fallback_url = models.URLField(max_length=2000, blank=True, help_text="Where clicks go while the offer is paused.")
    visibility = models.CharField(max_length=20, choices=Visibility.choices, default=Visibility.PUBLIC)
    payout_type = models.CharField(max_length=16, choices=PayoutType.choices, default=PayoutType.CPA_FLAT)
    payout = models.DecimalField(**MONEY, default=Decimal("0"), help_text="Affiliate earns: amount, or percent.")
    revenue_type = models.CharField(max_length=16, choices=PayoutType.choices, default=PayoutType.CPA_FLAT)
    revenue = models.DecimalField(**MONEY, default=Decimal("0"), help_text="Advertiser pays: amount, or percent.")
    currency = models.CharField(
        max_length=3, default="USD", validators=[RegexValidator(r"^[A-Z]{3}$", "An ISO 4217 code, e.g. USD.")]
    )
    session_hours = models.PositiveIntegerField(
        default=default_session_hours,
        validators=[MinValueValidator(1), MaxValueValidator(24 * 366)],
        help_text="Attribution window: how long after a click a conversion counts (720 h = 30 days).",
    )
    allow_multiple_conversions = models.BooleanField(default=False)
    conversion_approval = models.CharField(max_length=8, choices=Approval.choices, default=Approval.AUTO)
    daily_cap = models.PositiveIntegerField(null=True, blank=True)
    monthly_cap = models.PositiveIntegerField(null=True, blank=True)

    objects = OfferQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(payout__gte=0), name="%(app_label)s_%(class)s_payout_not_negative"),
            models.CheckConstraint(condition=Q(revenue__gte=0), name="%(app_label)s_%(class)s_revenue_not_negative"),
        ]

    def __str__(self):
        return f"{self.name} (#{self.pk})"

    @property
    def has_cap(self):
        return bool(self.daily_cap or self.monthly_cap)


class Goal(TimestampedModel):
    """A named conversion event of an offer beyond the default one (e.g. "deposit"), with its own money."""

    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="goals")
    name = models.CharField(max_length=100)
    payout_type = models.CharField(max_length=16, choices=PayoutType.choices, default=PayoutType.CPA_FLAT)
    payout = models.DecimalField(**MONEY, default=Decimal("0"))
    revenue_type = models.CharField(max_length=16, choices=PayoutType.choices, default=PayoutType.CPA_FLAT)
    revenue = models.DecimalField(**MONEY, default=Decimal("0"))
    allow_multiple_conversions = models.BooleanField(default=False)

    class Meta:
        ordering = ["offer", "name"]
        constraints = [
            models.UniqueConstraint(fields=["offer", "name"], name="%(app_label)s_%(class)s_unique_name"),
            models.CheckConstraint(condition=Q(payout__gte=0), name="%(app_label)s_%(class)s_payout_not_negative"),
            models.CheckConstraint(condition=Q(revenue__gte=0), name="%(app_label)s_%(class)s_revenue_not_negative"),
        ]

    def __str__(self):
        return f"{self.offer.name}: {self.name}"


# What a manager sets on an offer and on a goal, in the order forms show them: the portal's forms, the API's
# serializers and the services (which refuse any other field) all take these lists.
OFFER_FIELDS = (
    "advertiser",
    "name",
    "description",
    "status",
    "destination_url",
    "fallback_url",
    "visibility",
    "payout_type",
    "payout",
    "revenue_type",
    "revenue",
    "currency",
    "session_hours",
    "allow_multiple_conversions",
    "conversion_approval",
    "daily_cap",
    "monthly_cap",
)
GOAL_FIELDS = ("name", "payout_type", "payout", "revenue_type", "revenue", "allow_multiple_conversions")


class OfferAccess(TimestampedModel):
    """Whether one affiliate may run one offer, with an optional payout that replaces the offer's."""

    class Status(models.TextChoices):
        APPROVED = "approved"
        PENDING = "pending"
        REJECTED = "rejected"
        BLOCKED = "blocked"

    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="access")
    affiliate = models.ForeignKey(Affiliate, on_delete=models.CASCADE, related_name="offer_access")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    payout = models.DecimalField(**MONEY, null=True, blank=True, help_text="Overrides the offer's payout.")

    class Meta:
        verbose_name_plural = "offer access"
        constraints = [
            models.UniqueConstraint(fields=["offer", "affiliate"], name="%(app_label)s_%(class)s_unique_pair"),
            models.CheckConstraint(condition=Q(payout__gte=0), name="%(app_label)s_%(class)s_payout_not_negative"),
        ]

    def __str__(self):
        return f"{self.affiliate} on {self.offer}: {self.status}"


def access_verdict(offer, affiliate, access):
    """True when the affiliate may run the offer, given its access row (or None).

    A blocked row shuts out even a public offer; a public offer needs no row otherwise.
    """
    if access is not None and access.status == OfferAccess.Status.BLOCKED:
        return False
    if offer.visibility == Offer.Visibility.PUBLIC:
        return True
    return access is not None and access.status == OfferAccess.Status.APPROVED
