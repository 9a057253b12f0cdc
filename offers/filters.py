import django_filters

from core.filters import scoped, search_name_or_id
from offers.models import Goal, Offer, OfferAccess
from offers.selectors import offer_list
from partners.models import Advertiser, Affiliate
from partners.selectors import advertiser_list, affiliate_list


class OfferFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method=lambda qs, name, value: search_name_or_id(qs, name, value), label="Search")
    advertiser = django_filters.ModelChoiceFilter(queryset=scoped(advertiser_list, Advertiser))

    class Meta:
        model = Offer
        fields = ["status", "visibility", "advertiser"]


class OfferAccessFilter(django_filters.FilterSet):
    offer = django_filters.ModelChoiceFilter(queryset=scoped(offer_list, Offer))
    affiliate = django_filters.ModelChoiceFilter(queryset=scoped(affiliate_list, Affiliate))

    class Meta:
        model = OfferAccess
        fields = ["status", "offer", "affiliate"]


class GoalFilter(django_filters.FilterSet):
    offer = django_filters.ModelChoiceFilter(queryset=scoped(offer_list, Offer))

    class Meta:
        model = Goal
        fields = ["offer"]
