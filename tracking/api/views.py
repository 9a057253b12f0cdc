"""/api/v1/clicks/: read-only; managers see every click, affiliates their own, advertisers those on their offers."""

from django.shortcuts import get_object_or_404
from rest_framework import mixins

from core.api import ScopedViewSet
from tracking.api.serializers import ClickSerializer
from tracking.filters import ClickFilter
from tracking.selectors import click_list
from tracking.transaction_ids import transaction_id_q


class ClickViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Clicks, newest first; one click is /clicks/<transaction_id>/."""

    selector = click_list
    serializer_class = ClickSerializer
    filterset_class = ClickFilter
    ordering = ("-created_at", "-id")
    lookup_field = "transaction_id"
    lookup_value_regex = "[0-9A-Za-z_-]{1,64}"

    def get_object(self):
        # By the ID's time too, so PostgreSQL reads one day's partition (docs/storage.md).
        click = get_object_or_404(
            self.filter_queryset(self.get_queryset()), transaction_id_q(self.kwargs["transaction_id"])
        )
        self.check_object_permissions(self.request, click)
        return click
