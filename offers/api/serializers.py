"""Offers, goals and offer access as the API shows them (README.md, API).

Affiliates never see what the advertiser pays (`revenue`, `revenue_type`); advertisers never see what the
affiliate earns (`payout`, `payout_type`, an access row's payout override).
"""

from django.core.validators import validate_slug
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api import RoleFieldsMixin, ScopedRelatedField
from core.roles import Role
from offers.macros import validate_url_template
from offers.models import GOAL_FIELDS, OFFER_FIELDS, Goal, Offer, OfferAccess, Tag
from offers.selectors import offer_list
from offers.targeting import COUNTRY_CHOICES, Device, OperatingSystem
from partners.models import Advertiser, Affiliate
from partners.selectors import advertiser_list, affiliate_list

PAYOUT_HIDDEN = (Role.ADVERTISER,)
REVENUE_HIDDEN = (Role.AFFILIATE,)
RULES_HIDDEN = (Role.AFFILIATE,)
# An offer's and a goal's money, by who may not see it.
MONEY_HIDDEN = {
    "payout_type": PAYOUT_HIDDEN,
    "payout": PAYOUT_HIDDEN,
    "revenue_type": REVENUE_HIDDEN,
    "revenue": REVENUE_HIDDEN,
}


@extend_schema_field({"type": "string", "format": "url-template"})
class UrlTemplateField(serializers.URLField):
    """A URL with macros (`{transaction_id}` or `<transaction_id>`): an http(s) URL once filled in, but not a
    valid URI as written, so the schema calls its format `url-template` rather than `uri`."""


class TagNameField(serializers.SlugRelatedField):
    """A tag by name; a value that cannot be one (not a slug, e.g. with a NUL) is refused before any query."""

    def to_internal_value(self, data):
        if not isinstance(data, str) or not validate_slug.regex.fullmatch(data):
            self.fail("does_not_exist", slug_name=self.slug_field, value=str(data)[:50])
        return super().to_internal_value(data)


class OfferSerializer(RoleFieldsMixin, serializers.ModelSerializer):
    """An offer. For an affiliate, `payout` is what it earns: its own payout override when it has one."""

    destination_url = UrlTemplateField(
        max_length=2000,
        validators=[validate_url_template],
        help_text="Where clicks land, with macros filled in: {transaction_id} or <transaction_id>, {aff_sub}, ...",
    )

    hidden_from = {
        **MONEY_HIDDEN,
        # The conversion rules (docs/postbacks.md#conversion-rules): an affiliate who knew them could time around them.
        "too_fast_seconds": RULES_HIDDEN,
        "too_fast_action": RULES_HIDDEN,
        "country_mismatch_action": RULES_HIDDEN,
    }
    advertiser = ScopedRelatedField(selector=advertiser_list, queryset=Advertiser.objects.all())
    # Targeting (README, Traffic quality): typed lists in the schema, not free JSON; empty targets everyone.
    allowed_countries = serializers.ListField(
        child=serializers.ChoiceField(choices=COUNTRY_CHOICES),
        required=False,
        help_text="ISO 3166-1 alpha-2 codes: only clicks from these countries (empty: every country).",
    )
    blocked_countries = serializers.ListField(
        child=serializers.ChoiceField(choices=COUNTRY_CHOICES),
        required=False,
        help_text="ISO 3166-1 alpha-2 codes: no clicks from these countries. May not share a code with "
        "allowed_countries.",
    )
    allowed_devices = serializers.ListField(
        child=serializers.ChoiceField(choices=Device.choices),
        required=False,
        help_text="Only clicks from these device types (empty: every device).",
    )
    allowed_os = serializers.ListField(
        child=serializers.ChoiceField(choices=OperatingSystem.choices),
        required=False,
        help_text="Only clicks from these operating systems (empty: every OS).",
    )
    tags = TagNameField(
        many=True,
        slug_field="name",
        queryset=Tag.objects.all(),
        required=False,
        help_text="Tag names (see /api/v1/tags/); writing replaces the offer's tags.",
    )

    class Meta:
        model = Offer
        fields = ["id", *OFFER_FIELDS, "tags", "created_at"]
        read_only_fields = ["created_at"]

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

    hidden_from = MONEY_HIDDEN
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
