"""The OpenAPI schema at /api/schema/ and the docs page at /api/docs/ (served without any CDN)."""

import io
import re

import yaml
from django.core.management import call_command
from django.test import Client

from core.api import ROLE_HIDDEN_FIELDS

PATHS = {
    "/api/v1/advertisers/",
    "/api/v1/affiliates/",
    "/api/v1/offers/",
    "/api/v1/offer-access/",
    "/api/v1/goals/",
    "/api/v1/clicks/",
    "/api/v1/clicks/{transaction_id}/",
    "/api/v1/conversions/",
    "/api/v1/conversions/{id}/",
    "/api/v1/postback-log/",
}


def schema(client=None):
    response = (client or Client()).get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    return response.json()


def test_the_schema_is_public_openapi_3_with_every_resource(db):
    body = schema()
    assert body["openapi"].startswith("3.")
    assert set(body["paths"]) >= PATHS
    assert set(body["paths"]["/api/v1/conversions/{id}/"]) == {"get", "patch"}
    assert set(body["paths"]["/api/v1/clicks/"]) == {"get"}


def test_the_schema_generates_without_warnings_and_validates(db):
    out = io.StringIO()
    call_command("spectacular", "--validate", "--fail-on-warn", stdout=out)
    assert "/api/v1/offers/" in yaml.safe_load(out.getvalue())["paths"]


def test_choice_values_are_the_lower_case_words_of_the_spec(db):
    components = schema()["components"]["schemas"]
    assert components["OfferStatusEnum"]["enum"] == ["active", "paused", "archived"]
    assert components["VisibilityEnum"]["enum"] == ["public", "approval_required", "private"]
    assert components["PayoutTypeEnum"]["enum"] == ["cpa_flat", "cps_percent"]
    assert components["ConversionStatusEnum"]["enum"] == ["approved", "pending", "rejected"]


def test_fields_some_roles_never_receive_are_optional_in_responses(db):
    components = schema()["components"]["schemas"]
    assert ROLE_HIDDEN_FIELDS["Conversion"] == {"payout", "revenue", "adv_sub", "flags", "country"}
    for name, hidden in ROLE_HIDDEN_FIELDS.items():
        assert hidden <= set(components[name]["properties"]), name
        assert not hidden & set(components[name].get("required", [])), name
    assert "id" in components["Conversion"]["required"]


def test_the_security_token_is_documented_as_write_only_for_managers(db):
    components = schema()["components"]["schemas"]
    assert "security_token" in components["AdvertiserRequest"]["properties"]
    assert "security_token" not in components["Advertiser"].get("required", [])


def test_the_docs_page_loads_swagger_ui_from_tallys_own_static_files(db):
    client = Client()
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert any("swagger-ui-bundle.js" in asset for asset in assets)
    assert not [asset for asset in assets if asset.startswith(("http:", "https:", "//"))]
    bundle = next(asset for asset in assets if "swagger-ui-bundle.js" in asset)
    assert client.get(bundle).status_code == 200
