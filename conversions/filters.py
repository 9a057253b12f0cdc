import django_filters

from conversions.models import Conversion, PostbackLog
from core.filters import CreatedRangeFilterSet, scoped
from offers.models import Goal, Offer
from offers.selectors import goal_list, offer_list
from partners.models import Affiliate
from partners.selectors import affiliate_list


class ConversionFilter(CreatedRangeFilterSet):
    offer = django_filters.ModelChoiceFilter(queryset=scoped(offer_list, Offer))
    affiliate = django_filters.ModelChoiceFilter(queryset=scoped(affiliate_list, Affiliate))
    goal = django_filters.ModelChoiceFilter(queryset=scoped(goal_list, Goal))
    status = django_filters.ChoiceFilter(choices=Conversion.Status.choices)
    transaction_id = django_filters.CharFilter()

    class Meta:
        model = Conversion
        fields = ["offer", "affiliate", "goal", "status", "transaction_id"]


class PostbackLogFilter(CreatedRangeFilterSet):
    date_field = "received_at"

    offer = django_filters.ModelChoiceFilter(queryset=scoped(offer_list, Offer))
    verdict = django_filters.ChoiceFilter(choices=PostbackLog.Verdict.choices)
    reason = django_filters.CharFilter()
    transaction_id = django_filters.CharFilter(field_name="params__transaction_id", label="Transaction ID")

    class Meta:
        model = PostbackLog
        fields = ["offer", "verdict", "reason", "is_test"]
