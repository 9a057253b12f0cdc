from django.db import models
from django.utils import timezone

from offers.macros import time_values
from offers.models import Offer
from partners.models import Affiliate
from tracking import transaction_ids

SUB_FIELDS = ("aff_sub", "aff_sub2", "aff_sub3", "aff_sub4", "aff_sub5", "source", "aff_click_id")


def new_transaction_id():
    """A transaction ID for a click made now (tracking/transaction_ids.py); Click.save() remakes it from the click's
    created_at when they differ."""
    return transaction_ids.new_transaction_id(timezone.now())


class SubIds(models.Model):
    """The sub IDs an affiliate passes on its tracking link (SUB_FIELDS; docs/clicks.md): a click keeps them and its
    conversions copy them."""

    aff_sub = models.TextField(blank=True)
    aff_sub2 = models.TextField(blank=True)
    aff_sub3 = models.TextField(blank=True)
    aff_sub4 = models.TextField(blank=True)
    aff_sub5 = models.TextField(blank=True)
    source = models.TextField(blank=True)
    aff_click_id = models.TextField(blank=True)

    class Meta:
        abstract = True


class Click(SubIds):
    """One visit through an affiliate's tracking link: a click that a postback can convert until expires_at."""

    # On PostgreSQL the table is range-partitioned by this column (core/partitions.py, docs/storage.md).
    partitioned_by = "created_at"

    # Unique through Meta.constraints, not unique=True: on PostgreSQL that would add a second (LIKE) index, and every
    # index is written by every click.
    transaction_id = models.CharField(max_length=64, default=new_transaction_id, editable=False)
    # No index of their own: click_unique_lookup starts with offer_id, click_affiliate_time with affiliate_id.
    offer = models.ForeignKey(Offer, on_delete=models.PROTECT, related_name="clicks", db_index=False)
    affiliate = models.ForeignKey(Affiliate, on_delete=models.PROTECT, related_name="clicks", db_index=False)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.TextField(blank=True)
    referer = models.TextField(blank=True)
    # Told at click time from the IP and user agent (README, Traffic quality); "" when they could not be told.
    country = models.CharField(max_length=2, blank=True)
    device = models.CharField(max_length=8, blank=True)
    os = models.CharField(max_length=16, blank=True)
    # Decided at click time: no click with the same IP and user agent on this offer and affiliate in 24 h.
    is_unique = models.BooleanField(default=True)
    created_at = models.DateTimeField(db_index=True)
    # Fixed at click time from the offer's session lifespan (its attribution window, Offer.session_hours); the
    # postback decides expiry by this alone, and a session has ended exactly when expires_at < now (no job marks it).
    expires_at = models.DateTimeField()

    class Meta:
        # With created_at, as PostgreSQL wants the partition column in every unique constraint; created_at is the
        # time the ID carries (docs/storage.md), so this still allows one click per ID.
        constraints = [
            models.UniqueConstraint(fields=["transaction_id", "created_at"], name="click_transaction_id_time_unique")
        ]
        indexes = [
            # The uniqueness check at click time: same offer, affiliate, IP and UA in the last 24 h.
            models.Index(fields=["offer", "affiliate", "ip", "created_at"], name="click_unique_lookup"),
            # Affiliate-scoped click lists and reports.
            models.Index(fields=["affiliate", "created_at"], name="click_affiliate_time"),
            # Retention: the sessions still open among clicks past retention (tracking.retention.clicks_cutoff), found
            # without reading the day's other clicks. It takes the place of the expiry job's click_unexpired, which
            # every click entered too.
            models.Index(fields=["expires_at"], name="click_session_end"),
        ]

    def __str__(self):
        return self.transaction_id

    def save(self, *args, **kwargs):
        # A new click's v7 ID carries its created_at to the millisecond (docs/storage.md): the postback finds the
        # click's partition from the ID. A default ID (made at __init__) or a created_at set apart is made to agree.
        if self._state.adding and self.created_at is not None:
            at = transaction_ids.time_of(self.transaction_id)
            if at is not None and at != self.created_at:
                self.created_at = transaction_ids.truncate_ms(self.created_at)
                self.transaction_id = transaction_ids.new_transaction_id(self.created_at)
        super().save(*args, **kwargs)

    def macro_values(self):
        """Values of the click macros (docs/clicks.md#macros) for this click."""
        values = {name: getattr(self, name) for name in SUB_FIELDS}
        values.update(
            transaction_id=self.transaction_id,
            affiliate_id=self.affiliate_id,
            offer_id=self.offer_id,
            advertiser_id=self.offer.advertiser_id,
            **time_values(self.created_at),
        )
        return values
