"""What generated API clients rely on: the token as `Authorization: Bearer` (their default), a schema that says so,
response fields marked required when every answer has them, and a filter value outside one's scope answered 400."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.api.helpers import ids
from tests.api.test_schema import schema


def bearer(user, token=None):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token or Token.objects.get_or_create(user=user)[0].key}")
    return client


def test_the_token_authenticates_as_bearer_too(network):
    assert ids(bearer(network.users["manager"]).get("/api/v1/offers/")) == {
        network.public.pk,
        network.gated.pk,
        network.private.pk,
        network.other.pk,
    }
    assert ids(bearer(network.users["affiliate_a"]).get("/api/v1/conversions/")) == {network.conv_a.pk}


def test_a_wrong_bearer_token_is_refused_with_401(network):
    assert bearer(network.users["manager"], token="0" * 40).get("/api/v1/offers/").status_code == 401


def test_the_token_keyword_still_works(api, network):
    assert ids(api("advertiser").get("/api/v1/offers/")) == {network.public.pk, network.gated.pk, network.private.pk}


def test_the_schema_offers_the_token_as_bearer_and_as_token(db):
    document = schema()
    schemes = document["components"]["securitySchemes"]
    assert schemes["bearerAuth"]["type"] == "http" and schemes["bearerAuth"]["scheme"] == "bearer"
    assert schemes["tokenAuth"]["in"] == "header"
    security = document["paths"]["/api/v1/offers/"]["get"]["security"]
    assert {"bearerAuth": []} in security and {"tokenAuth": []} in security


def test_fields_every_answer_has_are_required_in_responses(db):
    components = schema()["components"]["schemas"]
    assert {"id", "status", "transaction_id", "created_at", "goal"} <= set(components["Conversion"]["required"])
    assert {"status", "visibility", "currency", "session_hours"} <= set(components["Offer"]["required"])
    assert {"status", "postback_url"} <= set(components["Affiliate"]["required"])
    assert {"count", "next", "previous", "results"} <= set(components["PaginatedConversionList"]["required"])
    # Role-dependent fields stay optional; request bodies keep their own rules.
    assert "revenue" not in components["Conversion"]["required"]
    assert "security_token" not in components["Advertiser"]["required"]
    assert "status" not in components["OfferRequest"].get("required", [])


@pytest.mark.parametrize(
    ("role", "query"),
    [
        ("affiliate_b", lambda n: {"offer": n.private.pk}),  # a private offer it was not granted
        ("affiliate_a", lambda n: {"affiliate": n.aff_b.pk}),  # another affiliate
        ("advertiser", lambda n: {"offer": n.other.pk}),  # another advertiser's offer
    ],
)
def test_a_filter_value_outside_ones_scope_answers_400_like_one_that_does_not_exist(api, network, role, query):
    outside = api(role).get("/api/v1/conversions/", query(network))
    missing = api(role).get("/api/v1/conversions/", dict.fromkeys(query(network), 999999))
    assert (outside.status_code, missing.status_code) == (400, 400), (outside.content, missing.content)
    assert set(outside.json()) == set(query(network))
