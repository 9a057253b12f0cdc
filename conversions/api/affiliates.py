"""/api/v1/affiliates/: managers read and write every affiliate; an affiliate's user reads its own and sets its
affiliate-wide postback URL. It lives in the conversions app because that URL (an AffiliatePostback) is part of
the conversions domain, which sits above partners."""

from functools import partial

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from conversions.postback_urls import affiliate_postback_set
from conversions.selectors import affiliates_with_postback_url
from core.api import ManagerWrites, ScopedViewSet, service_errors
from core.roles import Role, role_of
from partners.api.serializers import AffiliateSerializer
from partners.filters import AffiliateFilter
from partners.selectors import affiliate_list
from partners.services import affiliate_create, affiliate_rotate_postback_secret, affiliate_update

WRITABLE = (mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin)


class ManagersOrTheAffiliateItself(ManagerWrites):
    """Managers write; an affiliate may also change its own affiliate (its postback URL: see the serializer) and
    rotate its own postback secret."""

    def has_permission(self, request, view):
        affiliate_writes = ("PUT", "PATCH") if getattr(view, "action", None) != "rotate_postback_secret" else ("POST",)
        if request.method in affiliate_writes and role_of(request.user) == Role.AFFILIATE:
            return True
        return super().has_permission(request, view)


class PostbackSecretSerializer(serializers.Serializer):
    """The secrets that sign the affiliate's postbacks (X-Tally-Signature) after a rotation."""

    postback_secret = serializers.CharField(help_text="Signs every postback from now on (its literal UTF-8 text).")
    postback_secret_previous = serializers.CharField(
        help_text="The secret before this rotation: it signs each postback too (a second v1=) until "
        "`previous_signs_until`."
    )
    previous_signs_until = serializers.DateTimeField()


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

    @extend_schema(request=None, responses=PostbackSecretSerializer)
    @action(detail=True, methods=["post"], url_path="rotate-postback-secret")
    def rotate_postback_secret(self, request, *args, **kwargs):
        """A new postback secret (README: Affiliate postbacks); the previous one signs beside it for a grace period."""
        affiliate = affiliate_rotate_postback_secret(affiliate=self.get_object())
        data = {
            "postback_secret": affiliate.postback_secret,
            "postback_secret_previous": affiliate.postback_secret_previous,
            "previous_signs_until": affiliate.postback_grace_ends_at(),
        }
        return Response(PostbackSecretSerializer(data).data)

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
