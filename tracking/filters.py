import django_filters

from core.filters import CreatedRangeFilterSet, SortFilter, scoped
from core.roles import Role, role_of
from offers.models import Offer
from offers.selectors import offer_list
from partners.models import Affiliate
from partners.selectors import affiliate_list
from tracking.models import Click
from tracking.transaction_ids import transaction_id_q

# What an affiliate put on its own link to track its own traffic: an advertiser sees none of it, neither on its pages
# (they show a click's transaction ID, offer, partner ID and time) nor through the API, and can't filter by it.
AFFILIATE_PRIVATE = ("aff_sub", "aff_sub2", "aff_sub3", "aff_sub4", "aff_sub5", "source", "aff_click_id")


class ClickFilter(CreatedRangeFilterSet):
    offer = django_filters.ModelChoiceFilter(queryset=scoped(offer_list, Offer))
    affiliate = django_filters.ModelChoiceFilter(queryset=scoped(affiliate_list, Affiliate))
    # By the ID's time too, so PostgreSQL reads one day's partition (docs/storage.md).
    transaction_id = django_filters.CharFilter(label="Transaction ID", method="by_transaction_id")
    aff_sub = django_filters.CharFilter(label="Sub ID (aff_sub)")
    source = django_filters.CharFilter()
    # Time only: the click table is the biggest, and only created_at is indexed to read a page in order (sorting
    # every click by an offer's name to show 50 would read them all). Narrow with the filters instead.
    ordering = SortFilter(fields={"created_at": "created_at"}, field_labels={"created_at": "Time"})

    class Meta:
        model = Click
        fields = ["offer", "affiliate", "transaction_id", "aff_sub", "source"]

    def by_transaction_id(self, queryset, name, value):
        return queryset.filter(transaction_id_q(value)) if value else queryset

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if role_of(getattr(self.request, "user", None)) == Role.ADVERTISER:
            for name in AFFILIATE_PRIVATE:
                self.filters.pop(name, None)
