"""/api/v1/offers/, goals/ and offer-access/: read within one's scope; managers write; affiliates ask for access."""

from django.db import transaction
from rest_framework import mixins, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from core.api import ManagerWrites, ScopedViewSet, service_errors
from core.roles import Role, role_of
from offers.api.serializers import GoalSerializer, OfferAccessSerializer, OfferSerializer
from offers.filters import GoalFilter, OfferAccessFilter, OfferFilter
from offers.models import OfferAccess
from offers.selectors import goal_list, offer_access_list, offer_list_with_payout
from offers.services import (
    goal_create,
    goal_update,
    offer_access_request,
    offer_access_set,
    offer_create,
    offer_tags_set,
    offer_update,
)

WRITABLE = (mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin)


class OfferViewSet(*WRITABLE, ScopedViewSet):
    """Managers: every offer. Advertisers: their own. Affiliates: offers they may run or may ask to run."""

    selector = offer_list_with_payout  # an affiliate's `payout` is what it earns: its override, or the offer's
    serializer_class = OfferSerializer
    filterset_class = OfferFilter

    def get_queryset(self):
        return super().get_queryset().prefetch_related("tags")

    def perform_create(self, serializer):
        fields = dict(serializer.validated_data)
        tags = fields.pop("tags", None)
        with service_errors(), transaction.atomic():
            serializer.instance = offer_create(**fields)
            if tags is not None:
                offer_tags_set(offer=serializer.instance, names=[tag.name for tag in tags])

    def perform_update(self, serializer):
        fields = dict(serializer.validated_data)
        tags = fields.pop("tags", None)
        with service_errors(), transaction.atomic():
            serializer.instance = offer_update(offer=serializer.instance, **fields)
            if tags is not None:
                offer_tags_set(offer=serializer.instance, names=[tag.name for tag in tags])


class GoalViewSet(*WRITABLE, ScopedViewSet):
    """Goals of the offers one may see; managers create and change them."""

    selector = goal_list
    serializer_class = GoalSerializer
    filterset_class = GoalFilter

    def perform_create(self, serializer):
        with service_errors():
            serializer.instance = goal_create(**serializer.validated_data)

    def perform_update(self, serializer):
        fields = dict(serializer.validated_data)
        fields.pop("offer", None)
        with service_errors():
            serializer.instance = goal_update(goal=serializer.instance, **fields)


class ManagerWritesAffiliatesAsk(ManagerWrites):
    """Managers write; an affiliate may also POST (ask for access to an offer)."""

    def has_permission(self, request, view):
        if request.method == "POST" and request.user.is_authenticated and role_of(request.user) == Role.AFFILIATE:
            return True
        return super().has_permission(request, view)


class OfferAccessViewSet(*WRITABLE, ScopedViewSet):
    """Managers: every row; they approve, reject or block an affiliate on an offer, with an optional payout.
    Affiliates: their own rows, and they POST `{"offer": id}` to ask for an approval-required offer.
    Advertisers: rows on their offers (without payout overrides)."""

    selector = offer_access_list
    serializer_class = OfferAccessSerializer
    filterset_class = OfferAccessFilter
    permission_classes = [ManagerWritesAffiliatesAsk]

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        with service_errors():
            if self.role == Role.AFFILIATE:
                try:
                    access = offer_access_request(offer=data["offer"], affiliate=request.user.membership.affiliate)
                except ValueError as exc:
                    raise ValidationError({"offer": [str(exc)]}) from exc
            else:
                access = offer_access_set(
                    offer=data["offer"],
                    affiliate=data["affiliate"],
                    status=data.get("status", OfferAccess.Status.PENDING),
                    payout=data.get("payout"),
                )
        return Response(self.get_serializer(access).data, status=status.HTTP_201_CREATED)

    def perform_update(self, serializer):
        access, data = serializer.instance, serializer.validated_data
        with service_errors():
            serializer.instance = offer_access_set(
                offer=access.offer,
                affiliate=access.affiliate,
                status=data.get("status", access.status),
                payout=data.get("payout", access.payout),
            )
