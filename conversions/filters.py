import django_filters
from django import forms
from django.db.models import Exists, OuterRef

from conversions.models import Conversion, ConversionFlag, PostbackDelivery, PostbackLog
from conversions.reasons import CONVERSION_RULES, Reason
from core.filters import CreatedRangeFilterSet, HiddenSortsMixin, SortFilter, scoped
from core.roles import Role, role_of
from offers.models import Goal, Offer
from offers.selectors import goal_list, offer_list
from partners.models import Affiliate
from partners.selectors import affiliate_list


class AnyYesNo(forms.NullBooleanSelect):
    """A yes/no filter whose blank means "any" (Django's own select calls it "Unknown"); it reads the same
    ?field=true|false (or 2|3, unknown) as NullBooleanSelect."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = (("unknown", "Any"), ("true", "Yes"), ("false", "No"))


# What each role may not sort by: what it may not see (payout for advertisers, revenue for affiliates; advertisers
# never see the affiliate's name).
HIDDEN_SORTS = {Role.ADVERTISER: ("payout", "affiliate"), Role.AFFILIATE: ("revenue",)}


class ConversionFilter(HiddenSortsMixin, CreatedRangeFilterSet):
    offer = django_filters.ModelChoiceFilter(queryset=scoped(offer_list, Offer))
    affiliate = django_filters.ModelChoiceFilter(queryset=scoped(affiliate_list, Affiliate))
    goal = django_filters.ModelChoiceFilter(queryset=scoped(goal_list, Goal))
    status = django_filters.ChoiceFilter(choices=Conversion.Status.choices)
    transaction_id = django_filters.CharFilter(label="Transaction ID")
    # The conversion rules a conversion broke (docs/postbacks.md#conversion-rules): the flagged-conversions page.
    flag = django_filters.ChoiceFilter(
        choices=[(reason.value, reason.value) for reason in CONVERSION_RULES], method="filter_flag", label="Flag"
    )
    ordering = SortFilter(
        fields={
            "created_at": "created_at",
            "id": "id",
            "offer__name": "offer",
            "affiliate__name": "affiliate",
            "status": "status",
            "amount": "amount",
            "payout": "payout",
            "revenue": "revenue",
        },
        field_labels={"created_at": "Time", "id": "ID", "offer__name": "Offer", "affiliate__name": "Affiliate"},
        tiebreak=("-created_at",),
    )

    hidden_sorts = HIDDEN_SORTS

    class Meta:
        model = Conversion
        fields = ["offer", "affiliate", "goal", "status", "transaction_id", "flag"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if role_of(getattr(self.request, "user", None)) == Role.AFFILIATE:
            del self.filters["flag"]  # the network's fraud signals, as in the API's ConversionSerializer

    def filter_flag(self, queryset, name, value):
        # EXISTS rather than a join: one row per conversion, however many flags it has.
        return queryset.filter(Exists(ConversionFlag.objects.filter(conversion=OuterRef("pk"), code=value)))


class PostbackLogFilter(CreatedRangeFilterSet):
    date_field = "received_at"

    offer = django_filters.ModelChoiceFilter(queryset=scoped(offer_list, Offer))
    verdict = django_filters.ChoiceFilter(choices=PostbackLog.Verdict.choices)
    # The reason codes (docs/reason-codes.md), in the order the rules are checked.
    reason = django_filters.ChoiceFilter(
        choices=[(reason.value, f"{reason.value}: {reason.label}") for reason in Reason]
    )
    transaction_id = django_filters.CharFilter(field_name="params__transaction_id", label="Transaction ID")
    is_test = django_filters.BooleanFilter(label="Test", widget=AnyYesNo)
    ordering = SortFilter(
        fields={"received_at": "received_at", "verdict": "verdict", "reason": "reason", "offer__name": "offer"},
        field_labels={"received_at": "Received", "offer__name": "Offer"},
        tiebreak=("-received_at",),
    )

    class Meta:
        model = PostbackLog
        fields = ["offer", "verdict", "reason", "is_test"]


class PostbackDeliveryFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=PostbackDelivery.Status.choices, label="Delivery")
    # Time only: one delivery per conversion (and per status change) makes this a big table, and only created_at is
    # indexed to read a page in order.
    ordering = SortFilter(fields={"created_at": "created_at"}, field_labels={"created_at": "Created"})

    class Meta:
        model = PostbackDelivery
        fields = ["status"]
