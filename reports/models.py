"""Rollups: pre-aggregated rows the report pages read instead of raw clicks and conversions.

Days are network days (settings.TALLY_NETWORK_TIME_ZONE), so a zone with a half-hour offset (Asia/Kolkata)
cuts its days exactly; changing the zone makes the next refresh rebuild every row. Rows are written only by
reports.services (a frequent job and `manage.py rebuild_rollups`), and moved by conversion status changes.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from offers.models import Offer
from partners.models import Affiliate

BIG_MONEY = {"max_digits": 18, "decimal_places": 2}


class Counts(models.Model):
    """What one rollup row adds up (abstract): clicks, conversions by status, and approved money."""

    clicks = models.PositiveBigIntegerField(default=0)
    unique_clicks = models.PositiveBigIntegerField(default=0)
    approved = models.PositiveBigIntegerField(default=0)
    pending = models.PositiveBigIntegerField(default=0)
    rejected = models.PositiveBigIntegerField(default=0)
    # The offer's currency when the row was computed: money is summed per currency, never across currencies.
    currency = models.CharField(max_length=3, default="USD")
    # Sums over approved conversions only: what the affiliates earned and the advertisers owe.
    payout = models.DecimalField(**BIG_MONEY, default=0)
    revenue = models.DecimalField(**BIG_MONEY, default=0)

    class Meta:
        abstract = True


class DailyStat(Counts):
    """One network day of one affiliate's traffic on one offer: its clicks and its conversions (by the day they
    were recorded), with the approved payout and revenue."""

    day = models.DateField()
    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="+")
    affiliate = models.ForeignKey(Affiliate, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            # One row per key; its index (day first) also serves the managers' date-range reports.
            models.UniqueConstraint(fields=["day", "offer", "affiliate"], name="%(app_label)s_%(class)s_unique_key"),
            models.CheckConstraint(
                condition=Q(unique_clicks__lte=models.F("clicks")), name="%(app_label)s_%(class)s_unique_lte_clicks"
            ),
        ]
        indexes = [
            # Affiliate reports and dashboards: one affiliate's rows over a date range.
            models.Index(fields=["affiliate", "day"], name="dailystat_affiliate_day"),
            # Advertiser reports: the rows of its offers over a date range.
            models.Index(fields=["offer", "day"], name="dailystat_offer_day"),
        ]

    def __str__(self):
        return f"{self.day} offer {self.offer_id} affiliate {self.affiliate_id}"


class DailySubStat(Counts):
    """The same as DailyStat, one row per sub ID (aff_sub) as well: what an affiliate's report by sub ID reads.

    A sub ID is free text up to settings.TALLY_MAX_PARAM_LENGTH, too long for a unique index; rows are only
    written by a whole-day recompute, which never makes two rows for one key."""

    day = models.DateField()
    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="+")
    affiliate = models.ForeignKey(Affiliate, on_delete=models.CASCADE, related_name="+")
    aff_sub = models.TextField(blank=True)

    class Meta:
        indexes = [
            # An affiliate's report grouped by sub ID over a date range.
            models.Index(fields=["affiliate", "day"], name="dailysubstat_affiliate_day"),
            # The recompute deletes whole days.
            models.Index(fields=["day"], name="dailysubstat_day"),
        ]

    def __str__(self):
        return f"{self.day} offer {self.offer_id} affiliate {self.affiliate_id} sub {self.aff_sub[:20]!r}"


class DailyOfferStat(Counts):
    """DailyStat summed over affiliates: one network day of one offer. The whole network's reports by offer,
    advertiser or day (and the chart) read these, a few rows a day per offer instead of one per affiliate too."""

    day = models.DateField()
    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "offer"], name="%(app_label)s_%(class)s_unique_key"),
        ]
        indexes = [
            # Advertiser reports: their offers' rows over a date range.
            models.Index(fields=["offer", "day"], name="dailyofferstat_offer_day"),
        ]

    def __str__(self):
        return f"{self.day} offer {self.offer_id}"


class DailyAffiliateStat(Counts):
    """DailyStat summed over offers (per currency): one network day of one affiliate. The whole network's report
    by affiliate, and an affiliate's report by day, read these."""

    day = models.DateField()
    affiliate = models.ForeignKey(Affiliate, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "affiliate", "currency"], name="%(app_label)s_%(class)s_unique_key"),
        ]
        indexes = [
            # An affiliate's rows over a date range.
            models.Index(fields=["affiliate", "day"], name="dailyaffiliatestat_aff_day"),
        ]

    def __str__(self):
        return f"{self.day} affiliate {self.affiliate_id} {self.currency}"


class RollupState(models.Model):
    """The single row saying how far the rollups are current, and in which time zone their days were cut.

    Its row lock serialises the refresh job, a rebuild and conversion status changes."""

    # Raw rows created before this instant are in the rollups (give or take the refresh's safety margin).
    covered_until = models.DateTimeField(null=True, blank=True)
    time_zone = models.CharField(max_length=64, blank=True)
    refreshed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"rollups current until {self.covered_until} ({self.time_zone})"


class ReportSchedule(models.Model):
    """A saved report (its filters, grouping and period, as the report page's query string) e-mailed as CSV to its
    owner every day, week or month, computed with the owner's own scope when it is sent (README.md, Scheduled
    reports)."""

    class Frequency(models.TextChoices):
        DAILY = "daily", "Every day"
        WEEKLY = "weekly", "Every Monday"
        MONTHLY = "monthly", "On the 1st of each month"

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="report_schedules")
    name = models.CharField(max_length=100)
    query = models.CharField(max_length=1000, blank=True)
    frequency = models.CharField(max_length=8, choices=Frequency.choices, default=Frequency.WEEKLY)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "pk"]
        indexes = [
            # The owner's list of schedules.
            models.Index(fields=["owner"], name="reportschedule_owner"),
        ]

    def __str__(self):
        return f"{self.name} ({self.frequency}) for {self.owner_id}"


class ReportScheduleSend(models.Model):
    """One period's e-mail of a schedule: written before the e-mail goes out, at most one per schedule and period
    (the constraint), so two workers or a rerun of the job never send a period twice."""

    schedule = models.ForeignKey(ReportSchedule, on_delete=models.CASCADE, related_name="sends")
    # The first network day of the period this send covers (the day, the week's Monday, the month's 1st).
    period_start = models.DateField()
    sent_at = models.DateTimeField(auto_now_add=True)
    rows = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["schedule", "period_start"], name="%(app_label)s_%(class)s_once_per_period"
            ),
        ]

    def __str__(self):
        return f"schedule {self.schedule_id} for {self.period_start}"
