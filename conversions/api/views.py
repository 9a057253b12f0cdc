"""/api/v1/conversions/ (managers PATCH the status) and /api/v1/postback-log/ (read-only)."""

from rest_framework import mixins

from conversions.api.serializers import ConversionSerializer, PostbackLogSerializer
from conversions.filters import ConversionFilter, PostbackLogFilter
from conversions.selectors import conversion_list, postback_log_list
from conversions.services import conversion_set_status
from core.api import ScopedViewSet


class ConversionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.UpdateModelMixin, ScopedViewSet):
    """Managers: every conversion, and they change its status. Affiliates: their own. Advertisers: those on
    their offers."""

    selector = conversion_list
    serializer_class = ConversionSerializer
    filterset_class = ConversionFilter
    ordering = ("-created_at", "-id")
    http_method_names = ["get", "patch", "head", "options"]

    def get_queryset(self):
        return super().get_queryset().prefetch_related("flags")

    def perform_update(self, serializer):
        data = serializer.validated_data
        if "status" in data:
            serializer.instance = conversion_set_status(
                conversion=serializer.instance,
                status=data["status"],
                reason=data.get("reason", ""),
                user=self.request.user,
            )


class PostbackLogViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Managers: every postback request. Advertisers: requests that converted on their offers."""

    selector = postback_log_list
    serializer_class = PostbackLogSerializer
    filterset_class = PostbackLogFilter
    ordering = ("-received_at", "-id")
