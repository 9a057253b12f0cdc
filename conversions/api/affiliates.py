"""/api/v1/affiliates/: managers read and write every affiliate; an affiliate's user reads its own and sets its
affiliate-wide postback URL. It lives in the conversions app because that URL (an AffiliatePostback) is part of
the conversions domain, which sits above partners."""

from functools import partial

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from rest_framework import mixins
from rest_framework.exceptions import ValidationError

from conversions.postback_urls import affiliate_postback_set
from conversions.selectors import affiliates_with_postback_url
from core.api import ManagerWrites, ScopedViewSet, service_errors
from core.roles import Role, role_of
from partners.api.serializers import AffiliateSerializer
from partners.filters import AffiliateFilter
from partners.selectors import affiliate_list
from partners.services import affiliate_create, affiliate_update

WRITABLE = (mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin)


class ManagersOrTheAffiliateItself(ManagerWrites):
    """Managers write; an affiliate may also change its own affiliate (its postback URL: see the serializer)."""

    def has_permission(self, request, view):
        if request.method in ("PUT", "PATCH") and role_of(request.user) == Role.AFFILIATE:
            return True
        return super().has_permission(request, view)


class AffiliateViewSet(*WRITABLE, ScopedViewSet):
    """Managers: every affiliate, and they create and change them. An affiliate's user: its own affiliate, whose
    affiliate-wide postback URL it sets."""

    selector = affiliate_list
    serializer_class = AffiliateSerializer
    filterset_class = AffiliateFilter
    permission_classes = [ManagersOrTheAffiliateItself]

    def get_queryset(self):
        return affiliates_with_postback_url(super().get_queryset())

    def perform_create(self, serializer):
        self._save(serializer, affiliate_create)

    def perform_update(self, serializer):
        self._save(serializer, partial(affiliate_update, affiliate=serializer.instance))

    def _save(self, serializer, save):
        fields = dict(serializer.validated_data)
        url = fields.pop("postback_url", None)
        with service_errors(), transaction.atomic():
            affiliate = save(**fields) if fields or serializer.instance is None else serializer.instance
            if url is not None:
                try:
                    affiliate_postback_set(affiliate=affiliate, url=url)
                except DjangoValidationError as exc:
                    raise ValidationError({"postback_url": exc.messages}) from exc
        serializer.instance = self.get_queryset().get(pk=affiliate.pk)
