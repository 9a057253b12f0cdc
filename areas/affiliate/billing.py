"""The affiliate area's billing pages (README.md, Billing): its invoices (issued and paid: drafts and voided ones are
the network's business), each as PDF and CSV, what it is owed per currency, and how it wants to be paid.

Another affiliate's invoice is 404 (billing.selectors.invoice_for scopes it), like every object outside one's scope.
"""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views import View
from django.views.generic import TemplateView

from areas.affiliate.billing_forms import PaymentMethodForm
from areas.affiliate.views import AffiliateAreaMixin
from billing import documents, selectors, services
from billing.filters import InvoiceFilterSet
from billing.models import Invoice
from core.filters import DroppedFiltersMixin
from core.listing import FilteredListView


class AffiliateInvoiceFilter(DroppedFiltersMixin, InvoiceFilterSet):
    """The managers' invoice filter without what names other partners."""

    dropped = ("party", "affiliate", "advertiser")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A partner sees its issued and paid invoices only (billing.selectors.invoice_list).
        self.filters["status"].extra["choices"] = [(Invoice.Status.ISSUED, "Issued"), (Invoice.Status.PAID, "Paid")]


class InvoiceListView(AffiliateAreaMixin, FilteredListView):
    template_name = "affiliate/billing/invoice_list.html"
    selector = staticmethod(selectors.invoice_list)
    filterset_class = AffiliateInvoiceFilter

    def get_context_data(self, **kwargs):
        profile = selectors.affiliate_billing_profile(affiliate=self.affiliate)
        return super().get_context_data(
            balances=selectors.balances(affiliate=self.affiliate), profile=profile, **kwargs
        )


class InvoiceDetailView(AffiliateAreaMixin, TemplateView):
    template_name = "affiliate/billing/invoice_detail.html"

    def get_context_data(self, **kwargs):
        invoice = selectors.invoice_for(user=self.request.user, pk=self.kwargs["pk"])
        return super().get_context_data(
            invoice=invoice,
            lines=selectors.invoice_lines(invoice),
            allocations=invoice.allocations.select_related("payment").order_by("id"),
            **kwargs,
        )


class InvoiceDownloadView(AffiliateAreaMixin, View):
    """One of its invoices as PDF (kind="pdf") or CSV."""

    kind = "pdf"

    def get(self, request, pk):
        invoice = selectors.invoice_for(user=request.user, pk=pk)
        return documents.invoice_attachment(invoice, self.kind, name=f"invoice-{invoice.number}")


class PaymentMethodView(AffiliateAreaMixin, View):
    """The affiliate edits how it is paid; only it and the managers see the details."""

    def profile(self):
        return selectors.affiliate_billing_profile(affiliate=self.affiliate)

    def get(self, request):
        return self.render(PaymentMethodForm(instance=self.profile()))

    def post(self, request):
        form = PaymentMethodForm(request.POST, instance=self.profile())
        if not form.is_valid():
            return self.render(form, status=400)
        try:
            services.affiliate_billing_profile_update(
                affiliate=self.affiliate,
                actor=request.user,
                payment_method=form.cleaned_data["payment_method"],
                payment_details=form.cleaned_data["payment_details"],
            )
        except services.BillingError as error:
            messages.error(request, f"{error.message} ({error.code})")
            return self.render(form, status=400)
        messages.success(request, "Payment method saved.")
        return redirect("affiliate:invoice_list")

    def render(self, form, status=200):
        context = {"form": form, "affiliate": self.affiliate}
        return render(self.request, "affiliate/billing/payment_method.html", context, status=status)
