import secrets

from django.db import models

from offers.macros import time_values
from offers.models import Offer
from partners.models import Affiliate

SUB_FIELDS = ("aff_sub", "aff_sub2", "aff_sub3", "aff_sub4", "aff_sub5", "source", "aff_click_id")


def new_transaction_id():
    """128 bits from the OS CSPRNG, as 32 lower-case hex characters (URL-safe, case-proof)."""
    return secrets.token_hex(16)


class Click(models.Model):
    """One visit through an affiliate's tracking link: a click that a postback can convert until expires_at."""

    # Unique through Meta.constraints, not unique=True: on PostgreSQL that would add a second (LIKE) index, and every
    # index is written by every click.
    transaction_id = models.CharField(max_length=64, default=new_transaction_id, editable=False)
    # No index of their own: click_unique_lookup starts with offer_id, click_affiliate_time with affiliate_id.
    offer = models.ForeignKey(Offer, on_delete=models.PROTECT, related_name="clicks", db_index=False)
    affiliate = models.ForeignKey(Affiliate, on_delete=models.PROTECT, related_name="clicks", db_index=False)
    aff_sub = models.TextField(blank=True)
    aff_sub2 = models.TextField(blank=True)
    aff_sub3 = models.TextField(blank=True)
    aff_sub4 = models.TextField(blank=True)
    aff_sub5 = models.TextField(blank=True)
    source = models.TextField(blank=True)
    aff_click_id = models.TextField(blank=True)
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
    # postback decides expiry by this alone.
    expires_at = models.DateTimeField()
    # Set by the expiry job; reports and privacy erasure use it, attribution does not.
    expired = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["transaction_id"], name="click_transaction_id_unique")]
        indexes = [
            # The uniqueness check at click time: same offer, affiliate, IP and UA in the last 24 h.
            models.Index(fields=["offer", "affiliate", "ip", "created_at"], name="click_unique_lookup"),
            # Affiliate-scoped click lists and reports.
            models.Index(fields=["affiliate", "created_at"], name="click_affiliate_time"),
            # The expiry job's work queue: clicks not yet marked expired, oldest expiry first.
            models.Index(fields=["expires_at"], condition=models.Q(expired=False), name="click_unexpired"),
            # The erasure pass: expired clicks still holding an IP, user agent or referer, oldest expiry first.
            models.Index(
                fields=["expires_at"],
                condition=models.Q(expired=True)
                & (models.Q(ip__isnull=False) | ~models.Q(user_agent="") | ~models.Q(referer="")),
                name="click_personal_data_kept",
            ),
        ]

    def __str__(self):
        return self.transaction_id

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
