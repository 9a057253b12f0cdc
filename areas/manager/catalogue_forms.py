"""The portal's forms for creatives, coupon codes and categories. They validate; offers/services.py writes."""

from django import forms

from offers.models import Category, Coupon, Creative
from partners.selectors import affiliate_list


class CreativeForm(forms.Form):
    """Upload a banner, or write a text link or an e-mail. The image itself is checked by the service
    (offers.creatives.inspect_image), by its content."""

    kind = forms.ChoiceField(choices=Creative.Kind.choices, initial=Creative.Kind.BANNER)
    name = forms.CharField(max_length=200, help_text="What affiliates see it as, and a banner's alt text.")
    image = forms.FileField(
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/gif,image/webp"}),
        help_text="Banners: PNG, JPEG, GIF or WebP (no SVG), checked by content.",
    )
    subject = forms.CharField(max_length=200, required=False, help_text="E-mails: the subject line.")
    text = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Text links: the link text. E-mails: the body; {tracking_link} marks where the link goes.",
    )

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind == Creative.Kind.BANNER and not data.get("image"):
            self.add_error("image", "A banner needs an image.")
        if kind != Creative.Kind.BANNER and data.get("image"):
            self.add_error("image", "Only banners have an image.")
        if kind == Creative.Kind.EMAIL and not data.get("subject"):
            self.add_error("subject", "An e-mail needs a subject.")
        if kind in (Creative.Kind.TEXT_LINK, Creative.Kind.EMAIL) and not data.get("text"):
            self.add_error("text", "Write the text affiliates paste.")
        return data


class CouponForm(forms.ModelForm):
    class Meta:
        model = Coupon
        fields = ["code", "affiliate", "valid_from", "valid_until"]
        widgets = {
            "valid_from": forms.DateInput(attrs={"type": "date"}),
            "valid_until": forms.DateInput(attrs={"type": "date"}),
            "code": forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["affiliate"].queryset = affiliate_list(user=user).order_by("name")

    def validate_unique(self):
        """The service (and the database's constraint) says whether the code is taken on the offer."""

    def clean(self):
        data = super().clean()
        start, end = data.get("valid_from"), data.get("valid_until")
        if start and end and end < start:
            self.add_error("valid_until", "The last day comes before the first.")
        return data


class CategoryForm(forms.ModelForm):
    class Meta:
        model = Category
        fields = ["name"]
