"""Sign-in lockout (config/lockout.py): repeated failures lock a username, or an address, out for a while; every
password form (portal, admin, Django's authenticate()) is covered."""

import pytest
import time_machine
from django.contrib.auth import authenticate

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


def test_the_username_lock_holds_from_any_address_and_in_any_letter_case(client, user):
    fail(client, "maria", 5, ip="203.0.113.5")

    assert sign_in(client, "MARIA", PASSWORD, ip="198.51.100.77").status_code == 429
    assert not signed_in(client)


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


def test_authenticate_refuses_a_locked_username_without_checking_the_password(client, user, django_assert_num_queries):
    fail(client, "maria", 5)

    with django_assert_num_queries(0):
        assert authenticate(username="maria", password=PASSWORD) is None


def test_a_failure_through_authenticate_without_a_request_counts_for_the_username(user):
    for _ in range(5):
        assert authenticate(username="maria", password="wrong") is None

    assert authenticate(username="maria", password=PASSWORD) is None


def test_the_locked_page_is_the_login_form_with_its_csrf_token(client, user):
    fail(client, "maria", 5)

    page = sign_in(client, "maria", PASSWORD).content.decode()

    assert 'name="csrfmiddlewaretoken"' in page
    assert 'name="username"' in page
