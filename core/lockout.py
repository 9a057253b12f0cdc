"""Login lockout: repeated failed sign-ins lock one address out of one account, lock a busy address out of all of
them, and slow down guessing at one account from many addresses, without letting anyone lock its owner out.

Counted in the cache (core/ratelimit.py), in fixed windows of TALLY_LOGIN_LOCKOUT_SECONDS (15 minutes):
- per username and address: TALLY_LOGIN_MAX_FAILURES (5) failures lock that address out of that username until
  the window ends. The owner, signing in from another address, is not affected. Signing in forgets the failures
  of that username from that address;
- per address, whatever the usernames: TALLY_LOGIN_MAX_FAILURES_PER_IP (30) failures lock the address out of
  every account until the window ends (one address trying many accounts). Signing in does not clear it;
- per username, from all addresses: after TALLY_LOGIN_USER_SLOWDOWN_AFTER (20) failures in the window (a guess
  spread over many addresses), each further attempt must wait 1 s after the username's last failure, doubling
  with each further failure up to TALLY_LOGIN_USER_SLOWDOWN_MAX_SECONDS (60 s). A back-off, not a wall: the owner
  waits at most a minute, while a network of guessers gets about one try a minute at that account. Attempts
  refused while waiting are not counted, so they don't lengthen the wait.
A completed password reset (areas/accounts) forgets the failures of that username, from every address.

People sign in with their username or their e-mail address (UsernameOrEmailBackend, after LockoutBackend). The
counts are keyed by the account, not by the spelling: an e-mail address that names one account counts as that
account's username (compared case-insensitively, like usernames here), so typing the address instead of the
username gives a guesser no second allowance. Anything else is counted as typed.

The check is an authentication backend placed before Django's ModelBackend, and failures are counted from Django's
user_login_failed signal, so everything that signs people in through authenticate() is covered: the portal's
/login/, the admin's (whose LoginView passes the request, so its address is known), DRF's. A refused attempt never
reaches a password check and is not counted. The portal's login form also says why (LockoutAuthenticationForm,
answered with 429).

Fails closed: when the cache can't be reached, every password sign-in is refused (the portal's form says so, with
a 503) until it can be reached again, rather than allowing unlimited guesses. Sessions already signed in go on.
"""

import hashlib
import logging
import math
import time
import uuid
from contextvars import ContextVar
from dataclasses import dataclass

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

logger = logging.getLogger(__name__)

PAIR_SCOPE = "login-pair"  # failures of one username from one address
IP_SCOPE = "login-ip"  # failures from one address, any usernames
USER_SCOPE = "login-user"  # failures of one username, any addresses
LAST_SCOPE = "login-last"  # when the username last failed (the slowdown's clock)
EPOCH_SCOPE = "login-epoch"  # part of a username's pair keys; a new one forgets them all
# Retry-After of a sign-in refused because the cache can't be reached.
UNAVAILABLE_RETRY_SECONDS = 60

# Set by LockoutBackend for the user_login_failed signal that follows its refusal: that attempt is not counted.
_refused = ContextVar("tally_lockout_refused", default=False)


@dataclass(frozen=True)
class Refusal:
    """Why a sign-in is refused: "locked" (too many failures from this address), "slowed" (the username's
    back-off) or "unavailable" (the cache can't be reached), and the seconds until it may be tried again."""

    code: str
    retry_after: int


def _who(username):
    """A cache-safe key for a username (any length, any characters), compared case-insensitively."""
    return hashlib.sha256((username or "").strip().casefold().encode()).hexdigest()[:32]


def login_user(identifier):
    """The user a sign-in names: the one with this username, else (when it holds an @) the only user with this
    e-mail address, compared case-insensitively; None when there is no such user, or more than one has the address."""
    users = get_user_model()._default_manager
    identifier = (identifier or "").strip()
    user = users.filter(**{get_user_model().USERNAME_FIELD: identifier}).first()
    if user is None and "@" in identifier:
        found = list(users.filter(email__iexact=identifier)[:2])
        user = found[0] if len(found) == 1 else None
    return user


def _key(typed):
    """The counter key of what was typed: an e-mail address of one account counts as that account's username."""
    user = login_user(typed) if "@" in (typed or "") else None
    return _who(user.get_username() if user else typed)


def _ip(request):
    return client_ip(request) if request is not None else None


def _window():
    return settings.TALLY_LOGIN_LOCKOUT_SECONDS


def _over(failures, limit):
    return limit > 0 and failures >= limit


def _pair(who, address, *, fail_closed):
    """The counter key of (username, address): request-less attempts (no address) share one per username."""
    epoch = ratelimit.recall(EPOCH_SCOPE, who, fail_closed=fail_closed) or "0"
    return f"{who}:{epoch}:{address or 'none'}"


def _slowdown(who, now):
    """Seconds this username's next attempt must still wait (0: none)."""
    after = settings.TALLY_LOGIN_USER_SLOWDOWN_AFTER
    if after <= 0:
        return 0
    failures = ratelimit.count(USER_SCOPE, who, window=_window(), now=now, fail_closed=True)
    if failures < after:
        return 0
    last = ratelimit.recall(LAST_SCOPE, who, fail_closed=True)
    if last is None:
        return 0
    delay = min(2 ** min(failures - after, 30), settings.TALLY_LOGIN_USER_SLOWDOWN_MAX_SECONDS)
    return max(0, math.ceil(last + delay - now))


def refusal(request, username, now=None):
    """Why this request may not try to sign in as username now (a Refusal), or None when it may."""
    now = time.time() if now is None else now
    window = _window()
    who, address = _key(username), _ip(request)
    try:
        if address and _over(
            ratelimit.count(IP_SCOPE, address, window=window, now=now, fail_closed=True),
            settings.TALLY_LOGIN_MAX_FAILURES_PER_IP,
        ):
            return Refusal("locked", ratelimit.seconds_left(window, now))
        pair = _pair(who, address, fail_closed=True)
        if _over(
            ratelimit.count(PAIR_SCOPE, pair, window=window, now=now, fail_closed=True),
            settings.TALLY_LOGIN_MAX_FAILURES,
        ):
            return Refusal("locked", ratelimit.seconds_left(window, now))
        wait = _slowdown(who, now)
    except ratelimit.Unavailable:
        return Refusal("unavailable", UNAVAILABLE_RETRY_SECONDS)
    return Refusal("slowed", wait) if wait else None


def failure_record(request, username, now=None):
    """Count one failed sign-in (a wrong password, or an unknown username) of username from the request's address."""
    now = time.time() if now is None else now
    window = _window()
    who, address = _key(username), _ip(request)
    try:
        pair = _pair(who, address, fail_closed=True)
        ratelimit.hit(
            PAIR_SCOPE, pair, limit=settings.TALLY_LOGIN_MAX_FAILURES, window=window, now=now, fail_closed=True
        )
        if address:
            per_ip = settings.TALLY_LOGIN_MAX_FAILURES_PER_IP
            ratelimit.hit(IP_SCOPE, address, limit=per_ip, window=window, now=now, fail_closed=True)
        after = settings.TALLY_LOGIN_USER_SLOWDOWN_AFTER
        if after > 0:
            failures = ratelimit.add(USER_SCOPE, who, window=window, now=now, fail_closed=True)
            ratelimit.remember(LAST_SCOPE, who, now, timeout=window)
            if failures == after:
                logger.warning("sign-in slowed down: username %s failed %s times in %s s", who, failures, window)
    except ratelimit.Unavailable:
        pass  # sign-in is refused until the cache is back


def failures_forget(*, username):
    """Forget the failed sign-ins of username from every address, and its slowdown (after its owner set a new
    password through a reset link). The addresses' own counts, over all usernames, stay."""
    who = _who(username)
    # A new epoch renames every (username, address) counter at once; kept until the cache drops it.
    ratelimit.remember(EPOCH_SCOPE, who, uuid.uuid4().hex, timeout=None)
    ratelimit.reset(USER_SCOPE, who, window=_window())


class LockoutBackend(ModelBackend):
    """A gate in front of Django's ModelBackend (next in AUTHENTICATION_BACKENDS): refuses a locked-out or slowed
    (username, address) before any password is checked, and every attempt while the cache can't be reached. It
    never checks a password itself (it leaves that to the next backend); when it refuses, authenticate() tries no
    other backend and sends user_login_failed, as it does when the password is wrong; only the latter is counted.
    It inherits the rest (get_user, permissions) so that sessions started by force_login(), which names the first
    backend, work as with ModelBackend."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        refused = username is not None and refusal(request, username) is not None
        _refused.set(refused)
        if refused:
            raise PermissionDenied("sign-in refused by the lockout")
        return None


class UsernameOrEmailBackend(ModelBackend):
    """Django's ModelBackend, also accepting the account's e-mail address where the username goes (login_user):
    the sign-up and invitation pages tell people they sign in with their address. Placed after LockoutBackend,
    which has already refused a locked-out attempt, whichever of the two was typed."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        if username is None or password is None:
            return None
        user = login_user(username)
        if user is None:
            get_user_model()().set_password(password)  # as long as a wrong password takes (as ModelBackend does)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None


@receiver(user_login_failed, dispatch_uid="tally-lockout-failure")
def _count_failure(sender, credentials, request=None, **kwargs):
    if _refused.get():  # refused by LockoutBackend: no password was tried
        _refused.set(False)
        return
    username = credentials.get(get_user_model().USERNAME_FIELD, credentials.get("username"))
    if username is not None:
        failure_record(request, username)


@receiver(user_logged_in, dispatch_uid="tally-lockout-success")
def _forget_failures(sender, request, user, **kwargs):
    who = _who(user.get_username())
    ratelimit.reset(PAIR_SCOPE, _pair(who, _ip(request), fail_closed=False), window=_window())


class LockoutAuthenticationForm(AuthenticationForm):
    """The sign-in form, saying so when the (username, address) is locked out or slowed down, or when sign-in is
    paused because the cache can't be reached. `refusal` is the Refusal, if any."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "locked": "Too many failed sign-ins. Try again in %(minutes)s minutes, or reset your password.",
        "slowed": "Too many failed sign-ins for this account. Try again in %(seconds)s seconds.",
        "unavailable": (
            "Sign-in is paused: the server can't reach the store that counts failed sign-ins. Try again in a minute."
        ),
    }
    refusal = None

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        field = self.fields["username"]
        field.label = "Username or e-mail"
        field.max_length = 254  # an e-mail address may be longer than a username
        field.widget.attrs["maxlength"] = "254"
        field.widget.attrs["autocomplete"] = "username"

    def clean(self):
        username = self.cleaned_data.get("username")
        if username:
            self.refusal = refusal(self.request, username)
            if self.refusal:
                seconds = self.refusal.retry_after
                params = {"minutes": max(1, math.ceil(seconds / 60)), "seconds": seconds}
                code = self.refusal.code
                raise ValidationError(self.error_messages[code], code=code, params=params)
        return super().clean()


class LockoutLoginView(LoginView):
    """Django's LoginView with LockoutAuthenticationForm; a refused attempt is answered 429 (503 while the cache
    can't be reached), with Retry-After."""

    form_class = LockoutAuthenticationForm

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.refusal:
            ratelimit.too_many_requests(response, form.refusal.retry_after)
            if form.refusal.code == "unavailable":
                response.status_code = 503
        return response
