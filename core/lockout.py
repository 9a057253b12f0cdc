"""Login lockout: after repeated failed sign-ins, a username (or an address) may not sign in for a while.

Counted in the cache (config/ratelimit.py), in fixed windows of TALLY_LOGIN_LOCKOUT_SECONDS:
- a username with TALLY_LOGIN_MAX_FAILURES failures in the window is refused, from any address, until the window
  ends (a password guessed from many addresses at once); its count is forgotten when it signs in;
- an address with TALLY_LOGIN_MAX_FAILURES_PER_IP failures, whatever the usernames, is refused too (one address
  trying many accounts). Signing in does not clear it.

The check is an authentication backend placed before Django's ModelBackend, and failures are counted from Django's
user_login_failed signal, so everything that signs people in through authenticate() is covered: the portal's
/login/, the admin's, DRF's. The portal's login form also says why (LockoutAuthenticationForm,
answered with 429). The price of the per-username lock is that anyone can lock an account's password sign-in for
at most one window by failing on purpose; the defaults keep that short.
"""

import hashlib
import math

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.contrib.auth.views import LoginView
from django.core.exceptions import PermissionDenied, ValidationError
from django.dispatch import receiver

from core import ratelimit
from core.http import client_ip

USER_SCOPE = "login-user"
IP_SCOPE = "login-ip"


def _who(username):
    """A cache-safe key for a username (any length, any characters), compared case-insensitively."""
    return hashlib.sha256((username or "").strip().casefold().encode()).hexdigest()[:32]


def _ip(request):
    return client_ip(request) if request is not None else None


def _window():
    return settings.TALLY_LOGIN_LOCKOUT_SECONDS


def locked(request, username):
    """True when this username, or the request's address, has used up its failed sign-ins for now."""
    window = _window()
    if ratelimit.count(USER_SCOPE, _who(username), window=window) >= settings.TALLY_LOGIN_MAX_FAILURES:
        return True
    ip = _ip(request)
    return bool(ip) and ratelimit.count(IP_SCOPE, ip, window=window) >= settings.TALLY_LOGIN_MAX_FAILURES_PER_IP


def failure_record(request, username):
    window = _window()
    ratelimit.hit(USER_SCOPE, _who(username), limit=settings.TALLY_LOGIN_MAX_FAILURES, window=window)
    ip = _ip(request)
    if ip:
        ratelimit.hit(IP_SCOPE, ip, limit=settings.TALLY_LOGIN_MAX_FAILURES_PER_IP, window=window)


def minutes_left():
    return max(1, math.ceil(ratelimit.seconds_left(_window()) / 60))


class LockoutBackend(ModelBackend):
    """A gate in front of Django's ModelBackend (next in AUTHENTICATION_BACKENDS): refuses a locked-out username
    or address before any password is checked. It never checks a password itself (it leaves that to the next
    backend); when it refuses, authenticate() tries no other backend and sends user_login_failed, as it does when
    the password is wrong: each failure is counted there. It inherits the rest (get_user, permissions) so that
    sessions started by force_login(), which names the first backend, work as with ModelBackend."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        if username is not None and locked(request, username):
            raise PermissionDenied("too many failed sign-ins")
        return None


@receiver(user_login_failed, dispatch_uid="tally-lockout-failure")
def _count_failure(sender, credentials, request=None, **kwargs):
    username = credentials.get(get_user_model().USERNAME_FIELD, credentials.get("username"))
    if username is not None:
        failure_record(request, username)


@receiver(user_logged_in, dispatch_uid="tally-lockout-success")
def _forget_failures(sender, request, user, **kwargs):
    ratelimit.reset(USER_SCOPE, _who(user.get_username()), window=_window())


class LockoutAuthenticationForm(AuthenticationForm):
    """The sign-in form, saying so when the username or address is locked out."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "locked": "Too many failed sign-ins. Try again in %(minutes)s minutes, or reset your password.",
    }

    def clean(self):
        username = self.cleaned_data.get("username")
        if username and locked(self.request, username):
            raise ValidationError(self.error_messages["locked"], code="locked", params={"minutes": minutes_left()})
        return super().clean()


class LockoutLoginView(LoginView):
    """Django's LoginView with LockoutAuthenticationForm; a locked-out attempt is answered 429."""

    form_class = LockoutAuthenticationForm

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.has_error("__all__", code="locked"):
            ratelimit.too_many_requests(response, ratelimit.seconds_left(_window()))
        return response
