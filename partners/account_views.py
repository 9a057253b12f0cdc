"""Getting in: the public affiliate sign-up, invitation links, password reset (Django's views), and the managers'
actions on them (approve or reject an application, invite a person to an advertiser or an affiliate)."""

from math import ceil

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.views import PasswordResetConfirmView
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.views.decorators.http import require_POST

from config import ratelimit
from config.http import client_ip
from partners import services
from partners.account_forms import AffiliateSignupForm, InviteForm, RejectApplicationForm
from partners.permissions import manager_required
from partners.selectors import advertiser_list, affiliate_list
from partners.tokens import invitation_token_generator


def site_url(request):
    """The network's address as this request reached it ("https://host"), for links in emails."""
    return request.build_absolute_uri("/").rstrip("/")


def signup(request):
    """The public affiliate application: a pending affiliate and its login, signed in to see the review status."""
    if request.user.is_authenticated:
        return redirect("home")
    form = AffiliateSignupForm(request.POST or None)
    if request.method == "POST":
        # Every application counts, accepted or not: a script can't fill the review queue or the managers' mail.
        retry_after = ratelimit.hit(
            "signup", client_ip(request) or "unknown", limit=settings.TALLY_SIGNUP_RATE_LIMIT, window=3600
        )
        if retry_after:
            form.add_error(None, f"Too many applications from this address. Try again in {ceil(retry_after / 60)} min.")
            return ratelimit.too_many_requests(render(request, "registration/signup.html", {"form": form}), retry_after)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            affiliate = services.affiliate_apply(
                company=data["company"],
                contact_name=data["contact_name"],
                email=data["email"],
                password=data["password1"],
                website=data["website"],
                traffic_sources=data["traffic_sources"],
                site_url=site_url(request),
            )
        except ValidationError as error:
            form.add_error("email", error)
        else:
            login(request, affiliate.members.get().user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, "Thank you: your application is in. We will email you when it is decided.")
            return redirect("affiliate:home")
    return render(request, "registration/signup.html", {"form": form}, status=400 if form.errors else 200)


class InvitationAcceptView(PasswordResetConfirmView):
    """An invited person sets their password through the link in the invitation (Django's reset machinery with
    the invitation's own token salt), and is signed in."""

    token_generator = invitation_token_generator
    template_name = "registration/invitation_accept.html"
    post_reset_login = True
    post_reset_login_backend = "django.contrib.auth.backends.ModelBackend"
    success_url = reverse_lazy("home")

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, "Welcome: your password is set and you are signed in.")
        return response


# --- Managers ---------------------------------------------------------------------------------------------------


@require_POST
@manager_required
def affiliate_application_approve(request, pk):
    affiliate = get_object_or_404(affiliate_list(user=request.user), pk=pk)
    try:
        services.affiliate_application_approve(affiliate=affiliate, site_url=site_url(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"“{affiliate.name}” is approved and active; the applicant was emailed.")
    return redirect("partners:affiliate_detail", pk=affiliate.pk)


@require_POST
@manager_required
def affiliate_application_reject(request, pk):
    affiliate = get_object_or_404(affiliate_list(user=request.user), pk=pk)
    form = RejectApplicationForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors.get("reason", ["Invalid reason."])))
        return redirect("partners:affiliate_detail", pk=affiliate.pk)
    try:
        services.affiliate_application_reject(affiliate=affiliate, reason=form.cleaned_data["reason"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"“{affiliate.name}” was rejected (now suspended); the applicant was emailed.")
    return redirect("partners:affiliate_detail", pk=affiliate.pk)


def _invite(request, *, advertiser=None, affiliate=None, back):
    form = InviteForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["email"]))
        return redirect(back)
    email = form.cleaned_data["email"]
    try:
        services.member_invite(
            email=email, advertiser=advertiser, affiliate=affiliate, site_url=site_url(request), invited_by=request.user
        )
    except ValidationError as error:
        messages.error(request, f"{email}: {' '.join(error.messages)}")
    else:
        messages.success(request, f"Invitation sent to {email}.")
    return redirect(back)


@require_POST
@manager_required
def advertiser_member_invite(request, pk):
    advertiser = get_object_or_404(advertiser_list(user=request.user), pk=pk)
    return _invite(request, advertiser=advertiser, back=reverse("partners:advertiser_detail", args=[advertiser.pk]))


@require_POST
@manager_required
def affiliate_member_invite(request, pk):
    affiliate = get_object_or_404(affiliate_list(user=request.user), pk=pk)
    return _invite(request, affiliate=affiliate, back=reverse("partners:affiliate_detail", args=[affiliate.pk]))
