import django_filters

from core.filters import SortFilter, search_name_or_id
from partners.models import Advertiser, Affiliate, PartnerStatus


class AdvertiserFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method=lambda qs, name, value: search_name_or_id(qs, name, value), label="Search")
    status = django_filters.ChoiceFilter(choices=PartnerStatus.choices)
    # Partners are few: by ID (the partner ID), name, status or the day they joined. Affiliates sort the same way.
    ordering = SortFilter(
        fields={"id": "id", "name": "name", "status": "status", "created_at": "created_at"},
        field_labels={"id": "ID", "created_at": "Since"},
        tiebreak=("name",),
    )

    class Meta:
        model = Advertiser
        fields = ["status"]


class AffiliateFilter(AdvertiserFilter):
    class Meta:
        model = Affiliate
        fields = ["status"]
