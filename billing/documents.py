"""An invoice as a document (README.md, Billing): a PDF rendered by WeasyPrint from templates/billing/invoice_pdf.html,
with the network's name, address and tax ID from settings (TALLY_NETWORK_NAME, _ADDRESS, _TAX_ID), and as CSV lines;
and the "to pay" list as a CSV for a bank's or PayPal's mass-payment upload.

    response = invoice_attachment(invoice, "pdf", name=f"invoice-{invoice.number}")   # a download
    pdf = invoice_pdf(invoice)                                                          # bytes
"""

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string

from billing.models import Invoice, Party
from billing.selectors import invoice_lines, invoices_to_pay
from reports.export import csv_attachment, csv_lines


def invoice_context(invoice: Invoice):
    """What the PDF template shows: the parties, the lines in print order and the total (fixed once issued)."""
    partner = invoice.partner
    billed = invoice.party == Party.ADVERTISER
    return {
        "invoice": invoice,
        "partner": partner,
        "lines": invoice_lines(invoice),
        "total": invoice.amount,
        "currency": invoice.currency,
        # An advertiser invoice bills the advertiser; an affiliate invoice is what the network owes the affiliate
        # (the self-billing statement the affiliate is paid against).
        "title": "Invoice" if billed else "Payout statement",
        "network": {
            "name": settings.TALLY_NETWORK_NAME,
            "address": settings.TALLY_NETWORK_ADDRESS,
            "tax_id": settings.TALLY_NETWORK_TAX_ID,
        },
        "billing_profile": getattr(partner, "billing_profile", None) if billed else None,
    }


def invoice_html(invoice: Invoice) -> str:
    return render_to_string("billing/invoice_pdf.html", invoice_context(invoice))


def invoice_attachment(invoice: Invoice, kind: str, *, name: str):
    """The invoice as a download: kind "pdf" or "csv", saved as `name` with its extension."""
    if kind == "pdf":
        response = HttpResponse(invoice_pdf(invoice), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
        return response
    return csv_attachment(invoice_csv(invoice), f"{name}.csv")


def invoice_pdf(invoice: Invoice) -> bytes:
    """The invoice as a PDF (A4). WeasyPrint is imported here, not at start, as it loads pango through cffi."""
    import weasyprint  # noqa: PLC0415 (a heavy C library; only loaded by the code that renders a PDF)

    # The stylesheet is a file, not a <style> block: no template carries inline styles (tests/security/test_headers.py).
    stylesheet = weasyprint.CSS(filename=str(settings.BASE_DIR / "static" / "css" / "invoice_pdf.css"))
    html = weasyprint.HTML(string=invoice_html(invoice), base_url=str(settings.BASE_DIR))
    return html.write_pdf(stylesheets=[stylesheet])


INVOICE_CSV_HEADER = (
    "Invoice",
    "Period start",
    "Period end",
    "Kind",
    "Description",
    "Offer ID",
    "Goal ID",
    "Count",
    "Amount",
    "Currency",
    "Reason",
)


def invoice_csv(invoice: Invoice):
    """CSV lines of the invoice: one per line of the invoice, then the total (reports.export.csv_lines: quoted,
    formula-safe)."""
    label = invoice.number or f"draft-{invoice.pk}"

    def rows():
        for line in invoice_lines(invoice):
            yield (
                label,
                invoice.period_start,
                invoice.period_end,
                line.kind,
                line.description or "",
                line.offer_id,
                line.goal_id,
                line.count,
                line.amount,
                invoice.currency,
                line.reason,
            )
        yield (
            label,
            invoice.period_start,
            invoice.period_end,
            "total",
            "Total",
            None,
            None,
            None,
            invoice.amount,
            invoice.currency,
            "",
        )

    return csv_lines(INVOICE_CSV_HEADER, rows())


TO_PAY_CSV_HEADER = ("Affiliate ID", "Affiliate", "Payment method", "Payment details", "Amount", "Currency", "Invoices")


def to_pay_csv(*, currency=None):
    """CSV lines of what is due, one per affiliate and currency: method, details (a PayPal address, an IBAN…),
    amount and the invoice numbers as the payment's reference."""
    rows = (
        (
            due.affiliate.pk,
            due.affiliate.name,
            due.method,
            due.details,
            due.amount_due,
            due.currency,
            " ".join(invoice.number for invoice in due.invoices),
        )
        for due in invoices_to_pay(currency=currency)
    )
    return csv_lines(TO_PAY_CSV_HEADER, rows)
