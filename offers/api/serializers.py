"""Offers, goals and offer access as the API shows them (README.md, API).

Affiliates never see what the advertiser pays (`revenue`, `revenue_type`); advertisers never see what the
affiliate earns (`payout`, `payout_type`, an access row's payout override).
"""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api import RoleFieldsMixin, ScopedRelatedField
from core.roles import Role
from offers.macros import validate_url_template
from offers.models import GOAL_FIELDS, OFFER_FIELDS, Goal, Offer, OfferAccess
from offers.selectors import offer_list
from partners.models import Advertiser, Affiliate
from partners.selectors import advertiser_list, affiliate_list

PAYOUT_HIDDEN = (Role.ADVERTISER,)
REVENUE_HIDDEN = (Role.AFFILIATE,)


@extend_schema_field({"type": "string", "format": "url-template"})
class UrlTemplateField(serializers.URLField):
    """A URL with macros (`{transaction_id}` or `<transaction_id>`): an http(s) URL once filled in, but not a
    valid URI as written, so the schema calls its format `url-template` rather than `uri`."""


class OfferSerializer(RoleFieldsMixin, serializers.ModelSerializer):
    """An offer. For an affiliate, `payout` is what it earns: its own payout override when it has one."""

    destination_url = UrlTemplateField(
        max_length=2000,
        validators=[validate_url_template],
        help_text="Where clicks land, with macros filled in: {transaction_id} or <transaction_id>, {aff_sub}, ...",
    )

    hidden_from = {
        "payout_type": PAYOUT_HIDDEN,
        "payout": PAYOUT_HIDDEN,
        "revenue_type": REVENUE_HIDDEN,
        "revenue": REVENUE_HIDDEN,
    }
    advertiser = ScopedRelatedField(selector=advertiser_list, queryset=Advertiser.objects.all())

    class Meta:
        model = Offer
        fields = ["id", *OFFER_FIELDS]

    def get_fields(self):
        fields = super().get_fields()
        if self.role == Role.AFFILIATE:
            # The viewset annotates each offer with the affiliate's own payout (override or the offer's).
            fields["payout"] = serializers.DecimalField(
                max_digits=14, decimal_places=2, source="affiliate_payout", read_only=True
            )
        return fields


class GoalSerializer(RoleFieldsMixin, serializers.ModelSerializer):
    """A named conversion event of an offer (`goal_id` on postbacks), with its own payout and revenue."""

    hidden_from = OfferSerializer.hidden_from
    offer = ScopedRelatedField(selector=offer_list, queryset=Offer.objects.all())

    class Meta:
        model = Goal
        fields = ["id", "offer", *GOAL_FIELDS]

    def validate_offer(self, offer):
        if self.instance is not None and offer != self.instance.offer:
            raise serializers.ValidationError("A goal stays with its offer; create a goal on the other offer.")
        return offer


class OfferAccessSerializer(RoleFieldsMixin, serializers.ModelSerializer):
    """Whether an affiliate may run an offer, with an optional payout override.

    Managers create (one row per offer and affiliate) and change rows. An affiliate POSTs only `offer` to ask
    for an approval-required offer: the row is its own, `pending` until a manager decides.
    """

    hidden_from = {"payout": PAYOUT_HIDDEN}
    offer = ScopedRelatedField(selector=offer_list, queryset=Offer.objects.all())
    affiliate = ScopedRelatedField(
        selector=affiliate_list,
        queryset=Affiliate.objects.all(),
        required=False,
        help_text="Required from managers; an affiliate asking for access leaves it out (it is always itself).",
    )

    class Meta:
        model = OfferAccess
        fields = ["id", "offer", "affiliate", "status", "payout"]

    def get_fields(self):
        fields = super().get_fields()
        if self.role == Role.AFFILIATE:
            for name in ("affiliate", "status", "payout"):
                fields[name].read_only = True
        if self.instance is not None:
            # A row belongs to its offer and affiliate for good; only its status and payout change.
            for name in ("offer", "affiliate"):
                fields[name].read_only = True
        return fields

    def validate(self, attrs):
        if self.role == Role.MANAGER and self.instance is None and "affiliate" not in attrs:
            raise serializers.ValidationError({"affiliate": "This field is required."})
        return super().validate(attrs)
