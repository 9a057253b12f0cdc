"""Sign-in lockout (core/lockout.py): repeated failures lock an address out of a username, or a busy address out of
every account, and slow down guessing at one username from many addresses; a password reset lifts it; with the
cache unreachable, sign-in is refused. Every password form (portal, admin, Django's authenticate()) is covered."""

import pytest
import time_machine
from django.contrib.auth import authenticate
from django.contrib.auth.tokens import default_token_generator
from django.test import RequestFactory
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from core import ratelimit
from tests import factories

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"
# A whole quarter of an hour (15-minute windows start here).
WINDOW_START = 1_000_000_800


@pytest.fixture(autouse=True)
def lockout(settings):
    settings.TALLY_LOGIN_MAX_FAILURES = 5
    settings.TALLY_LOGIN_MAX_FAILURES_PER_IP = 30
    settings.TALLY_LOGIN_LOCKOUT_SECONDS = 900
    settings.TALLY_LOGIN_USER_SLOWDOWN_AFTER = 20
    settings.TALLY_LOGIN_USER_SLOWDOWN_MAX_SECONDS = 60
    ratelimit._paused_until = 0.0
    yield
    ratelimit._paused_until = 0.0


@pytest.fixture
def user(db):
    return factories.ManagerFactory(username="maria")


def sign_in(client, username, password, ip="203.0.113.5", path="/login/"):
    return client.post(path, {"username": username, "password": password}, REMOTE_ADDR=ip)


def signed_in(client):
    return "_auth_user_id" in client.session


def fail(client, username, times, ip="203.0.113.5"):
    for _ in range(times):
        response = sign_in(client, username, "wrong", ip=ip)
        assert response.status_code == 200


def test_five_wrong_passwords_lock_the_username_even_for_the_right_password(client, user):
    with time_machine.travel(WINDOW_START + 300, tick=False):
        fail(client, "maria", 5)
        response = sign_in(client, "maria", PASSWORD)

    assert response.status_code == 429
    assert response["Retry-After"] == "600"
    assert "Too many failed sign-ins. Try again in 10 minutes" in response.content.decode()
    assert not signed_in(client)


def test_four_wrong_passwords_still_let_the_right_one_in(client, user):
    fail(client, "maria", 4)

    response = sign_in(client, "maria", PASSWORD)

    assert response.status_code == 302
    assert signed_in(client)


def test_the_lock_holds_for_the_username_in_any_letter_case(client, user):
    fail(client, "maria", 5, ip="203.0.113.5")

    assert sign_in(client, "MARIA", PASSWORD, ip="203.0.113.5").status_code == 429
    assert not signed_in(client)


def test_the_owner_signs_in_from_another_address_while_the_attackers_address_is_locked(client, user):
    fail(client, "maria", 5, ip="203.0.113.5")

    assert sign_in(client, "maria", PASSWORD, ip="203.0.113.5").status_code == 429
    response = sign_in(client, "maria", PASSWORD, ip="198.51.100.77")

    assert response.status_code == 302
    assert signed_in(client)


def test_the_lock_ends_with_its_window(client, user):
    with time_machine.travel(WINDOW_START + 899, tick=False):
        fail(client, "maria", 5)
        assert sign_in(client, "maria", PASSWORD).status_code == 429
    with time_machine.travel(WINDOW_START + 900, tick=False):
        assert sign_in(client, "maria", PASSWORD).status_code == 302
        assert signed_in(client)


def test_signing_in_forgets_the_usernames_earlier_failures(client, user):
    with time_machine.travel(WINDOW_START + 1, tick=False):
        fail(client, "maria", 4)
        assert sign_in(client, "maria", PASSWORD).status_code == 302
        client.post("/logout/")
        fail(client, "maria", 4)

        assert sign_in(client, "maria", PASSWORD).status_code == 302


def test_signing_in_does_not_forget_the_failures_of_the_address(client, user, settings):
    settings.TALLY_LOGIN_MAX_FAILURES_PER_IP = 8
    factories.ManagerFactory(username="attacker")
    for n in range(4):
        sign_in(client, f"guess{n}", "wrong")
    assert sign_in(client, "attacker", PASSWORD).status_code == 302
    client.post("/logout/")
    for n in range(4):
        sign_in(client, f"guess{n}", "wrong")

    assert sign_in(client, "maria", PASSWORD).status_code == 429


def test_other_usernames_are_not_locked_by_someone_elses_failures(client, user):
    factories.ManagerFactory(username="other")
    fail(client, "maria", 5, ip="203.0.113.5")

    assert sign_in(client, "other", PASSWORD, ip="198.51.100.1").status_code == 302


def test_one_address_failing_on_many_usernames_is_locked_out(client, user, settings):
    settings.TALLY_LOGIN_MAX_FAILURES_PER_IP = 8
    for n in range(8):
        sign_in(client, f"guess{n}", "wrong", ip="203.0.113.66")

    assert sign_in(client, "maria", PASSWORD, ip="203.0.113.66").status_code == 429
    assert sign_in(client, "maria", PASSWORD, ip="203.0.113.67").status_code == 302


def test_the_admin_login_is_locked_too(client, user):
    fail(client, "maria", 5)

    response = sign_in(client, "maria", PASSWORD, path="/admin/login/")

    assert response.status_code == 200  # the admin's own form, with its usual error
    assert not signed_in(client)


def test_an_address_past_the_cap_is_refused_on_the_admin_login_while_the_owner_signs_in_there(client, user, settings):
    settings.TALLY_LOGIN_MAX_FAILURES_PER_IP = 8
    for n in range(8):  # failures through the admin's form count for the address
        assert sign_in(client, f"guess{n}" if n % 2 else "maria", "wrong", ip="203.0.113.66", path="/admin/login/")

    refused = sign_in(client, "maria", PASSWORD, ip="203.0.113.66", path="/admin/login/")
    assert refused.status_code == 200  # the admin's own form, with its usual error
    assert not signed_in(client)
    assert sign_in(client, "maria", PASSWORD, ip="203.0.113.66").status_code == 429

    owner = sign_in(client, "maria", PASSWORD, ip="198.51.100.77", path="/admin/login/")
    assert owner.status_code == 302
    assert signed_in(client)


def test_authenticate_refuses_a_locked_username_without_checking_the_password(client, user, django_assert_num_queries):
    fail(client, "maria", 5, ip="203.0.113.5")
    request = RequestFactory().post("/login/", REMOTE_ADDR="203.0.113.5")

    with django_assert_num_queries(0):
        assert authenticate(request, username="maria", password=PASSWORD) is None


def test_a_failure_through_authenticate_without_a_request_counts_for_the_username(user):
    for _ in range(5):
        assert authenticate(username="maria", password="wrong") is None

    assert authenticate(username="maria", password=PASSWORD) is None


def test_the_locked_page_is_the_login_form_with_its_csrf_token(client, user):
    fail(client, "maria", 5)

    page = sign_in(client, "maria", PASSWORD).content.decode()

    assert 'name="csrfmiddlewaretoken"' in page
    assert 'name="username"' in page


# --- password reset ---------------------------------------------------------------------------------------------


def reset_password(client, user, new_password, ip="203.0.113.5"):
    """Follow a password reset link of user and set new_password (as the emailed link does)."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    link = f"/password-reset/{uid}/{default_token_generator.make_token(user)}/"
    form = client.get(link, follow=True, REMOTE_ADDR=ip)
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": new_password, "new_password2": new_password},
        follow=True,
        REMOTE_ADDR=ip,
    )
    assert b"Password changed" in done.content


def test_a_completed_password_reset_unlocks_the_username_from_every_address(client, user):
    fail(client, "maria", 5, ip="203.0.113.5")
    fail(client, "maria", 5, ip="198.51.100.9")
    assert sign_in(client, "maria", PASSWORD, ip="203.0.113.5").status_code == 429

    reset_password(client, user, "a-brand-new-passphrase")

    assert sign_in(client, "maria", "a-brand-new-passphrase", ip="203.0.113.5").status_code == 302
    assert signed_in(client)
    client.post("/logout/")
    assert sign_in(client, "maria", "a-brand-new-passphrase", ip="198.51.100.9").status_code == 302


def test_a_password_reset_does_not_unlock_an_address_past_its_own_cap(client, user, settings):
    settings.TALLY_LOGIN_MAX_FAILURES_PER_IP = 8
    for n in range(8):
        sign_in(client, f"guess{n}", "wrong", ip="203.0.113.66")

    reset_password(client, user, "a-brand-new-passphrase", ip="198.51.100.77")

    assert sign_in(client, "maria", "a-brand-new-passphrase", ip="203.0.113.66").status_code == 429


# --- per-username slowdown ----------------------------------------------------------------------------------------


def fail_from_many_addresses(client, username, times):
    """times failures of username, two from each address (never reaching the per-address limits)."""
    for n in range(times):
        assert sign_in(client, username, "wrong", ip=f"192.0.2.{n // 2 + 1}").status_code == 200


def test_after_many_failures_from_many_addresses_each_attempt_waits_a_doubling_delay(client, user):
    with time_machine.travel(WINDOW_START + 10, tick=False):
        fail_from_many_addresses(client, "maria", 20)
        slowed = sign_in(client, "maria", PASSWORD, ip="198.51.100.77")
    assert slowed.status_code == 429
    assert slowed["Retry-After"] == "1"
    assert "Too many failed sign-ins for this account. Try again in 1 seconds." in slowed.content.decode()
    assert not signed_in(client)

    with time_machine.travel(WINDOW_START + 11, tick=False):
        assert sign_in(client, "maria", "wrong", ip="192.0.2.99").status_code == 200  # the 21st failure: 2 s
    with time_machine.travel(WINDOW_START + 12, tick=False):
        refused = sign_in(client, "maria", PASSWORD, ip="198.51.100.77")
        assert refused.status_code == 429
        assert refused["Retry-After"] == "1"
        # Refused while waiting, on the admin's form too: not a failure, so the delay does not grow.
        assert sign_in(client, "maria", "wrong", ip="192.0.2.98", path="/admin/login/").status_code == 200
    with time_machine.travel(WINDOW_START + 13, tick=False):
        assert sign_in(client, "maria", PASSWORD, ip="198.51.100.77").status_code == 302
        assert signed_in(client)


def test_the_slowdown_is_a_wait_of_at_most_a_minute_not_a_lock(client, user):
    now = WINDOW_START + 10
    with time_machine.travel(now, tick=False):
        fail_from_many_addresses(client, "maria", 20)
    for n, delay in enumerate((1, 2, 4, 8, 16, 32, 60)):  # each failure as soon as the previous wait is over
        now += delay
        with time_machine.travel(now, tick=False):
            assert sign_in(client, "maria", "wrong", ip=f"192.0.2.{200 + n}").status_code == 200
    with time_machine.travel(now, tick=False):
        assert sign_in(client, "maria", PASSWORD, ip="198.51.100.77")["Retry-After"] == "60"  # 64 s, capped
    with time_machine.travel(now + 60, tick=False):
        assert sign_in(client, "maria", PASSWORD, ip="198.51.100.77").status_code == 302


def test_the_slowdown_is_for_that_username_only(client, user):
    factories.ManagerFactory(username="other")
    with time_machine.travel(WINDOW_START + 10, tick=False):
        fail_from_many_addresses(client, "maria", 20)

        assert sign_in(client, "other", PASSWORD, ip="198.51.100.77").status_code == 302


# --- cache unreachable ------------------------------------------------------------------------------------------


@pytest.fixture
def cache_down(settings):
    """The counts live in a Redis that nothing answers (a closed port): a stopped Redis, as far as Tally sees."""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "counts": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.25},
        },
    }
    settings.TALLY_RATELIMIT_CACHE = "counts"


def test_with_the_cache_unreachable_sign_in_is_refused_not_unlimited(client, user, cache_down):
    statuses = {sign_in(client, "maria", "wrong").status_code for _ in range(10)}
    response = sign_in(client, "maria", PASSWORD)

    assert statuses == {503}
    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    assert "Sign-in is paused: the server can&#x27;t reach the store" in response.content.decode()
    assert not signed_in(client)


def test_with_the_cache_unreachable_the_admin_login_and_authenticate_refuse_too(client, user, cache_down):
    ratelimit._paused_until = 0.0  # not resting after an earlier failure: each really tries the closed port
    request = RequestFactory().post("/login/", REMOTE_ADDR="198.51.100.77")
    assert authenticate(request, username="maria", password=PASSWORD) is None
    ratelimit._paused_until = 0.0

    response = sign_in(client, "maria", PASSWORD, path="/admin/login/")

    assert response.status_code == 200  # the admin's own form, with its usual error
    assert not signed_in(client)


def test_once_the_cache_answers_again_sign_in_works(client, user, cache_down, settings):
    assert sign_in(client, "maria", PASSWORD).status_code == 503
    settings.TALLY_RATELIMIT_CACHE = "default"
    ratelimit._paused_until = 0.0  # the limiter's rest after the failure is over

    assert sign_in(client, "maria", PASSWORD).status_code == 302


# --- Signing in with the e-mail address (core.lockout.UsernameOrEmailBackend) ----------------------------------


def test_the_login_form_asks_for_a_username_or_an_e_mail_address(client):
    page = client.get("/login/").content.decode()

    assert "Username or e-mail" in page
    assert 'maxlength="254"' in page


def test_a_user_signs_in_with_the_e_mail_address_in_any_letter_case(client, user):
    response = sign_in(client, "Maria@Example.com", PASSWORD)

    assert response.status_code == 302
    assert signed_in(client)
    assert client.session["_auth_user_id"] == str(user.pk)


def test_a_wrong_password_with_the_e_mail_address_is_refused(client, user):
    response = sign_in(client, "maria@example.com", "wrong")

    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()
    assert not signed_in(client)


def test_failures_with_the_e_mail_and_with_the_username_count_together(client, user):
    fail(client, "maria", 3)
    fail(client, "MARIA@example.com", 2)

    assert sign_in(client, "maria@example.com", PASSWORD).status_code == 429
    assert sign_in(client, "maria", PASSWORD).status_code == 429
    assert not signed_in(client)


def test_authenticate_refuses_a_locked_account_typed_as_its_e_mail_without_checking_the_password(client, user):
    fail(client, "maria", 5, ip="203.0.113.5")
    request = RequestFactory().post("/login/", REMOTE_ADDR="203.0.113.5")

    assert authenticate(request, username="maria@example.com", password=PASSWORD) is None


def test_signing_in_with_the_e_mail_forgets_the_usernames_earlier_failures(client, user):
    fail(client, "maria", 4)
    assert sign_in(client, "maria@example.com", PASSWORD).status_code == 302
    client.logout()

    fail(client, "maria", 4)

    assert sign_in(client, "maria", PASSWORD).status_code == 302


def test_an_e_mail_address_two_accounts_share_signs_in_neither(client, user):
    factories.UserFactory(username="maria2", email="MARIA@example.com")

    response = sign_in(client, "maria@example.com", PASSWORD)

    assert response.status_code == 200
    assert not signed_in(client)
    assert sign_in(client, "maria", PASSWORD).status_code == 302


def test_an_unknown_e_mail_address_is_counted_as_typed(client, user):
    fail(client, "nobody@example.com", 5)

    assert sign_in(client, "nobody@example.com", PASSWORD).status_code == 429
    assert sign_in(client, "maria@example.com", PASSWORD).status_code == 302
