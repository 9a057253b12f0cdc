import django_filters

from core.filters import HiddenSortsMixin, SortFilter, scoped, search_name_or_id
from core.roles import Role, role_of
from offers.models import Goal, Offer, OfferAccess
from offers.selectors import offer_list
from partners.models import Advertiser, Affiliate
from partners.selectors import advertiser_list, affiliate_list

# Offers and access rows are few (hundreds, not millions): any column shown may sort them. A role sorts by none it may
# not see: advertisers never see what affiliates earn, affiliates neither what advertisers pay nor their names.
OFFER_HIDDEN_SORTS = {Role.ADVERTISER: ("payout",), Role.AFFILIATE: ("revenue", "advertiser")}


class OfferFilter(HiddenSortsMixin, django_filters.FilterSet):
    q = django_filters.CharFilter(method=lambda qs, name, value: search_name_or_id(qs, name, value), label="Search")
    advertiser = django_filters.ModelChoiceFilter(queryset=scoped(advertiser_list, Advertiser))
    ordering = SortFilter(
        fields={
            "id": "id",
            "name": "name",
            "advertiser__name": "advertiser",
            "status": "status",
            "visibility": "visibility",
            "payout": "payout",
            "revenue": "revenue",
            "created_at": "created_at",
        },
        field_labels={"id": "ID", "name": "Offer", "advertiser__name": "Advertiser", "created_at": "Created"},
        tiebreak=("name",),
    )
    hidden_sorts = OFFER_HIDDEN_SORTS

    class Meta:
        model = Offer
        fields = ["status", "visibility", "advertiser"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if role_of(getattr(self.request, "user", None)) == Role.AFFILIATE:
            # An affiliate's payout column is what it earns (offer_list_with_payout): its override, or the offer's.
            self.filters["ordering"] = self.filters["ordering"].sorting("payout", by="affiliate_payout")


class OfferAccessFilter(HiddenSortsMixin, django_filters.FilterSet):
    offer = django_filters.ModelChoiceFilter(queryset=scoped(offer_list, Offer))
    affiliate = django_filters.ModelChoiceFilter(queryset=scoped(affiliate_list, Affiliate))
    ordering = SortFilter(
        fields={
            "offer__name": "offer",
            "affiliate__name": "affiliate",
            "status": "status",
            "payout": "payout",
            "updated_at": "updated_at",
        },
        field_labels={"offer__name": "Offer", "affiliate__name": "Affiliate", "updated_at": "Updated"},
        tiebreak=("-updated_at",),
    )
    # Advertisers see neither payout overrides nor affiliates' names (only their partner IDs).
    hidden_sorts = {Role.ADVERTISER: ("payout", "affiliate")}

    class Meta:
        model = OfferAccess
        fields = ["status", "offer", "affiliate"]


class GoalFilter(django_filters.FilterSet):
    offer = django_filters.ModelChoiceFilter(queryset=scoped(offer_list, Offer))

    class Meta:
        model = Goal
        fields = ["offer"]
