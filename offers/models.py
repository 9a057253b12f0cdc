import secrets
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower

from core.db import TimestampedModel
from offers.macros import validate_url_template
from offers.targeting import validate_country_codes, validate_devices, validate_operating_systems
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


class RuleAction(models.TextChoices):
    """What a conversion rule does to a postback that breaks it (docs/postbacks.md#conversion-rules)."""

    OFF = "off", "Off"
    REJECT = "reject", "Reject"
    REVIEW = "review", "Review"


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
    # The affiliates' catalogue (README.md, Offer catalogue): one category, any number of tags.
    category = models.ForeignKey(
        "offers.Category", on_delete=models.SET_NULL, null=True, blank=True, related_name="offers"
    )
    tags = models.ManyToManyField("offers.Tag", blank=True, related_name="offers")
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
    # Targeting (README, Traffic quality): a click outside it is refused with no transaction ID. Empty lists target
    # everyone; a country both allowed and blocked is blocked (the offer form refuses such a pair).
    allowed_countries = models.JSONField(
        default=list, blank=True, validators=[validate_country_codes], help_text="Only clicks from these countries."
    )
    blocked_countries = models.JSONField(
        default=list, blank=True, validators=[validate_country_codes], help_text="No clicks from these countries."
    )
    allowed_devices = models.JSONField(
        default=list, blank=True, validators=[validate_devices], help_text="Only these device types."
    )
    allowed_os = models.JSONField(
        default=list, blank=True, validators=[validate_operating_systems], help_text="Only these operating systems."
    )
    # Conversion rules (docs/postbacks.md#conversion-rules): what a postback that breaks one gets.
    too_fast_seconds = models.PositiveIntegerField(
        default=0,
        validators=[MaxValueValidator(24 * 366 * 3600)],
        help_text="Minimum seconds from click to conversion; 0 turns the rule off.",
    )
    too_fast_action = models.CharField(max_length=8, choices=RuleAction.choices, default=RuleAction.REVIEW)
    country_mismatch_action = models.CharField(
        max_length=8,
        choices=RuleAction.choices,
        default=RuleAction.OFF,
        help_text="When the shopper's country at conversion (the postback's ip) is not the click's.",
    )

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

    def clean(self):
        super().clean()
        # A country in both targeting lists is a mistake to point out, not a silent winner (README, Traffic quality).
        allowed, blocked = self.allowed_countries, self.blocked_countries
        if isinstance(allowed, list) and isinstance(blocked, list):
            both = sorted(set(allowed) & set(blocked), key=str)
            if both:
                raise ValidationError({"blocked_countries": f"Both allowed and blocked: {', '.join(map(str, both))}."})


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
    "category",
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
    "allowed_countries",
    "blocked_countries",
    "allowed_devices",
    "allowed_os",
    "too_fast_seconds",
    "too_fast_action",
    "country_mismatch_action",
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


# --- The catalogue: categories, tags, creatives, coupon codes (README.md: Creatives, Offer catalogue, Coupon codes)


class Category(TimestampedModel):
    """One heading of the affiliates' offer catalogue (e.g. "Fashion"); an offer is in at most one."""

    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "categories"

    def __str__(self):
        return self.name


class Tag(TimestampedModel):
    """A free label on offers (e.g. "mobile", "black-friday") that affiliates filter the catalogue by."""

    name = models.SlugField(max_length=50, unique=True, help_text="Lower case letters, digits and hyphens.")

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


def creative_upload_to(creative, filename):
    """Where an uploaded image is stored: under the offer, with a random name (the uploader's name is not kept in
    the path, so no name of theirs ever reaches a URL or the file system)."""
    return f"creatives/{creative.offer_id}/{secrets.token_hex(16)}{Path(filename).suffix.lower()}"


def new_public_key():
    return secrets.token_urlsafe(24)


class Creative(TimestampedModel):
    """One piece of ready-made promotion for an offer that affiliates paste with their tracking link: a banner
    (an image), a text link, or an e-mail (subject and body)."""

    class Kind(models.TextChoices):
        BANNER = "banner", "Banner"
        TEXT_LINK = "text_link", "Text link"
        EMAIL = "email", "E-mail"

    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="creatives")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    name = models.CharField(max_length=200)
    image = models.FileField(upload_to=creative_upload_to, blank=True, max_length=255)
    # What the upload check (offers.creatives.inspect_image) found in the file itself, not what the upload claimed.
    content_type = models.CharField(max_length=32, blank=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    subject = models.CharField(max_length=200, blank=True, help_text="E-mail subject line.")
    text = models.TextField(blank=True, help_text="The link text, or the e-mail body. {tracking_link} is filled in.")
    # The unguessable name of the image's public URL (/creative/<key>), which pasted banners load from.
    public_key = models.CharField(max_length=40, unique=True, default=new_public_key, editable=False)

    class Meta:
        ordering = ["offer", "kind", "name"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="banner") | ~Q(image=""), name="%(app_label)s_%(class)s_banner_has_image"
            ),
        ]

    def __str__(self):
        return f"{self.offer.name}: {self.name}"


class Coupon(TimestampedModel):
    """A coupon code of one affiliate on one offer: a postback carrying the code converts for that affiliate
    (docs/postbacks.md#coupon-codes)."""

    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="coupons")
    affiliate = models.ForeignKey(Affiliate, on_delete=models.CASCADE, related_name="coupons")
    code = models.CharField(
        max_length=64,
        validators=[
            RegexValidator(
                r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", "Letters, digits, '-', '_' and '.', starting with a letter or digit."
            )
        ],
    )
    valid_from = models.DateField(null=True, blank=True, help_text="First day it converts (network time); empty: now.")
    valid_until = models.DateField(null=True, blank=True, help_text="Last day it converts (network time); empty: ever.")

    class Meta:
        ordering = ["offer", "code"]
        constraints = [
            # Also the index of the postback's lookup (offer, lower(code)).
            models.UniqueConstraint(
                Lower("code"),
                "offer",
                name="%(app_label)s_%(class)s_unique_code",
                violation_error_message="This code is already used on this offer (codes ignore case).",
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_until__gte=F("valid_from")),
                name="%(app_label)s_%(class)s_dates_in_order",
                violation_error_message="The last day comes before the first.",
            ),
        ]

    def __str__(self):
        return f"{self.code} ({self.affiliate} on {self.offer})"

    def valid_on(self, day):
        """Whether the code converts on `day` (a date in the network's time zone); both ends included."""
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_until is None or day <= self.valid_until
        )
