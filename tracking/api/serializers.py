"""Clicks as the API shows them (README, API): no IP address or user agent, only what links carried."""

from rest_framework import serializers

from core.api import RoleFieldsMixin
from core.roles import Role
from tracking.filters import AFFILIATE_PRIVATE
from tracking.models import Click


class ClickSerializer(RoleFieldsMixin, serializers.ModelSerializer):
    """One click through a tracking link, known by its `transaction_id`."""

    hidden_from = dict.fromkeys(AFFILIATE_PRIVATE, (Role.ADVERTISER,))

    class Meta:
        model = Click
        fields = [
            "transaction_id",
            "offer",
            "affiliate",
            "aff_sub",
            "aff_sub2",
            "aff_sub3",
            "aff_sub4",
            "aff_sub5",
            "source",
            "aff_click_id",
            "created_at",
            "expires_at",
        ]
        read_only_fields = fields
