"""Getting in: the front door (`/` sends each user to their own area), the public affiliate sign-up, invitation
links and password reset (Django's views; completing a reset also lifts the username's sign-in lockout). The
managers' actions on applications and invitations are in the manager area (areas/manager/partners.py)."""

from math import ceil

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse_lazy

from areas.accounts.forms import AffiliateSignupForm
from core import lockout, ratelimit
from core.http import client_ip, site_url
from core.roles import Role, role_of
from partners import services
from partners.tokens import invitation_token_generator


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
            login(request, affiliate.members.get().user, backend="core.lockout.UsernameOrEmailBackend")
            messages.success(request, "Thank you: your application is in. We will email you when it is decided.")
            return redirect("affiliate:home")
    return render(request, "registration/signup.html", {"form": form}, status=400 if form.errors else 200)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's page behind a password reset link; setting the new password also lifts the sign-in lockout of that
    username from every address (core/lockout.py), so the owner is not kept out by someone else's failures."""

    def form_valid(self, form):
        response = super().form_valid(form)
        lockout.failures_forget(username=form.user.get_username())
        return response


class InvitationAcceptView(PasswordResetConfirmView):
    """An invited person sets their password through the link in the invitation (Django's reset machinery with
    the invitation's own token salt), and is signed in."""

    token_generator = invitation_token_generator
    template_name = "registration/invitation_accept.html"
    post_reset_login = True
    post_reset_login_backend = "core.lockout.UsernameOrEmailBackend"
    success_url = reverse_lazy("home")

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, "Welcome: your password is set and you are signed in.")
        return response


AREAS = {Role.MANAGER: "/manage/", Role.AFFILIATE: "/affiliate/", Role.ADVERTISER: "/advertiser/"}


def home(request):
    """Managers to /manage/, affiliates to /affiliate/, advertisers to /advertiser/, everyone else to sign in."""
    area = AREAS.get(role_of(request.user))
    if area:
        return redirect(area)
    return redirect("login")
