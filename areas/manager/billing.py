"""Manager portal: Billing (README.md, Billing). Drafts to review (adjust, issue, void), what is due to affiliates and
the CSV for a mass payment, payments recorded against issued invoices, advertisers' overdue invoices, and each
partner's billing profile.

Every write is one billing service; a refusal (BillingError: a void invoice, an overpayment, a draft someone else
issued a moment ago) comes back as a message on the page, never a 500, and what the manager typed is kept.
"""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views import View
from django.views.decorators.http import require_GET, require_POST
from django.views.generic import TemplateView

from areas.manager.audit import history_context
from areas.manager.billing_forms import (
    AdjustmentForm,
    AdvertiserBillingProfileForm,
    AffiliateBillingProfileForm,
    MarkPaidForm,
    PaymentForm,
)
from billing import documents, selectors, services
from billing.filters import InvoiceFilterSet, PaymentFilterSet
from billing.models import Invoice, PaymentMethod
from core.filters import DroppedFiltersMixin
from core.listing import FilteredListView
from core.periods import network_today
from core.permissions import ManagerRequiredMixin, manager_required
from partners.selectors import advertiser_list, affiliate_list
from reports.export import csv_attachment


def refusal(request, error):
    """A billing service's refusal as a message: what went wrong, in words, and its code (for the docs and support)."""
    messages.error(request, f"{error.message} ({error.code})")


def invoice_download(invoice, kind):
    """The invoice as a PDF or a CSV attachment, named by its number (a draft by its ID)."""
    return documents.invoice_attachment(invoice, kind, name=f"tally-invoice-{invoice.number or f'draft-{invoice.pk}'}")


class BillingTabMixin:
    """The billing pages share a row of tabs; `tab` says which one is open."""

    tab = ""

    def get_context_data(self, **kwargs):
        return super().get_context_data(tab=self.tab, **kwargs)


class DraftFilter(DroppedFiltersMixin, InvoiceFilterSet):
    """Drafts are one status: the shared invoice filter without it."""

    dropped = ("status",)


# --- Invoices -------------------------------------------------------------------------------------------------


class InvoiceListView(ManagerRequiredMixin, BillingTabMixin, FilteredListView):
    """Every invoice, affiliate and advertiser, with the shared filters (party, status, partner, currency, period)."""

    template_name = "manager/billing/invoice_list.html"
    selector = staticmethod(selectors.invoice_list)
    filterset_class = InvoiceFilterSet
    tab = "invoices"
    heading = "Invoices"
    intro = "Every invoice, to affiliates and to advertisers."

    def get_queryset(self):
        return super().get_queryset().select_related("affiliate", "advertiser")

    def get_context_data(self, **kwargs):
        return super().get_context_data(heading=self.heading, intro=self.intro, **kwargs)


class DraftListView(InvoiceListView):
    """The billing start page: the invoices the beat job drafted (to affiliates and to advertisers), waiting for a
    manager to check and issue."""

    filterset_class = DraftFilter
    tab = "drafts"
    heading = "Drafts to review"
    intro = "Drafted per partner and currency for each closed period. Check the lines, adjust, then issue or void."

    def get_queryset(self):
        return super().get_queryset().filter(status=Invoice.Status.DRAFT)


def _invoice(request, pk):
    return selectors.invoice_for(user=request.user, pk=pk)


class InvoiceDetailView(ManagerRequiredMixin, View):
    def get(self, request, pk):
        return self.render(_invoice(request, pk))

    def render(self, invoice, adjustment_form=None, mark_paid_form=None, status=200):
        context = {
            "invoice": invoice,
            "lines": selectors.invoice_lines(invoice),
            "allocations": invoice.allocations.select_related("payment", "payment__recorded_by").order_by("id"),
            "adjustment_form": adjustment_form or AdjustmentForm(),
            "mark_paid_form": mark_paid_form or MarkPaidForm(),
            "tab": "drafts" if invoice.status == Invoice.Status.DRAFT else "invoices",
            **history_context(self.request, invoice),
        }
        return render(self.request, "manager/billing/invoice_detail.html", context, status=status)


@require_POST
@manager_required
def invoice_adjustment_add(request, pk):
    invoice = _invoice(request, pk)
    form = AdjustmentForm(request.POST)
    if not form.is_valid():
        return InvoiceDetailView(request=request).render(invoice, adjustment_form=form, status=400)
    try:
        services.invoice_adjustment_add(invoice=invoice, actor=request.user, **form.cleaned_data)
    except services.BillingError as error:
        refusal(request, error)
        return InvoiceDetailView(request=request).render(invoice, adjustment_form=form, status=400)
    messages.success(request, f"Adjustment of {form.cleaned_data['amount']} {invoice.currency} added.")
    return redirect("manager:invoice_detail", pk=invoice.pk)


@require_POST
@manager_required
def invoice_issue(request, pk):
    invoice = _invoice(request, pk)
    try:
        invoice = services.invoice_issue(invoice=invoice, actor=request.user)
    except services.BillingError as error:
        refusal(request, error)
    else:
        messages.success(request, f"Invoice {invoice.number} issued: {invoice.total} {invoice.currency}.")
    return redirect("manager:invoice_detail", pk=invoice.pk)


@require_POST
@manager_required
def invoice_void(request, pk):
    invoice = _invoice(request, pk)
    try:
        invoice = services.invoice_void(invoice=invoice, actor=request.user)
    except services.BillingError as error:
        refusal(request, error)
    else:
        messages.warning(request, f"Invoice #{invoice.pk} voided: its conversions go on the next draft.")
    return redirect("manager:invoice_detail", pk=invoice.pk)


@require_POST
@manager_required
def invoice_mark_paid(request, pk):
    """An advertiser's invoice received in full (from the invoice's page or the overdue list)."""
    invoice = _invoice(request, pk)
    form = MarkPaidForm(request.POST)
    if not form.is_valid():
        return InvoiceDetailView(request=request).render(invoice, mark_paid_form=form, status=400)
    try:
        invoice = services.invoice_mark_paid(invoice=invoice, actor=request.user, **form.cleaned_data)
    except services.BillingError as error:
        refusal(request, error)
    else:
        messages.success(request, f"Invoice {invoice.number} marked paid.")
    if request.POST.get("next") == reverse("manager:billing_overdue"):  # marked paid from the overdue list
        return redirect("manager:billing_overdue")
    return redirect("manager:invoice_detail", pk=invoice.pk)


@manager_required
@require_GET
def invoice_pdf(request, pk):
    return invoice_download(_invoice(request, pk), "pdf")


@manager_required
@require_GET
def invoice_csv(request, pk):
    return invoice_download(_invoice(request, pk), "csv")


# --- Paying affiliates ----------------------------------------------------------------------------------------


class ToPayView(ManagerRequiredMixin, BillingTabMixin, TemplateView):
    """What is due to each affiliate in each currency (issued, unpaid), how it wants to be paid, and a payment form
    per row."""

    template_name = "manager/billing/to_pay.html"
    tab = "to_pay"

    def get_context_data(self, **kwargs):
        rows = selectors.invoices_to_pay()
        labels = dict(PaymentMethod.choices)
        for row in rows:
            row.method_label = labels.get(row.method, row.method)
        return super().get_context_data(rows=rows, **kwargs)


@manager_required
@require_GET
def to_pay_csv(request):
    """The to-pay list as the bank's or PayPal's mass-payment upload."""
    return csv_attachment(documents.to_pay_csv(), f"tally-to-pay-{network_today():%Y-%m-%d}.csv")


class PaymentCreateView(ManagerRequiredMixin, View):
    """Record a payment to one affiliate in one currency (?affiliate=&currency=, as linked from the to-pay list)."""

    def setup_payee(self, request):
        data = request.POST if request.method == "POST" else request.GET
        self.affiliate = get_object_or_404(affiliate_list(user=request.user), pk=_int(data.get("affiliate")))
        self.currency = (data.get("currency") or "").upper()[:3]
        self.open_invoices = (
            selectors.invoice_list(user=request.user)
            .filter(
                party=Invoice.Party.AFFILIATE,
                affiliate=self.affiliate,
                currency=self.currency,
                status=Invoice.Status.ISSUED,
            )
            .order_by("issued_at", "id")
        )

    def get(self, request):
        self.setup_payee(request)
        invoices = list(self.open_invoices)
        profile = selectors.affiliate_billing_profile(affiliate=self.affiliate)
        initial = {
            "amount": sum((invoice.balance_due for invoice in invoices), start=0) or None,
            "invoices": [invoice.pk for invoice in invoices],
            "method": profile.payment_method or None,
        }
        return self.render(PaymentForm(initial=initial, invoices=self.open_invoices), profile)

    def post(self, request):
        self.setup_payee(request)
        form = PaymentForm(request.POST, invoices=self.open_invoices)
        profile = selectors.affiliate_billing_profile(affiliate=self.affiliate)
        if not form.is_valid():
            return self.render(form, profile, status=400)
        data = form.cleaned_data
        try:
            payment = services.payment_record(
                party=Invoice.Party.AFFILIATE,
                partner=self.affiliate,
                currency=self.currency,
                amount=data["amount"],
                paid_on=data["paid_on"],
                method=data["method"],
                reference=data["reference"],
                invoices=list(data["invoices"]),
                actor=request.user,
            )
        except services.BillingError as error:
            refusal(request, error)
            return self.render(form, profile, status=400)
        messages.success(request, f"Payment of {payment.amount} {payment.currency} to {self.affiliate.name} recorded.")
        return redirect("manager:payment_list")

    def render(self, form, profile, status=200):
        context = {
            "form": form,
            "affiliate": self.affiliate,
            "currency": self.currency,
            "profile": profile,
            "has_invoices": self.open_invoices.exists(),
            "tab": "to_pay",
        }
        return render(self.request, "manager/billing/payment_form.html", context, status=status)


def _int(value):
    return int(value) if value and str(value).isdigit() else None


class PaymentListView(ManagerRequiredMixin, BillingTabMixin, FilteredListView):
    template_name = "manager/billing/payment_list.html"
    selector = staticmethod(selectors.payment_list)
    filterset_class = PaymentFilterSet
    tab = "payments"

    def get_queryset(self):
        return super().get_queryset().select_related("affiliate", "advertiser", "recorded_by")


# --- Advertisers ----------------------------------------------------------------------------------------------


class OverdueView(ManagerRequiredMixin, BillingTabMixin, TemplateView):
    """Advertiser invoices issued and unpaid past their due date, oldest due first, each with "mark paid"."""

    template_name = "manager/billing/overdue.html"
    tab = "overdue"

    def get_context_data(self, **kwargs):
        invoices = selectors.overdue_invoices(user=self.request.user)
        return super().get_context_data(invoices=invoices, today=network_today(), **kwargs)


# --- Billing profiles -----------------------------------------------------------------------------------------


class BillingProfileView(ManagerRequiredMixin, View):
    """How one affiliate is paid, or how one advertiser is billed."""

    kind = ""
    selector = None
    profile = None
    form_class = None
    update = None

    def get_partner(self):
        return get_object_or_404(type(self).selector(user=self.request.user), pk=self.kwargs["pk"])

    def profile_for(self, partner):
        return type(self).profile(**{self.kind: partner})

    def get(self, request, pk):
        partner = self.get_partner()
        return self.render(partner, self.form_class(instance=self.profile_for(partner)))

    def post(self, request, pk):
        partner = self.get_partner()
        form = self.form_class(request.POST, instance=self.profile_for(partner))
        if not form.is_valid():
            return self.render(partner, form, status=400)
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            type(self).update(**{self.kind: partner}, actor=request.user, **fields)
        except services.BillingError as error:
            refusal(request, error)
            return self.render(partner, form, status=400)
        messages.success(request, f"Billing profile of “{partner.name}” saved.")
        return redirect(f"manager:{self.kind}_detail", pk=partner.pk)

    def render(self, partner, form, status=200):
        context = {"partner": partner, "form": form, "kind": self.kind}
        return render(self.request, "manager/billing/profile_form.html", context, status=status)


class AffiliateBillingProfileView(BillingProfileView):
    kind = "affiliate"
    selector = staticmethod(affiliate_list)
    profile = staticmethod(selectors.affiliate_billing_profile)
    form_class = AffiliateBillingProfileForm
    update = staticmethod(services.affiliate_billing_profile_update)


class AdvertiserBillingProfileView(BillingProfileView):
    kind = "advertiser"
    selector = staticmethod(advertiser_list)
    profile = staticmethod(selectors.advertiser_billing_profile)
    form_class = AdvertiserBillingProfileForm
    update = staticmethod(services.advertiser_billing_profile_update)
