import django_filters
from django.db.models import Q

from offers.models import Goal, Offer, OfferAccess
from offers.selectors import offer_list
from partners.models import Advertiser, Affiliate
from partners.selectors import advertiser_list, affiliate_list


def scoped(selector, model):
    """A ModelChoiceFilter queryset limited to what the requesting user may see (so a filter value
    outside one's scope is refused like an unknown one, and its existence is never confirmed)."""
    return lambda request: selector(user=request.user) if request is not None else model.objects.none()


def search_name_or_id(queryset, name, value):
    query = Q(name__icontains=value)
    if value.isdigit():
        query |= Q(pk=int(value))
    return queryset.filter(query)


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
