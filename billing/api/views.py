"""/api/v1/invoices/, /api/v1/payments/ and /api/v1/billing-profiles/ (README.md, Billing): role-scoped through the
billing selectors (another partner's invoice is 404), writes by managers through billing.services."""

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, status
from rest_framework.decorators import action
from rest_framework.response import Response

from billing.api.serializers import (
    AdjustmentSerializer,
    AdvertiserBillingProfileSerializer,
    AffiliateBillingProfileSerializer,
    InvoiceSerializer,
    MarkPaidSerializer,
    PaymentSerializer,
)
from billing.filters import InvoiceFilterSet, PaymentFilterSet
from billing.models import InvoiceLine, PaymentAllocation
from billing.selectors import (
    advertiser_billing_profile_list,
    affiliate_billing_profile_list,
    invoice_list,
    payment_list,
)
from billing.services import (
    advertiser_billing_profile_update,
    affiliate_billing_profile_update,
    invoice_adjustment_add,
    invoice_issue,
    invoice_mark_paid,
    invoice_void,
    payment_record,
)
from core.api import ScopedViewSet, service_errors
from core.roles import Role, role_of


class InvoiceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Managers: every invoice, and they issue, void, adjust drafts and mark advertiser invoices paid. An
    affiliate's or advertiser's users: their own issued and paid invoices."""

    selector = invoice_list
    serializer_class = InvoiceSerializer
    filterset_class = InvoiceFilterSet
    ordering = ("-period_end", "-id")

    def get_queryset(self):
        return super().get_queryset().prefetch_related(Prefetch("lines", InvoiceLine.objects.order_by("kind", "id")))

    def _act(self, service, **kwargs):
        invoice = self.get_object()
        with service_errors():
            service(invoice=invoice, actor=self.request.user, **kwargs)
        return Response(InvoiceSerializer(self.get_queryset().get(pk=invoice.pk)).data)

    @extend_schema(request=None, responses=InvoiceSerializer)
    @action(detail=True, methods=["post"])
    def issue(self, request, pk=None, **kwargs):
        """Issue a draft: its total and number are fixed, the partner is emailed the PDF."""
        return self._act(invoice_issue)

    @extend_schema(request=None, responses=InvoiceSerializer)
    @action(detail=True, methods=["post"])
    def void(self, request, pk=None, **kwargs):
        """Void a draft or an unpaid issued invoice; its conversions go to the next draft."""
        return self._act(invoice_void)

    @extend_schema(request=AdjustmentSerializer, responses=InvoiceSerializer)
    @action(detail=True, methods=["post"])
    def adjustments(self, request, pk=None, **kwargs):
        """Add an adjustment line (signed amount, reason) to a draft."""
        serializer = AdjustmentSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._act(invoice_adjustment_add, **serializer.validated_data)

    @extend_schema(request=MarkPaidSerializer, responses=InvoiceSerializer)
    @action(detail=True, methods=["post"], url_path="mark-paid")
    def mark_paid(self, request, pk=None, **kwargs):
        """Mark an issued advertiser invoice paid (a payment of what it still owes)."""
        serializer = MarkPaidSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._act(invoice_mark_paid, **serializer.validated_data)


class PaymentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, ScopedViewSet):
    """Managers: every payment, and they record one. A partner's users: their own payments."""

    selector = payment_list
    serializer_class = PaymentSerializer
    filterset_class = PaymentFilterSet
    ordering = ("-paid_on", "-id")

    def get_queryset(self):
        return (
            super().get_queryset().prefetch_related(Prefetch("allocations", PaymentAllocation.objects.order_by("id")))
        )

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        with service_errors():
            payment = payment_record(
                party=data["party"],
                partner=data["partner"],
                currency=data["currency"],
                amount=data["amount"],
                paid_on=data["paid_on"],
                method=data["method"],
                reference=data.get("reference", ""),
                invoices=data["invoices"],
                actor=request.user,
            )
        return Response(PaymentSerializer(payment).data, status=status.HTTP_201_CREATED)


class OwnProfileWrites(permissions.BasePermission):
    """Signed-in users read their scope; managers and the affiliate's own users change a profile."""

    def has_permission(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return False
        return request.method in permissions.SAFE_METHODS or role_of(request.user) in (Role.MANAGER, Role.AFFILIATE)


class AffiliateBillingProfileViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.UpdateModelMixin, ScopedViewSet
):
    """Affiliates' billing profiles (payment method and details): managers see and change all; an affiliate's
    users see and change their own (method and details only); advertisers see none."""

    selector = affiliate_billing_profile_list
    serializer_class = AffiliateBillingProfileSerializer
    permission_classes = [OwnProfileWrites]
    http_method_names = ["get", "patch", "head", "options"]

    def perform_update(self, serializer):
        fields = dict(serializer.validated_data)
        with service_errors():
            serializer.instance = affiliate_billing_profile_update(
                affiliate=serializer.instance.affiliate, actor=self.request.user, **fields
            )


class AdvertiserBillingProfileViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.UpdateModelMixin, ScopedViewSet
):
    """Advertisers' billing terms: managers see and change all; an advertiser's users read their own."""

    selector = advertiser_billing_profile_list
    serializer_class = AdvertiserBillingProfileSerializer
    http_method_names = ["get", "patch", "head", "options"]

    def perform_update(self, serializer):
        with service_errors():
            serializer.instance = advertiser_billing_profile_update(
                advertiser=serializer.instance.advertiser, actor=self.request.user, **serializer.validated_data
            )
