"""Every POST that reaches a view needs the CSRF token: for each URL of the permission matrix and each role whose
POST gets past the permission check, a client that enforces CSRF (Client(enforce_csrf_checks=True)) is refused
with 403 without the token, and is not refused with it. Only the server-to-server postback endpoints
are exempt (an advertiser's server has no cookie; they authenticate by token, signature and allowlist), and the
API's JSON 404 for unknown paths, which does nothing."""

import pytest
from django.conf import settings
from django.test import Client

from tests.security.matrix import ROLES, act_as
from tests.security.test_permission_matrix import CASES, EXPECTED, _path, expected

pytestmark = pytest.mark.django_db

CSRF_EXEMPT = {
    "conversions:postback",
    "conversions:postback_hasoffers",
    "conversions:postback_hasoffers_goal",
    "api/^(?P<path>.*/)$",
}
# Answers that mean the request never reached the view: sign-in redirects, refusals, a method not allowed.
STOPPED_BEFORE = {"L", "A", "401", "403", "405"}
TOKEN = "CsrfTokenForTheTests0123456789ab"  # a 32-character secret, as Django keeps in the cookie


def post_cases():
    return [case for case in CASES if case.values[2] == "POST"]


@pytest.mark.parametrize(("route", "variant", "method"), post_cases())
def test_a_post_without_the_csrf_token_is_refused_and_with_it_is_answered(world, route, variant, method):
    path = _path(world, route, variant)
    answers = expected(route, variant, method).split()
    client = Client(enforce_csrf_checks=True)
    for role, answer in zip(ROLES, answers, strict=True):
        if answer in STOPPED_BEFORE:
            continue
        act_as(client, world, role)
        without = client.post(path)
        act_as(client, world, role)
        client.cookies[settings.CSRF_COOKIE_NAME] = TOKEN
        with_token = client.post(path, {"csrfmiddlewaretoken": TOKEN})

        if route.key in CSRF_EXEMPT:
            assert str(without.status_code) == answer, (role, path)
            continue
        assert without.status_code == 403, (role, path, without.status_code)
        assert b"CSRF" in without.content, (role, path)
        assert with_token.status_code != 403 and b"CSRF" not in with_token.content, (role, path)


def test_every_form_and_action_is_among_the_checked_posts():
    """The cases come from the matrix (every URL); this pins that the forms and actions are among those tried."""
    checked = {case.values[0].key for case in post_cases() if set(expected(*case.values).split()) - STOPPED_BEFORE}
    actions = {key for key, spec in EXPECTED.items() if spec["a"]["GET"] == "405 405 405 405 405"}

    assert actions - {"tracking:click"} <= checked
    assert {"login", "logout", "signup", "password_reset", "admin:login", "affiliate:postbacks"} <= checked
    assert {"manager:offer_create", "manager:advertiser_update", "api:offer-access-list"} <= checked
    assert len(checked) >= 40
