"""The offer's targeting fields in the API (/api/v1/offers/) and its schema: typed lists, validated like the form."""

import pytest

from offers.models import Offer
from tests.api.conftest import api, network  # noqa: F401 -- fixtures
from tests.api.test_schema import schema

pytestmark = pytest.mark.django_db

URL = "/api/v1/offers/"


def test_the_schema_types_the_targeting_fields_as_lists_of_known_values():
    offer = schema()["components"]["schemas"]["Offer"]["properties"]

    countries = offer["allowed_countries"]
    assert countries["type"] == "array"
    assert "US" in _enum(countries["items"]) and "XX" not in _enum(countries["items"])
    assert offer["blocked_countries"]["type"] == "array"
    assert set(_enum(offer["allowed_devices"]["items"])) == {"desktop", "mobile", "tablet"}
    assert "android" in _enum(offer["allowed_os"]["items"])


def _enum(items):
    if "enum" in items:
        return items["enum"]
    ref = items["$ref"].rsplit("/", 1)[-1]
    return schema()["components"]["schemas"][ref]["enum"]


def test_a_manager_sets_targeting_through_the_api(api, network):  # noqa: F811
    offer = network.public
    response = api("manager").patch(
        f"{URL}{offer.pk}/",
        {"allowed_countries": ["US", "CA"], "allowed_devices": ["mobile"], "allowed_os": ["ios"]},
        format="json",
    )

    assert response.status_code == 200, response.content
    offer.refresh_from_db()
    assert (offer.allowed_countries, offer.allowed_devices, offer.allowed_os) == (["US", "CA"], ["mobile"], ["ios"])
    assert api("affiliate_a").get(f"{URL}{offer.pk}/").json()["allowed_countries"] == ["US", "CA"]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"allowed_countries": ["US", "XX"]}, "allowed_countries"),
        ({"allowed_countries": "US"}, "allowed_countries"),
        ({"allowed_devices": ["toaster"]}, "allowed_devices"),
        ({"allowed_os": [7]}, "allowed_os"),
        ({"allowed_countries": ["US"], "blocked_countries": ["US"]}, "blocked_countries"),
        ({"blocked_countries": ["DE", "DE"]}, "blocked_countries"),
    ],
)
def test_bad_targeting_is_a_400_naming_the_field(api, network, payload, field):  # noqa: F811
    offer = network.public

    response = api("manager").patch(f"{URL}{offer.pk}/", payload, format="json")

    assert response.status_code == 400, response.content
    assert field in response.json()
    offer.refresh_from_db()
    assert offer.allowed_countries == [] and offer.blocked_countries == []
    assert Offer.objects.filter(allowed_devices=[]).count() == Offer.objects.count()
