"""Clicks (sessions) as the API shows them (SPEC §9): no IP address or user agent, only what links carried."""

from rest_framework import serializers

from tracking.models import Click


class ClickSerializer(serializers.ModelSerializer):
    """One click through a tracking link, known by its `transaction_id`."""

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
