"""Report rows as the API shows them (README.md, Reports): the same numbers as the report pages, from
reports.selectors."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api import RoleFieldsMixin
from reports.selectors import METRICS


@extend_schema_field({"anyOf": [{"type": "integer"}, {"type": "string", "nullable": True}]})
class GroupKeyField(serializers.Field):
    """The group a row stands for: an affiliate, offer or advertiser ID, a date (YYYY-MM-DD) or a sub ID."""

    def to_representation(self, value):
        return value.isoformat() if hasattr(value, "isoformat") else value


def _money(places=2, **kwargs):
    return serializers.DecimalField(max_digits=24, decimal_places=places, read_only=True, **kwargs)


class ReportRowSerializer(RoleFieldsMixin, serializers.Serializer):
    """One report row: a group in one currency. Affiliates get no revenue, profit or RPC; advertisers no payout,
    profit or EPC."""

    hidden_from = {metric.key: metric.hidden_from for metric in METRICS if metric.hidden_from}

    key = GroupKeyField(read_only=True, help_text="The affiliate, offer or advertiser ID, the date, or the sub ID.")
    label = serializers.CharField(read_only=True, help_text="Its name (a date or sub ID repeats the key).")
    currency = serializers.CharField(read_only=True)
    clicks = serializers.IntegerField(read_only=True)
    unique_clicks = serializers.IntegerField(read_only=True)
    conversions = serializers.IntegerField(read_only=True, help_text="Approved conversions.")
    pending = serializers.IntegerField(read_only=True)
    rejected = serializers.IntegerField(read_only=True)
    cr = _money(allow_null=True, help_text="Conversion rate: conversions ÷ clicks, in percent; null without clicks.")
    payout = _money()
    revenue = _money()
    profit = _money(help_text="Revenue − payout.")
    epc = _money(4, allow_null=True, help_text="Payout ÷ clicks; null without clicks.")
    rpc = _money(4, allow_null=True, help_text="Revenue ÷ clicks; null without clicks.")
