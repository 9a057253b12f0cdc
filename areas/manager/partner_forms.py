"""The portal's advertiser and affiliate forms. They validate; partners/services.py writes."""

import ipaddress

from django import forms

from partners.models import Advertiser, Affiliate


class AllowlistField(forms.CharField):
    """IP addresses or CIDR networks, one a line (commas work too), as the list the model stores."""

    widget = forms.Textarea(attrs={"rows": 3, "spellcheck": "false", "placeholder": "192.0.2.10\n198.51.100.0/24"})

    def prepare_value(self, value):
        return "\n".join(value) if isinstance(value, list) else value

    def to_python(self, value):
        entries = [part.strip() for part in (value or "").replace(",", "\n").splitlines() if part.strip()]
        bad = []
        for entry in entries:
            try:
                ipaddress.ip_network(entry, strict=False)
            except ValueError:
                bad.append(entry)
        if bad:
            raise forms.ValidationError(f"Not an IP address or CIDR network: {', '.join(bad)}.", code="invalid_ip")
        return entries


class AdvertiserForm(forms.ModelForm):
    postback_ip_allowlist = AllowlistField(
        required=False,
        label="Postback IP allowlist",
        help_text="Only these addresses may send postbacks; leave empty to accept any address.",
    )

    class Meta:
        model = Advertiser
        fields = ["name", "status", "token_required", "postback_ip_allowlist", "require_signature"]
        labels = {"token_required": "Require the security token"}
        help_texts = {
            "token_required": "Refuse postbacks without the advertiser's security_token. Off: anyone who learns a "
            "transaction ID can report a conversion (partner-ID postbacks still need the token or a signature).",
            "require_signature": "Refuse postbacks without a valid X-Tally-Signature header.",
        }


class AffiliateForm(forms.ModelForm):
    website = forms.URLField(required=False, assume_scheme="https", max_length=200)

    class Meta:
        model = Affiliate
        fields = ["name", "status", "contact_email", "website"]


class InviteForm(forms.Form):
    email = forms.EmailField(max_length=150, label="Email address")


class RejectApplicationForm(forms.Form):
    reason = forms.CharField(
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Optional; the applicant reads it in the email.",
    )
