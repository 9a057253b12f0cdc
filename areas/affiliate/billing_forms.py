"""The affiliate's own payment method form. It validates; billing/services.py writes."""

from django import forms

from billing.models import AffiliateBillingProfile


class PaymentMethodForm(forms.ModelForm):
    """How the affiliate wants to be paid. Frequency and minimum payout are the network's call (managers set them)."""

    class Meta:
        model = AffiliateBillingProfile
        fields = ["payment_method", "payment_details"]
        widgets = {"payment_details": forms.Textarea(attrs={"rows": 4})}
        help_texts = {
            "payment_details": "Your PayPal email; or account holder, IBAN and BIC; or the postal address for checks. "
            "Only you and the network's managers see it."
        }
