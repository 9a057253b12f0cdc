"""Traffic quality (README, Traffic quality): blocklist entries, and the count of clicks refused for quality reasons."""

import ipaddress

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from core.db import TimestampedModel
from offers.models import Offer
from partners.models import Affiliate


class BlockEntry(TimestampedModel):
    """One thing whose clicks are refused (`blocked`) and whose postbacks are refused (`blocked_traffic`): an IP
    address, a network (CIDR, IPv4 or IPv6), an affiliate, or an aff_sub / source value; on one offer, or
    network-wide when offer is empty."""

    class Kind(models.TextChoices):
        IP = "ip", "IP address"
        CIDR = "cidr", "Network (CIDR)"
        AFFILIATE = "affiliate", "Affiliate"
        AFF_SUB = "aff_sub", "aff_sub value"
        SOURCE = "source", "source value"

    # Empty: network-wide, every offer.
    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, null=True, blank=True, related_name="block_entries")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    # The normalized value: an IP in its canonical text, a network as "address/prefix", the affiliate's id, or the
    # sub value exactly as it arrives on the click (case-sensitive).
    value = models.CharField(max_length=200)
    # Set for kind=affiliate only (the same id as value), so the entry shows the affiliate and goes with it.
    affiliate = models.ForeignKey(Affiliate, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["kind", "value"]
        verbose_name_plural = "block entries"
        constraints = [
            # NULL offers are distinct in a UNIQUE index, hence one constraint per scope.
            models.UniqueConstraint(
                fields=["offer", "kind", "value"],
                condition=Q(offer__isnull=False),
                name="%(app_label)s_%(class)s_unique_per_offer",
                violation_error_message="This entry is already on the offer's blocklist.",
            ),
            models.UniqueConstraint(
                fields=["kind", "value"],
                condition=Q(offer__isnull=True),
                name="%(app_label)s_%(class)s_unique_network_wide",
                violation_error_message="This entry is already on the network-wide blocklist.",
            ),
            models.CheckConstraint(
                condition=Q(kind="affiliate", affiliate__isnull=False) | (~Q(kind="affiliate") & Q(affiliate=None)),
                name="%(app_label)s_%(class)s_affiliate_only_for_its_kind",
            ),
        ]

    def clean(self):
        """Values in their stored form whoever saves the entry (the portal, the admin): see normalize_block_value."""
        if self.kind == self.Kind.AFFILIATE:
            self.value = str(self.affiliate_id or "")
        elif self.kind in self.Kind.values:
            try:
                self.value = normalize_block_value(self.kind, self.value)
            except ValidationError as error:
                raise ValidationError({"value": error.messages}) from None

    def __str__(self):
        scope = f"offer #{self.offer_id}" if self.offer_id else "network-wide"
        return f"{self.get_kind_display()} {self.value} ({scope})"


def normalize_block_value(kind, value):
    """The stored form of a blocklist value, or ValidationError: an IP's canonical text, a network's
    "address/prefix" (host bits must be zero), a sub value stripped of surrounding spaces."""
    value = (value or "").strip()
    if not value:
        raise ValidationError("Enter a value.")
    if "\x00" in value:
        raise ValidationError("The value contains a NUL character.")
    if kind == BlockEntry.Kind.IP:
        try:
            return str(ipaddress.ip_address(value))
        except ValueError:
            raise ValidationError(f"{value!r} is not an IPv4 or IPv6 address.") from None
    if kind == BlockEntry.Kind.CIDR:
        try:
            return str(ipaddress.ip_network(value, strict=True))
        except ValueError as error:
            raise ValidationError(f"{value!r} is not a network in CIDR notation ({error}).") from None
    if len(value) > 200:
        raise ValidationError("At most 200 characters.")
    return value


class RefusedClickCount(models.Model):
    """How many click requests of one hour, offer and affiliate were refused for one traffic-quality reason
    (docs/clicks.md#traffic-quality): geo, device, blocked, or bot (redirected, but not a session). Upserted by
    the click itself, one row per (hour, offer, affiliate, reason); reports read these, never raw requests."""

    class Reason(models.TextChoices):
        GEO = "geo", "Country not targeted"
        DEVICE = "device", "Device or OS not targeted"
        BLOCKED = "blocked", "Blocklisted"
        BOT = "bot", "Bot or link preview"

    hour = models.DateTimeField()
    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="+", db_index=False)
    affiliate = models.ForeignKey(Affiliate, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=16, choices=Reason.choices)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            # The upsert's conflict target; also serves reports filtered by offer.
            models.UniqueConstraint(
                fields=["offer", "affiliate", "hour", "reason"], name="%(app_label)s_%(class)s_unique_slot"
            ),
        ]
        indexes = [
            # Reports over a period, whatever the offer: the rejected-clicks table.
            models.Index(fields=["hour"], name="quality_refused_hour"),
        ]

    def __str__(self):
        return f"{self.hour:%Y-%m-%d %H}:00 offer #{self.offer_id} affiliate #{self.affiliate_id} {self.reason}"
