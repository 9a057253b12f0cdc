"""Forms of the public sign-up page and the managers' application and invitation actions. They validate;
partners/services.py writes."""

from django import forms
from django.contrib.auth import get_user_model, password_validation

from partners.services import user_with_email


class AffiliateSignupForm(forms.Form):
    company = forms.CharField(max_length=200, label="Company or brand")
    contact_name = forms.CharField(max_length=200, label="Your name")
    email = forms.EmailField(max_length=150, help_text="You sign in with this address.")
    website = forms.URLField(max_length=200, required=False, assume_scheme="https")
    traffic_sources = forms.CharField(
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Where your visitors come from: sites, newsletters, search or social ads, apps…",
    )
    password1 = forms.CharField(
        label="Password", strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    password2 = forms.CharField(
        label="Password again", strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    accept_terms = forms.BooleanField(label="I accept the network's terms and conditions")

    def clean_email(self):
        email = self.cleaned_data["email"]
        if user_with_email(email) is not None:
            raise forms.ValidationError("An account with this email address already exists.", code="email_taken")
        return email

    def clean(self):
        cleaned = super().clean()
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", "The two passwords differ.")
        elif password1:
            user = get_user_model()(username=cleaned.get("email", ""), email=cleaned.get("email", ""))
            try:
                password_validation.validate_password(password1, user)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned
