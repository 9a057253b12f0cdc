import ipaddress
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from core.db import TimestampedModel


class PartnerStatus(models.TextChoices):
    ACTIVE = "active"
    PENDING = "pending"
    SUSPENDED = "suspended"


def validate_ip_allowlist(value):
    if not isinstance(value, list):
        raise ValidationError("The allowlist is a list of IP addresses or CIDR networks.")
    for entry in value:
        try:
            ipaddress.ip_network(str(entry), strict=False)
        except ValueError as exc:
            raise ValidationError(f"{entry!r} is not an IP address or CIDR network.") from exc


# After an affiliate's postback secret is rotated, postbacks carry a signature with the previous one too for this long.
POSTBACK_SECRET_GRACE = timedelta(days=7)


def new_secret():
    return secrets.token_urlsafe(32)


def new_security_token():
    return secrets.token_urlsafe(24)


class Advertiser(TimestampedModel):
    """A company whose offers the network runs; its server reports conversions to /postback."""

    Status = PartnerStatus

    name = models.CharField(max_length=200)
    status = models.CharField(max_length=16, choices=PartnerStatus.choices, default=PartnerStatus.ACTIVE)
    # Every postback for this advertiser's offers must carry security_token=<this> (made at creation), unless a
    # manager turned token_required off; partner-ID postbacks (no click) need it or a valid signature even then.
    security_token = models.CharField(max_length=128, blank=True, default=new_security_token)
    token_required = models.BooleanField(
        default=True,
        help_text="Refuse postbacks without the security token. Turn off only for a server that cannot send it: "
        "anyone who learns a transaction ID could then report a conversion.",
    )
    # IPs or CIDR networks allowed to send postbacks; empty means any address.
    postback_ip_allowlist = models.JSONField(default=list, blank=True, validators=[validate_ip_allowlist])
    # HMAC secrets for X-Tally-Signature; the previous one stays valid during a rotation.
    signing_secret = models.CharField(max_length=128, blank=True)
    signing_secret_previous = models.CharField(max_length=128, blank=True)
    require_signature = models.BooleanField(default=False)

    class Meta:
        ordering = ["name"]
        constraints = [
            # A required token exists: an empty one would let every postback through or refuse them all.
            models.CheckConstraint(
                condition=Q(token_required=False) | ~Q(security_token=""),
                name="%(app_label)s_%(class)s_required_token_set",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def is_active(self):
        return self.status == PartnerStatus.ACTIVE

    def signing_secrets(self):
        return [s for s in (self.signing_secret, self.signing_secret_previous) if s]

    def allows_ip(self, ip):
        if not self.postback_ip_allowlist:
            return True
        try:
            address = ipaddress.ip_address(ip)
        except ValueError:
            return False
        return any(address in ipaddress.ip_network(net, strict=False) for net in self.postback_ip_allowlist)


class Affiliate(TimestampedModel):
    """A publisher who sends traffic; its primary key is the partner ID (aff_id) in links and postbacks."""

    Status = PartnerStatus

    name = models.CharField(max_length=200)
    status = models.CharField(max_length=16, choices=PartnerStatus.choices, default=PartnerStatus.PENDING)
    contact_email = models.EmailField(blank=True)
    website = models.URLField(blank=True)
    # From the public sign-up form: who applied, how they send traffic, when they accepted the terms.
    contact_name = models.CharField(max_length=200, blank=True)
    traffic_sources = models.TextField(blank=True, help_text="How the affiliate sends traffic (sites, email, ads…).")
    terms_accepted_at = models.DateTimeField(null=True, blank=True)
    # Set when a manager turned the application down (the affiliate is then suspended); shown in the rejection email.
    rejection_reason = models.CharField(max_length=500, blank=True)
    # The network's own test publisher: advertisers' live integration tests make their clicks through it. Its clicks
    # stay out of reports and postbacks for them run every rule but record no conversion (like test=1).
    is_test = models.BooleanField(default=False, editable=False)
    # Signs the postbacks Tally sends to this affiliate (X-Tally-Signature). After a rotation the previous secret
    # signs too (a second v1= in the header) for POSTBACK_SECRET_GRACE, so the affiliate's verifier keeps working
    # with either until it has the new one.
    postback_secret = models.CharField(max_length=128, default=new_secret)
    postback_secret_previous = models.CharField(max_length=128, blank=True)
    postback_secret_rotated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_test"], condition=Q(is_test=True), name="%(app_label)s_%(class)s_one_test_affiliate"
            ),
        ]

    def __str__(self):
        return f"{self.name} (#{self.pk})"

    @property
    def is_active(self):
        return self.status == PartnerStatus.ACTIVE

    def postback_grace_ends_at(self):
        """When the previous postback secret stops signing, or None when there is none."""
        if not self.postback_secret_previous or self.postback_secret_rotated_at is None:
            return None
        return self.postback_secret_rotated_at + POSTBACK_SECRET_GRACE

    def postback_signing_secrets(self, now=None):
        """The secrets that sign a postback sent now: the current one, then the previous during the grace period."""
        ends_at = self.postback_grace_ends_at()
        if ends_at is not None and (now or timezone.now()) < ends_at:
            return [self.postback_secret, self.postback_secret_previous]
        return [self.postback_secret]


class Membership(TimestampedModel):
    """A login that belongs to exactly one advertiser or one affiliate (staff users have none)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership")
    advertiser = models.ForeignKey(Advertiser, null=True, blank=True, on_delete=models.CASCADE, related_name="members")
    affiliate = models.ForeignKey(Affiliate, null=True, blank=True, on_delete=models.CASCADE, related_name="members")

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(Q(advertiser__isnull=False) & Q(affiliate__isnull=True))
                | (Q(advertiser__isnull=True) & Q(affiliate__isnull=False)),
                name="%(app_label)s_%(class)s_exactly_one_partner",
            ),
        ]

    def __str__(self):
        return f"{self.user} → {self.advertiser or self.affiliate}"
