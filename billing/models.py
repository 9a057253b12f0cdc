"""The network's books with its partners (README.md, Billing): billing profiles, affiliate invoices (what the network
owes, from payout) and advertiser invoices (what it is owed, from revenue), the conversions behind each invoice,
and the payments against them.

Every amount comes from conversion rows and is fixed when its invoice is issued; an issued invoice never changes.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q, Sum

from conversions.models import Conversion
from core.db import TimestampedModel
from core.periods import network_today
from offers.models import MONEY, Goal, Offer
from partners.models import Advertiser, Affiliate

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
CURRENCY_VALIDATOR = RegexValidator(r"^[A-Z]{3}$", "An ISO 4217 code, e.g. USD.")


class Party(models.TextChoices):
    """Which side of the network a row is about: an affiliate (it is paid) or an advertiser (it pays)."""

    AFFILIATE = "affiliate"
    ADVERTISER = "advertiser"


class Frequency(models.TextChoices):
    """How often invoices are drafted; periods are network days (core.periods)."""

    WEEKLY = "weekly"  # Monday to Sunday
    SEMIMONTHLY = "semimonthly"  # the 1st to the 15th, the 16th to the month's end
    MONTHLY = "monthly"
    MANUAL = "manual"  # never drafted by the job; a manager drafts on demand


class PaymentMethod(models.TextChoices):
    PAYPAL = "paypal", "PayPal"
    BANK_TRANSFER = "bank_transfer", "Bank transfer"
    WIRE = "wire", "Wire"
    CHECK = "check", "Check"
    OTHER = "other", "Other"


def _party_constraint(name):
    """Exactly the partner matching `party` is set."""
    return models.CheckConstraint(
        condition=(Q(party=Party.AFFILIATE, affiliate__isnull=False, advertiser__isnull=True))
        | (Q(party=Party.ADVERTISER, advertiser__isnull=False, affiliate__isnull=True)),
        name=name,
    )


class AffiliateBillingProfile(TimestampedModel):
    """How one affiliate is invoiced and paid. Blank frequency and null minimum mean the network's defaults
    (TALLY_BILLING_DEFAULT_FREQUENCY, TALLY_BILLING_MINIMUM_PAYOUT). The payment details are seen only by the
    affiliate's own users and managers."""

    affiliate = models.OneToOneField(Affiliate, on_delete=models.CASCADE, related_name="billing_profile")
    frequency = models.CharField(max_length=16, choices=Frequency.choices, blank=True)
    payment_method = models.CharField(max_length=16, choices=PaymentMethod.choices, blank=True)
    payment_details = models.TextField(
        blank=True, max_length=2000, help_text="PayPal e-mail, IBAN and BIC, postal address for checks…"
    )
    minimum_payout = models.DecimalField(
        **MONEY, null=True, blank=True, validators=[MinValueValidator(ZERO)], help_text="Blank: the network default."
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(minimum_payout__isnull=True) | Q(minimum_payout__gte=0),
                name="%(app_label)s_%(class)s_minimum_not_negative",
            ),
        ]

    def __str__(self):
        return f"Billing profile of {self.affiliate}"

    @property
    def effective_frequency(self):
        return self.frequency or settings.TALLY_BILLING_DEFAULT_FREQUENCY

    @property
    def effective_minimum_payout(self):
        if self.minimum_payout is not None:
            return self.minimum_payout
        return Decimal(settings.TALLY_BILLING_MINIMUM_PAYOUT)


class AdvertiserBillingProfile(TimestampedModel):
    """How one advertiser is invoiced: how often, how many days it has to pay (net terms), and whom to send to."""

    advertiser = models.OneToOneField(Advertiser, on_delete=models.CASCADE, related_name="billing_profile")
    frequency = models.CharField(max_length=16, choices=Frequency.choices, blank=True)
    terms_days = models.PositiveIntegerField(
        default=30,
        validators=[MaxValueValidator(365)],
        help_text="Net days: the due date is the issue date plus these.",
    )
    billing_contact_name = models.CharField(max_length=200, blank=True)
    billing_email = models.EmailField(blank=True)

    def __str__(self):
        return f"Billing profile of {self.advertiser}"

    @property
    def effective_frequency(self):
        return self.frequency or settings.TALLY_BILLING_DEFAULT_FREQUENCY


class Invoice(TimestampedModel):
    """One invoice between the network and one partner in one currency for a period of network days.

    A draft is the job's (and the managers') working copy: its conversion lines follow the conversions until it is
    issued. Issuing fixes `total` and the number; from then on nothing about it changes except its status (paid,
    or void). An affiliate invoice is what the network owes (payout); an advertiser invoice what it is owed
    (revenue), with a due date."""

    Party = Party

    class Status(models.TextChoices):
        DRAFT = "draft"
        ISSUED = "issued"
        PAID = "paid"
        VOID = "void"

    party = models.CharField(max_length=16, choices=Party.choices)
    affiliate = models.ForeignKey(
        Affiliate, null=True, blank=True, on_delete=models.PROTECT, related_name="invoices", db_index=False
    )  # indexed in Meta
    advertiser = models.ForeignKey(
        Advertiser, null=True, blank=True, on_delete=models.PROTECT, related_name="invoices", db_index=False
    )  # indexed in Meta
    currency = models.CharField(max_length=3, validators=[CURRENCY_VALIDATOR])
    period_start = models.DateField()
    period_end = models.DateField(help_text="The last network day of the period (inclusive).")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    number = models.CharField(max_length=32, null=True, blank=True)
    issued_at = models.DateTimeField(null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    due_date = models.DateField(null=True, blank=True)
    # Fixed at issue from the lines; None on a draft (its running sum is lines_total()).
    total = models.DecimalField(**MONEY, null=True, blank=True)
    voided_at = models.DateTimeField(null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-period_end", "-id"]
        constraints = [
            _party_constraint("%(app_label)s_%(class)s_one_partner"),
            models.UniqueConstraint(
                fields=["number"], condition=Q(number__isnull=False), name="%(app_label)s_%(class)s_unique_number"
            ),
            # The job drafts each period once per partner and currency (a void one may be drafted again).
            models.UniqueConstraint(
                fields=["affiliate", "currency", "period_start"],
                condition=Q(party=Party.AFFILIATE) & ~Q(status="void"),
                name="%(app_label)s_%(class)s_one_affiliate_period",
            ),
            models.UniqueConstraint(
                fields=["advertiser", "currency", "period_start"],
                condition=Q(party=Party.ADVERTISER) & ~Q(status="void"),
                name="%(app_label)s_%(class)s_one_advertiser_period",
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")), name="%(app_label)s_%(class)s_period_order"
            ),
            # Issued and paid invoices carry their number, total and issue time; drafts none of them.
            models.CheckConstraint(
                condition=Q(status="draft", number__isnull=True, total__isnull=True, issued_at__isnull=True)
                | Q(status__in=["issued", "paid"], number__isnull=False, total__isnull=False, issued_at__isnull=False)
                | Q(status="void"),
                name="%(app_label)s_%(class)s_issued_fields",
            ),
        ]
        indexes = [
            # A partner's invoices (its portal list, balances), newest first.
            models.Index(fields=["affiliate", "period_end"], name="invoice_affiliate_period"),
            models.Index(fields=["advertiser", "period_end"], name="invoice_advertiser_period"),
            # The job's and the pages' work lists: drafts, and issued invoices awaiting payment.
            models.Index(fields=["status", "party"], name="invoice_status_party"),
        ]

    def __str__(self):
        return (
            self.number or f"Draft #{self.pk} ({self.partner}, {self.currency}, {self.period_start}–{self.period_end})"
        )

    @property
    def partner(self):
        return self.affiliate if self.party == Party.AFFILIATE else self.advertiser

    @property
    def is_draft(self):
        return self.status == self.Status.DRAFT

    def lines_total(self):
        """The sum of the lines (a draft's running total; an issued invoice's `total` is this, fixed at issue)."""
        total = self.lines.aggregate(total=Sum("amount"))["total"] or ZERO
        return total.quantize(CENT)  # SQLite sums decimals as floats-turned-Decimal with trailing digits

    @property
    def amount(self):
        """The invoice's amount: `total` once issued, the lines' running sum on a draft."""
        return self.total if self.total is not None else self.lines_total()

    @property
    def amount_paid(self):
        return (self.allocations.aggregate(paid=Sum("amount"))["paid"] or ZERO).quantize(CENT)

    @property
    def balance_due(self):
        if self.status not in (self.Status.ISSUED, self.Status.PAID):
            return ZERO
        return self.total - self.amount_paid

    @property
    def is_overdue(self):
        """An issued advertiser invoice not fully paid after its due date (network days)."""
        return (
            self.party == Party.ADVERTISER
            and self.status == self.Status.ISSUED
            and self.due_date is not None
            and self.due_date < network_today()
        )


class InvoiceLine(models.Model):
    """One line of an invoice: the conversions of one offer and goal (count, amount), a manager's adjustment (amount,
    reason, who), or a reversal (negative) of conversions an earlier issued invoice carried that were rejected
    since. Amounts are signed: positive is owed to the affiliate (on an affiliate invoice) or by the advertiser."""

    class Kind(models.TextChoices):
        CONVERSIONS = "conversions"
        ADJUSTMENT = "adjustment"
        REVERSAL = "reversal"

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    offer = models.ForeignKey(Offer, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    goal = models.ForeignKey(Goal, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # The offer's and goal's names when the line was written, so the document never changes with a rename.
    description = models.CharField(max_length=300, blank=True)
    count = models.PositiveIntegerField(default=0)
    amount = models.DecimalField(**MONEY)
    reason = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["invoice", "kind", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="adjustment") | (~Q(amount=0) & ~Q(reason="")),
                name="%(app_label)s_%(class)s_adjustment_has_amount_and_reason",
            ),
            models.CheckConstraint(
                condition=~Q(kind="reversal") | Q(amount__lte=0), name="%(app_label)s_%(class)s_reversal_negative"
            ),
        ]

    def __str__(self):
        return f"{self.kind} {self.amount} on {self.invoice_id}"


class InvoiceConversion(models.Model):
    """A conversion's place on an invoice: charged (its payout or revenue) or reversed (rejected after the invoice
    that charged it was issued). The constraints are the books' core rule: a conversion is charged on at most one
    invoice per party, and reversed at most once."""

    class Kind(models.TextChoices):
        CHARGE = "charge"
        REVERSAL = "reversal"

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="conversion_links")
    conversion = models.ForeignKey(Conversion, on_delete=models.PROTECT, related_name="invoice_links", db_index=False)
    party = models.CharField(max_length=16, choices=Party.choices)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.CHARGE)
    # The conversion's payout (affiliate) or revenue (advertiser) when linked, signed (a reversal is negative).
    amount = models.DecimalField(**MONEY)

    class Meta:
        constraints = [
            # Also the index for "is this conversion invoiced?" (conversion first).
            models.UniqueConstraint(fields=["conversion", "party", "kind"], name="%(app_label)s_%(class)s_once"),
        ]
        indexes = [
            # An invoice's conversions (building its lines, the conversions behind a line).
            models.Index(fields=["invoice", "kind"], name="invoiceconversion_invoice"),
        ]

    def __str__(self):
        return f"{self.kind} of conversion #{self.conversion_id} on invoice #{self.invoice_id}"


class Payment(TimestampedModel):
    """Money that changed hands with one partner in one currency: the network paid an affiliate, or an advertiser
    paid the network. Allocated to the issued invoices it settles; never more than they owe."""

    Party = Party
    Method = PaymentMethod

    party = models.CharField(max_length=16, choices=Party.choices)
    affiliate = models.ForeignKey(Affiliate, null=True, blank=True, on_delete=models.PROTECT, related_name="payments")
    advertiser = models.ForeignKey(Advertiser, null=True, blank=True, on_delete=models.PROTECT, related_name="payments")
    currency = models.CharField(max_length=3, validators=[CURRENCY_VALIDATOR])
    amount = models.DecimalField(**MONEY)
    paid_on = models.DateField()
    method = models.CharField(max_length=16, choices=PaymentMethod.choices)
    reference = models.CharField(max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-paid_on", "-id"]
        constraints = [
            _party_constraint("%(app_label)s_%(class)s_one_partner"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="%(app_label)s_%(class)s_amount_positive"),
        ]

    def __str__(self):
        return f"Payment #{self.pk}: {self.amount} {self.currency}"

    @property
    def partner(self):
        return self.affiliate if self.party == Party.AFFILIATE else self.advertiser


class PaymentAllocation(models.Model):
    """The part of a payment that settles one invoice."""

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="allocations")
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="allocations")
    amount = models.DecimalField(**MONEY)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="%(app_label)s_%(class)s_amount_positive"),
            models.UniqueConstraint(fields=["payment", "invoice"], name="%(app_label)s_%(class)s_once"),
        ]

    def __str__(self):
        return f"{self.amount} of payment #{self.payment_id} to invoice #{self.invoice_id}"
