"""The manager's billing forms: an adjustment line, a payment, "mark paid", and the partners' billing profiles. They
validate the shape of the input; billing/services.py decides what the books allow (and says why not)."""

from decimal import Decimal

from django import forms
from django.conf import settings

from billing.models import AdvertiserBillingProfile, AffiliateBillingProfile, Frequency, PaymentMethod
from core.periods import network_today

MONEY = {"max_digits": 12, "decimal_places": 2}
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class AdjustmentForm(forms.Form):
    """A line a manager adds to a draft: a bonus (positive) or a deduction (negative), with the reason the affiliate
    reads on its invoice."""

    amount = forms.DecimalField(
        **MONEY, help_text="Negative to deduct (e.g. -25.00 for a chargeback), positive for a bonus."
    )
    reason = forms.CharField(max_length=500, help_text="Printed on the invoice.")

    def clean_amount(self):
        amount = self.cleaned_data["amount"]
        if amount == 0:
            raise forms.ValidationError("An adjustment of zero changes nothing.", code="amount_invalid")
        return amount


class InvoiceChoiceField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, invoice):
        period = f"{invoice.period_start:%Y-%m-%d} – {invoice.period_end:%Y-%m-%d}"
        return f"{invoice.number} · {period} · {invoice.balance_due} {invoice.currency} due"


class PaymentForm(forms.Form):
    """A payment sent to one affiliate in one currency, and the issued invoices it pays (oldest first)."""

    amount = forms.DecimalField(**MONEY, min_value=Decimal("0.01"))
    paid_on = forms.DateField(label="Paid on", widget=DATE)
    method = forms.ChoiceField(choices=PaymentMethod.choices)
    reference = forms.CharField(
        max_length=200, required=False, help_text="The bank's or PayPal's transaction reference."
    )
    invoices = InvoiceChoiceField(queryset=None, help_text="The issued invoices this payment pays.")

    def __init__(self, *args, invoices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["invoices"].queryset = invoices
        self.fields["paid_on"].initial = network_today()

    def clean_paid_on(self):
        paid_on = self.cleaned_data["paid_on"]
        if paid_on > network_today():
            raise forms.ValidationError("A payment cannot be recorded in the future.", code="date_invalid")
        return paid_on


class MarkPaidForm(forms.Form):
    """An advertiser's invoice received in full."""

    paid_on = forms.DateField(label="Paid on", widget=DATE, required=False)
    reference = forms.CharField(max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["paid_on"].initial = network_today()

    def clean_paid_on(self):
        paid_on = self.cleaned_data["paid_on"] or network_today()
        if paid_on > network_today():
            raise forms.ValidationError("A payment cannot be recorded in the future.", code="date_invalid")
        return paid_on


def network_default_choice(form):
    """The blank frequency reads as what it means: the network's default."""
    default = settings.TALLY_BILLING_DEFAULT_FREQUENCY
    form.fields["frequency"].choices = [("", f"Network default ({default})"), *Frequency.choices]


class AffiliateBillingProfileForm(forms.ModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        network_default_choice(self)
        self.fields["minimum_payout"].widget.attrs["placeholder"] = f"{settings.TALLY_BILLING_MINIMUM_PAYOUT}"

    class Meta:
        model = AffiliateBillingProfile
        fields = ["frequency", "payment_method", "payment_details", "minimum_payout"]
        widgets = {"payment_details": forms.Textarea(attrs={"rows": 4})}
        help_texts = {
            "payment_details": "PayPal email, IBAN and BIC, postal address for checks…",
            "minimum_payout": "No invoice is drafted below it; empty: the network's default.",
        }

    def clean_minimum_payout(self):
        value = self.cleaned_data["minimum_payout"]
        if value is not None and value < 0:
            raise forms.ValidationError("A minimum payout cannot be negative.", code="amount_invalid")
        return value


class AdvertiserBillingProfileForm(forms.ModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        network_default_choice(self)

    class Meta:
        model = AdvertiserBillingProfile
        fields = ["frequency", "terms_days", "billing_contact_name", "billing_email"]
        labels = {"terms_days": "Payment terms (net days)"}
        help_texts = {"billing_email": "Issued invoices are emailed here (else to the advertiser's users)."}
