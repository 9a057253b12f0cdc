import django_filters

from core.filters import search_name_or_id
from partners.models import Advertiser, Affiliate, PartnerStatus


class AdvertiserFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method=lambda qs, name, value: search_name_or_id(qs, name, value), label="Search")
    status = django_filters.ChoiceFilter(choices=PartnerStatus.choices)

    class Meta:
        model = Advertiser
        fields = ["status"]


class AffiliateFilter(AdvertiserFilter):
    class Meta:
        model = Affiliate
        fields = ["status"]
