"""Conversions and the postback log as the API shows them (README.md, API).

Affiliates never see `revenue` or the advertiser's `adv_sub`; advertisers never see `payout`.
"""

from rest_framework import serializers

from conversions.models import Conversion, ConversionFlag, PostbackLog
from conversions.reasons import CONVERSION_RULES
from core.api import RoleFieldsMixin
from core.roles import Role


class ConversionFlagSerializer(serializers.ModelSerializer):
    """A conversion rule the conversion broke (docs/postbacks.md#conversion-rules)."""

    code = serializers.ChoiceField(
        choices=[(reason.value, reason.label) for reason in CONVERSION_RULES], help_text="The rule's reason code."
    )

    class Meta:
        model = ConversionFlag
        fields = ["code", "detail"]
        read_only_fields = fields


class ConversionSerializer(RoleFieldsMixin, serializers.ModelSerializer):
    """A conversion. Managers may PATCH `status` (with an optional `reason`); every change is audited. `flags`: the
    conversion rules it broke (docs/postbacks.md#conversion-rules), for managers and the offer's advertiser."""

    hidden_from = {
        "payout": (Role.ADVERTISER,),
        "revenue": (Role.AFFILIATE,),
        "adv_sub": (Role.AFFILIATE,),
        # Fraud signals are the network's: an affiliate sees the status (and a rejection's reason) only.
        "flags": (Role.AFFILIATE,),
        "country": (Role.AFFILIATE,),
    }
    flags = ConversionFlagSerializer(many=True, read_only=True)
    reason = serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        max_length=255,
        help_text="Why the status changed (kept in the audit trail; shown on a rejected conversion).",
    )

    class Meta:
        model = Conversion
        fields = [
            "id",
            "transaction_id",
            "offer",
            "affiliate",
            "goal",
            "status",
            "amount",
            "payout",
            "revenue",
            "currency",
            "adv_sub",
            "created_at",
            "seconds_to_convert",
            "country",
            "flags",
            "reason",
        ]
        read_only_fields = [name for name in fields if name not in ("status", "reason")]


class TraceStepSerializer(serializers.Serializer):
    """One rule of the postback pipeline, as checked for this request."""

    rule = serializers.CharField(help_text="The reason code the rule refuses with (docs/reason-codes.md).")
    ok = serializers.BooleanField()
    detail = serializers.CharField(allow_blank=True)


class PostbackLogSerializer(serializers.ModelSerializer):
    """One request to the postback endpoint, accepted or not, with its decision trace."""

    params = serializers.DictField(
        child=serializers.CharField(allow_blank=True),
        read_only=True,
        help_text="The parameters as received (query and body); a security token is masked.",
    )
    trace = TraceStepSerializer(many=True, read_only=True, help_text="Each rule checked, in order.")

    class Meta:
        model = PostbackLog
        fields = ["id", "received_at", "source_ip", "params", "verdict", "reason", "trace", "conversion"]
        read_only_fields = fields
