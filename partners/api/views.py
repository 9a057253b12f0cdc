"""/api/v1/advertisers/: managers read and write all, an advertiser's user reads its own advertiser.

/api/v1/affiliates/ carries each affiliate's postback URL, so it is served by conversions.api.affiliates."""

from rest_framework import mixins

from core.api import ScopedViewSet, service_errors
from partners.api.serializers import AdvertiserSerializer
from partners.filters import AdvertiserFilter
from partners.selectors import advertiser_list
from partners.services import advertiser_create, advertiser_update

WRITABLE = (mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin)


class AdvertiserViewSet(*WRITABLE, ScopedViewSet):
    """Managers: every advertiser, and they create and change them. An advertiser's user: its own advertiser."""

    selector = advertiser_list
    serializer_class = AdvertiserSerializer
    filterset_class = AdvertiserFilter

    def perform_create(self, serializer):
        with service_errors():
            serializer.instance = advertiser_create(**serializer.validated_data)

    def perform_update(self, serializer):
        with service_errors():
            serializer.instance = advertiser_update(advertiser=serializer.instance, **serializer.validated_data)
