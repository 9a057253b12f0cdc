"""The portal's offer, goal and offer-access forms. They validate; the services in offers/services.py write."""

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.forms import inlineformset_factory

from offers.macros import CLICK_MACROS, validate_url_template
from offers.models import GOAL_FIELDS, OFFER_FIELDS, Goal, Offer, OfferAccess
from offers.selectors import category_list, offer_list
from partners.selectors import advertiser_list, affiliate_list
from quality.forms import CountryListField, clean_targeting, device_field, os_field

# One click away in the session lifespan field (docs/clicks.md#session: 28 days must be settable, 30 days is the
# default).
SESSION_PRESETS = ((24, "1 day"), (168, "7 days"), (672, "28 days"), (720, "30 days"))
MONEY_WIDGET = forms.NumberInput(attrs={"step": "0.01", "min": "0", "inputmode": "decimal"})


def not_negative(form, *names):
    """Money fields say "at least 0" themselves, rather than leave it to the database constraint's message."""
    for name in names:
        form.fields[name].validators.append(MinValueValidator(0))


class OfferForm(forms.ModelForm):
    """An offer's settings. The destination URL is a template; unknown macros are refused by the model's validator."""

    # A CharField: the macro rules below speak first (clearer than "Enter a valid URL." for a macro in the host);
    # the model's URL validator still runs after them.
    destination_url = forms.CharField(
        label="Destination URL",
        max_length=2000,
        widget=forms.TextInput(attrs={"inputmode": "url", "spellcheck": "false", "autocomplete": "off"}),
        help_text="Where a click lands. Insert macros (below) for values of the click; they are URL-encoded.",
    )
    fallback_url = forms.URLField(
        label="Fallback URL",
        max_length=2000,
        required=False,
        assume_scheme="https",
        widget=forms.TextInput(attrs={"inputmode": "url", "spellcheck": "false"}),
        help_text="Where clicks go while the offer is paused (empty: they get a 410 page).",
    )

    class Meta:
        model = Offer
        fields = OFFER_FIELDS
        widgets = {
            "description": forms.Textarea(attrs={"rows": 2}),
            "payout": MONEY_WIDGET,
            "revenue": MONEY_WIDGET,
            "currency": forms.TextInput(attrs={"maxlength": 3, "size": 4, "class": "uppercase"}),
            "session_hours": forms.NumberInput(attrs={"min": 1, "list": "session-presets"}),
        }
        help_texts = {
            "session_hours": "Attribution window: a conversion counts this long after its click (720 h = 30 days).",
            "allow_multiple_conversions": "Off: one conversion per transaction ID.",
            "conversion_approval": "Manual: conversions start pending until a manager approves them.",
            "daily_cap": "Conversions per network day; empty for no cap.",
            "monthly_cap": "Conversions per calendar month; empty for no cap.",
            "too_fast_seconds": "Minimum seconds from click to conversion (too_fast); 0 turns the rule off.",
            "too_fast_action": "Reject: kept rejected, answered 409. Review: kept pending and flagged, answered 200.",
            "country_mismatch_action": "When the postback's ip is not in the click's country (country_mismatch).",
        }
        labels = {
            "session_hours": "Session lifespan (hours)",
            "too_fast_seconds": "Minimum time to convert (seconds)",
            "too_fast_action": "Too fast",
            "country_mismatch_action": "Country mismatch",
        }

    # Targeting (README, Traffic quality), in the "Targeting & quality" section: clicks outside it are refused.
    allowed_countries = CountryListField(
        label="Allowed countries",
        help_text="ISO codes, e.g. US, CA. Only clicks from these countries; empty for every country. A click whose "
        "country can't be told (private or malformed IP) is refused.",
    )
    blocked_countries = CountryListField(label="Blocked countries", help_text="ISO codes; no clicks from these.")
    allowed_devices = device_field(label="Allowed devices", help_text="None ticked: every device.")
    allowed_os = os_field(label="Allowed operating systems", help_text="None ticked: every OS.")

    # The catalogue's tags, typed as words (made as needed): offers.services.tag_names_parse reads them.
    tag_names = forms.CharField(
        label="Tags",
        required=False,
        max_length=500,
        help_text="Comma-separated, e.g. mobile, black-friday. Affiliates filter the catalogue by them.",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        not_negative(self, "payout", "revenue")
        self.fields["advertiser"].queryset = advertiser_list(user=user)
        self.fields["category"].queryset = category_list(user=user)
        if self.instance.pk and not self.is_bound:
            self.initial["tag_names"] = ", ".join(tag.name for tag in self.instance.tags.all())
        self.macros = CLICK_MACROS
        self.session_presets = SESSION_PRESETS

    def clean_destination_url(self):
        template = self.cleaned_data["destination_url"].strip()
        validate_url_template(template)
        return template

    def clean_currency(self):
        return self.cleaned_data["currency"].upper()

    def clean(self):
        cleaned = super().clean()
        clean_targeting(self)
        return cleaned


class GoalForm(forms.ModelForm):
    class Meta:
        model = Goal
        fields = GOAL_FIELDS
        widgets = {"payout": MONEY_WIDGET, "revenue": MONEY_WIDGET}
        labels = {"allow_multiple_conversions": "Multiple"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        not_negative(self, "payout", "revenue")


class BaseGoalFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        for form in self.deleted_forms:
            if form.instance.pk and form.instance.conversions.exists():
                raise ValidationError(f"Goal “{form.instance.name}” has conversions and cannot be removed.")


# Delete only on saved goals (can_delete_extra=False): the empty row adds nothing unless it is filled in.
GoalFormSet = inlineformset_factory(
    Offer, Goal, form=GoalForm, formset=BaseGoalFormSet, extra=1, can_delete=True, can_delete_extra=False
)


class OfferAccessForm(forms.Form):
    """Grant, refuse or block one affiliate on one offer, with an optional payout override."""

    offer = forms.ModelChoiceField(queryset=Offer.objects.none())
    affiliate = forms.ModelChoiceField(queryset=Offer.objects.none())
    status = forms.ChoiceField(choices=OfferAccess.Status.choices, initial=OfferAccess.Status.APPROVED)
    payout = forms.DecimalField(
        max_digits=14,
        decimal_places=2,
        min_value=0,
        required=False,
        widget=MONEY_WIDGET,
        help_text="Replaces the offer's payout for this affiliate; empty to use the offer's.",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["offer"].queryset = offer_list(user=user).exclude(status=Offer.Status.ARCHIVED)
        self.fields["affiliate"].queryset = affiliate_list(user=user)


class OfferAccessEditForm(forms.ModelForm):
    """Change the status or payout override of an existing access row."""

    class Meta:
        model = OfferAccess
        fields = ["status", "payout"]
        widgets = {"payout": MONEY_WIDGET}
        labels = {"payout": "Payout override"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        not_negative(self, "payout")
