"""The portal's conversion review forms. They validate; conversions/services.py writes."""

from django import forms

from conversions.models import Conversion
from conversions.selectors import conversion_list


class ConversionStatusForm(forms.Form):
    """Approve, reject or return to pending; a rejection needs a reason (the affiliate will ask why)."""

    status = forms.ChoiceField(choices=Conversion.Status.choices)
    reason = forms.CharField(
        max_length=255,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "e.g. order cancelled, fraud check failed"}),
        help_text="Required when rejecting; kept in the conversion's history.",
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("status") == Conversion.Status.REJECTED and not cleaned.get("reason", "").strip():
            self.add_error("reason", "Give a reason for the rejection.")
        return cleaned


class ConversionBulkStatusForm(ConversionStatusForm):
    """The same for the conversions ticked in the list."""

    conversions = forms.ModelMultipleChoiceField(
        queryset=Conversion.objects.none(),
        error_messages={"required": "Tick at least one conversion."},
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["conversions"].queryset = conversion_list(user=user)
