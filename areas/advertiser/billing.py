"""The advertiser area's invoices (README.md, Billing): what the network billed it, when each is due, as PDF.
Another advertiser's invoice is 404 (billing.selectors.invoice_for scopes it)."""

from django.views import View

from areas.advertiser.views import AdvertiserAreaMixin
from billing import documents, selectors
from billing.filters import InvoiceFilterSet
from billing.models import Invoice
from core.filters import DroppedFiltersMixin
from core.listing import FilteredListView


class AdvertiserInvoiceFilter(DroppedFiltersMixin, InvoiceFilterSet):
    dropped = ("party", "affiliate", "advertiser")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A partner sees its issued and paid invoices only (billing.selectors.invoice_list).
        self.filters["status"].extra["choices"] = [(Invoice.Status.ISSUED, "Issued"), (Invoice.Status.PAID, "Paid")]


class InvoiceListView(AdvertiserAreaMixin, FilteredListView):
    template_name = "advertiser/billing/invoice_list.html"
    selector = staticmethod(selectors.invoice_list)
    filterset_class = AdvertiserInvoiceFilter


class InvoicePdfView(AdvertiserAreaMixin, View):
    def get(self, request, pk):
        invoice = selectors.invoice_for(user=request.user, pk=pk)
        return documents.invoice_attachment(invoice, "pdf", name=f"invoice-{invoice.number}")
