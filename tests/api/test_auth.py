"""How callers authenticate: DRF tokens (made with manage.py drf_create_token) and the portal session."""

import io

import pytest
from django.core.management import call_command
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests import factories
from tests.api.helpers import ROLES, ids

RESOURCES = (
    "advertisers",
    "affiliates",
    "offers",
    "offer-access",
    "goals",
    "clicks",
    "conversions",
    "postback-log",
    "reports",
)


@pytest.mark.parametrize("resource", RESOURCES)
def test_every_resource_refuses_anonymous_callers_with_401(api, network, resource):
    response = api("anonymous").get(f"/api/v1/{resource}/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


@pytest.mark.parametrize("resource", RESOURCES)
@pytest.mark.parametrize("role", [r for r in ROLES if r != "anonymous"])
def test_every_resource_answers_every_signed_in_role_with_a_page(api, network, resource, role):
    body = api(role).get(f"/api/v1/{resource}/").json()
    assert set(body) >= {"count", "next", "previous", "results"}


def test_a_token_made_by_drf_create_token_authenticates(network):
    out = io.StringIO()
    call_command("drf_create_token", "boss", stdout=out)
    key = Token.objects.get(user__username="boss").key
    assert key in out.getvalue()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/v1/advertisers/").status_code == 200


def test_a_wrong_token_is_refused(network):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert client.get("/api/v1/offers/").status_code == 401


def test_the_portal_session_authenticates_and_writes_need_the_csrf_token(network):
    factories.MembershipFactory(advertiser=network.adv_x, user__username="acme-user")
    client = APIClient(enforce_csrf_checks=True)
    assert client.login(username="acme-user", password="correct-horse-battery")
    assert ids(client.get("/api/v1/offers/")) == {network.public.pk, network.gated.pk, network.private.pk}
    staff = factories.ManagerFactory(username="staff-user")
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(staff)
    response = client.patch(f"/api/v1/offers/{network.public.pk}/", {"name": "x"}, format="json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


def test_a_signed_in_user_of_no_partner_sees_nothing(network):
    client = APIClient()
    client.force_login(factories.UserFactory(password=None))
    for resource in RESOURCES:
        assert ids(client.get(f"/api/v1/{resource}/")) == set()
    assert client.get(f"/api/v1/offers/{network.public.pk}/").status_code == 404
