"""Advertisers and affiliates as the API shows them (README.md, API)."""

from rest_framework import serializers

from core.api import ROLE_HIDDEN_FIELDS, RoleFieldsMixin
from core.roles import Role
from partners.models import Advertiser, Affiliate, validate_ip_allowlist


class AdvertiserSerializer(RoleFieldsMixin, serializers.ModelSerializer):
    """An advertiser. Managers may set `security_token` but never read it back; the advertiser itself reads it."""

    security_token = serializers.CharField(
        max_length=128,
        required=False,
        allow_blank=True,
        help_text="Postbacks for this advertiser's offers must carry it when set. Write-only for managers; "
        "shown only to the advertiser itself.",
    )
    postback_ip_allowlist = serializers.ListField(
        child=serializers.CharField(max_length=64),
        required=False,
        validators=[validate_ip_allowlist],
        help_text="IP addresses or CIDR networks allowed to send postbacks; empty means any address.",
    )

    class Meta:
        model = Advertiser
        fields = ["id", "name", "status", "security_token", "postback_ip_allowlist"]

    def get_fields(self):
        fields = super().get_fields()
        if self.role == Role.MANAGER:
            fields["security_token"].write_only = True
        elif self.role is not None:
            fields["security_token"].read_only = True
        return fields


# Managers write the security token but never read it back: their answers lack it, so the schema keeps it optional.
ROLE_HIDDEN_FIELDS.setdefault("Advertiser", set()).add("security_token")


class AffiliateSerializer(RoleFieldsMixin, serializers.ModelSerializer):
    """An affiliate; `id` is its partner ID (`aff_id` in links and postbacks). Managers change everything; an
    affiliate changes only its own `postback_url`."""

    postback_url = serializers.CharField(
        max_length=2000,
        required=False,
        allow_blank=True,
        help_text="Called for each of the affiliate's approved conversions (on every offer without a postback of "
        "its own), with macros filled in: {transaction_id}, {payout}, {conversion_id}, {status}, ... Empty: none.",
    )

    class Meta:
        model = Affiliate
        fields = ["id", "name", "status", "postback_url"]
        extra_kwargs = {"id": {"help_text": "The partner ID (aff_id)."}}

    def get_fields(self):
        fields = super().get_fields()
        if self.role == Role.AFFILIATE:
            for name in ("name", "status"):
                fields[name].read_only = True
        return fields
