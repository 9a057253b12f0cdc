"""Forms of the affiliate area: the tracking link builder and the postback URL. They validate; services write."""

from django import forms
from django.conf import settings

from conversions.postback_urls import validate_postback_url

SUB_LABELS = {
    "aff_sub": "Sub ID (aff_sub)",
    "aff_sub2": "aff_sub2",
    "aff_sub3": "aff_sub3",
    "aff_sub4": "aff_sub4",
    "aff_sub5": "aff_sub5",
    "source": "Source",
    "aff_click_id": "Your click ID (aff_click_id)",
}


class OfferChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, offer):
        paused = "" if offer.status == offer.Status.ACTIVE else f" ({offer.status})"
        return f"#{offer.pk} {offer.name}{paused}"


class LinkForm(forms.Form):
    """Pick one of the offers the affiliate may run and fill sub IDs; the view builds the link."""

    offer = OfferChoiceField(queryset=None, empty_label="Pick an offer")

    def __init__(self, *args, offers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["offer"].queryset = offers
        for name, label in SUB_LABELS.items():
            self.fields[name] = forms.CharField(
                label=label, required=False, max_length=settings.TALLY_MAX_PARAM_LENGTH, strip=True
            )
        self.fields["aff_sub"].help_text = "Your own label for the traffic (campaign, placement, click ID…)."

    def subs(self):
        return {name: self.cleaned_data[name] for name in SUB_LABELS if self.cleaned_data.get(name)}


class PostbackForm(forms.Form):
    """The affiliate's postback URL, for every offer or for one."""

    offer = OfferChoiceField(queryset=None, required=False, empty_label="Every offer (affiliate-wide)")
    url = forms.CharField(
        label="Postback URL",
        max_length=2000,
        widget=forms.TextInput(
            attrs={"placeholder": "https://tracker.example/postback?click={aff_click_id}&payout={payout}"}
        ),
    )
    on_status_change = forms.BooleanField(
        required=False,
        label="Call it on every status (pending, approved, rejected), not only when approved",
        help_text="The {status} macro says which.",
    )

    def __init__(self, *args, offers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["offer"].queryset = offers
        self.fields["offer"].help_text = "A postback for one offer takes the place of the affiliate-wide one."

    def clean_url(self):
        url = self.cleaned_data["url"].strip()
        validate_postback_url(url)
        return url
