import django_filters

from core.filters import CreatedRangeFilterSet, scoped
from offers.models import Offer
from offers.selectors import offer_list
from partners.models import Affiliate
from partners.selectors import affiliate_list
from tracking.models import Click


class ClickFilter(CreatedRangeFilterSet):
    offer = django_filters.ModelChoiceFilter(queryset=scoped(offer_list, Offer))
    affiliate = django_filters.ModelChoiceFilter(queryset=scoped(affiliate_list, Affiliate))
    transaction_id = django_filters.CharFilter()
    aff_sub = django_filters.CharFilter()
    source = django_filters.CharFilter()

    class Meta:
        model = Click
        fields = ["offer", "affiliate", "transaction_id", "aff_sub", "source"]
