"""Invoices, payments and affiliate billing profiles as the API shows them (README.md, Billing and API). Amounts are
decimal strings ("12.50") with their currency; writes go through billing.services."""

from decimal import Decimal

from rest_framework import serializers

from billing.models import (
    AdvertiserBillingProfile,
    AffiliateBillingProfile,
    Invoice,
    InvoiceLine,
    Party,
    Payment,
    PaymentMethod,
)
from billing.services import BillingError, money

MONEY_INPUT = {"max_digits": 14, "decimal_places": 2, "coerce_to_string": True}


class InvoiceLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = InvoiceLine
        fields = ["id", "kind", "offer", "goal", "description", "count", "amount", "reason", "created_at"]
        read_only_fields = fields


class InvoiceSerializer(serializers.ModelSerializer):
    """An invoice with its lines. `total` is fixed at issue (null on a draft, whose running sum is `amount`);
    `paid` and `balance_due` follow the payments."""

    lines = InvoiceLineSerializer(many=True, read_only=True)
    amount = serializers.DecimalField(**MONEY_INPUT, read_only=True, help_text="The total, or a draft's running sum.")
    paid = serializers.DecimalField(**MONEY_INPUT, read_only=True, source="amount_paid")
    balance_due = serializers.DecimalField(**MONEY_INPUT, read_only=True)
    is_overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = Invoice
        fields = [
            "id",
            "number",
            "party",
            "affiliate",
            "advertiser",
            "currency",
            "period_start",
            "period_end",
            "status",
            "issued_at",
            "due_date",
            "total",
            "amount",
            "paid",
            "balance_due",
            "is_overdue",
            "lines",
        ]
        read_only_fields = fields


class AdjustmentSerializer(serializers.Serializer):
    """A manager's adjustment line on a draft: a signed amount (not zero) and the reason printed with it."""

    amount = serializers.DecimalField(**MONEY_INPUT)
    reason = serializers.CharField(max_length=500)

    def validate_amount(self, value):
        try:
            return money(value, allow_negative=True)
        except BillingError as exc:
            raise serializers.ValidationError(exc.messages[0], code=exc.code) from None


class MarkPaidSerializer(serializers.Serializer):
    paid_on = serializers.DateField(required=False)
    reference = serializers.CharField(max_length=200, required=False, allow_blank=True)
    method = serializers.ChoiceField(choices=PaymentMethod.choices, required=False)


class PaymentSerializer(serializers.ModelSerializer):
    """A payment to an affiliate or from an advertiser. POST (managers): `invoices` lists the issued invoices it
    settles, oldest first; a payment larger than what they owe is refused (`overpayment`)."""

    invoices = serializers.PrimaryKeyRelatedField(
        many=True, queryset=Invoice.objects.all(), write_only=True, help_text="IDs of the issued invoices it settles."
    )
    allocations = serializers.SerializerMethodField()
    amount = serializers.DecimalField(**MONEY_INPUT, min_value=Decimal("0.01"))

    class Meta:
        model = Payment
        fields = [
            "id",
            "party",
            "affiliate",
            "advertiser",
            "currency",
            "amount",
            "paid_on",
            "method",
            "reference",
            "invoices",
            "allocations",
            "created_at",
        ]
        read_only_fields = ["id", "created_at", "allocations"]

    def get_allocations(self, payment) -> list[dict]:
        return [
            {"invoice": allocation.invoice_id, "amount": str(allocation.amount)}
            for allocation in payment.allocations.all()
        ]

    def validate(self, attrs):
        party = attrs.get("party")
        partner = attrs.get("affiliate") if party == Party.AFFILIATE else attrs.get("advertiser")
        other = attrs.get("advertiser") if party == Party.AFFILIATE else attrs.get("affiliate")
        if partner is None or other is not None:
            raise serializers.ValidationError(f"Name the {party} (and only it) the payment is for.")
        attrs["partner"] = partner
        return attrs


class AffiliateBillingProfileSerializer(serializers.ModelSerializer):
    """An affiliate's billing profile. The affiliate's users may change `payment_method` and `payment_details`;
    managers also `frequency` and `minimum_payout` (blank/null: the network's defaults)."""

    class Meta:
        model = AffiliateBillingProfile
        fields = ["id", "affiliate", "frequency", "payment_method", "payment_details", "minimum_payout", "updated_at"]
        read_only_fields = ["id", "affiliate", "updated_at"]


class AdvertiserBillingProfileSerializer(serializers.ModelSerializer):
    """An advertiser's billing terms: frequency, net days, billing contact. Managers change them; the advertiser's
    users read their own."""

    class Meta:
        model = AdvertiserBillingProfile
        fields = ["id", "advertiser", "frequency", "terms_days", "billing_contact_name", "billing_email", "updated_at"]
        read_only_fields = ["id", "advertiser", "updated_at"]
