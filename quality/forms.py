"""Form fields and forms of traffic quality (README, Traffic quality): offer targeting and blocklist entries."""

import re

from django import forms
from django.core.exceptions import ValidationError

from offers.targeting import COUNTRY_CODES, Device, OperatingSystem
from partners.models import Affiliate
from quality.models import BlockEntry, normalize_block_value


class CountryListField(forms.CharField):
    """ISO 3166-1 alpha-2 codes typed as "US, GB de" (commas or spaces, any case): a sorted list of distinct
    upper-case codes, or a clear error naming the unknown ones."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 1500)
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off"}))
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return ", ".join(value)
        return value

    def to_python(self, value):
        text = super().to_python(value) or ""
        codes = [code.upper() for code in re.split(r"[\s,;]+", text) if code]
        unknown = sorted({code for code in codes if code not in COUNTRY_CODES})
        if unknown:
            raise ValidationError(
                "Unknown country code: %(codes)s. Use ISO 3166-1 alpha-2 codes, e.g. US, GB, DE.",
                code="unknown_country",
                params={"codes": ", ".join(unknown[:10])},
            )
        return sorted(set(codes))

    def validate(self, value):
        if self.required and not value:
            raise ValidationError(self.error_messages["required"], code="required")


def device_field(**kwargs):
    return forms.TypedMultipleChoiceField(
        choices=Device.choices, required=False, widget=forms.CheckboxSelectMultiple, **kwargs
    )


def os_field(**kwargs):
    return forms.TypedMultipleChoiceField(
        choices=OperatingSystem.choices, required=False, widget=forms.CheckboxSelectMultiple, **kwargs
    )


def clean_targeting(form):
    """The offer form's cross-field rule: a country may not be both allowed and blocked (a clear error, not a
    silent winner)."""
    data = form.cleaned_data
    both = sorted(set(data.get("allowed_countries") or ()) & set(data.get("blocked_countries") or ()))
    if both:
        form.add_error("blocked_countries", f"Both allowed and blocked: {', '.join(both)}. Keep each in one list.")


class BlockEntryForm(forms.Form):
    """One new blocklist entry: its kind, and the value (or the affiliate, for kind=affiliate)."""

    kind = forms.ChoiceField(choices=BlockEntry.Kind.choices)
    value = forms.CharField(
        required=False,
        max_length=200,
        help_text="An IP (IPv4 or IPv6), a network such as 203.0.113.0/24 or 2001:db8::/32, or an aff_sub / source "
        "value exactly as it arrives.",
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
    )
    affiliate = forms.ModelChoiceField(queryset=Affiliate.objects.none(), required=False, help_text="For Affiliate.")
    note = forms.CharField(required=False, max_length=200)

    def __init__(self, *args, affiliates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["affiliate"].queryset = affiliates

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind == BlockEntry.Kind.AFFILIATE:
            if not data.get("affiliate"):
                self.add_error("affiliate", "Choose the affiliate to block.")
        elif kind:
            try:
                data["value"] = normalize_block_value(kind, data.get("value"))
            except ValidationError as error:
                self.add_error("value", error)
        return data
