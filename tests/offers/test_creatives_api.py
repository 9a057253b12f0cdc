"""/api/v1/creatives/, categories/ and tags/: creatives read within one's scope (an affiliate's with its own tracking
link and snippet), uploaded and deleted by managers; categories and tags read by all, written by managers."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from offers.models import Category, Creative, Tag
from tests import factories
from tests.api.helpers import ids
from tests.factories import small_png

URL = "/api/v1/creatives/"


@pytest.fixture
def creatives(network):
    return {
        "public": factories.CreativeFactory(offer=network.public),
        "private": factories.CreativeFactory(offer=network.private),  # affiliate A has access, B has not
        "gated": factories.CreativeFactory(offer=network.gated),  # nobody approved
        "other": factories.CreativeFactory(offer=network.other),  # advertiser Y's
    }


def test_each_role_lists_the_creatives_in_its_scope(api, creatives):
    pk = {name: creative.pk for name, creative in creatives.items()}

    assert ids(api("manager").get(URL)) == set(pk.values())
    assert ids(api("affiliate_a").get(URL)) == {pk["public"], pk["private"], pk["other"]}
    assert ids(api("affiliate_b").get(URL)) == {pk["public"], pk["other"]}
    assert ids(api("advertiser").get(URL)) == {pk["public"], pk["private"], pk["gated"]}
    assert api("anonymous").get(URL).status_code == 401


def test_a_creative_outside_ones_scope_is_404(api, creatives):
    assert api("affiliate_b").get(f"{URL}{creatives['private'].pk}/").status_code == 404
    assert api("advertiser").get(f"{URL}{creatives['other'].pk}/").status_code == 404


def test_an_affiliate_gets_its_tracking_link_and_snippet(api, network, creatives):
    row = api("affiliate_a").get(f"{URL}{creatives['public'].pk}/").json()

    link = f"http://testserver/click?offer_id={network.public.pk}&aff_id={network.aff_a.pk}"
    assert row["tracking_link"] == link
    assert row["snippet"].startswith(f'<a href="{link.replace("&", "&amp;")}"><img src="http://testserver/creative/')
    assert row["image_url"] == f"http://testserver/creatives/{creatives['public'].pk}/image/"
    assert "image" not in row  # the upload field is write-only


def test_a_manager_gets_no_tracking_link(api, creatives):
    row = api("manager").get(f"{URL}{creatives['public'].pk}/").json()
    assert row["tracking_link"] is None and row["snippet"] is None


def test_a_manager_uploads_a_banner_as_multipart(api, network):
    image = SimpleUploadedFile("b.png", small_png(120, 600), content_type="image/png")

    response = api("manager").post(
        URL, {"offer": network.public.pk, "kind": "banner", "name": "Skyscraper", "image": image}, format="multipart"
    )

    assert response.status_code == 201, response.content
    assert (response.json()["width"], response.json()["height"], response.json()["content_type"]) == (
        120,
        600,
        "image/png",
    )


def test_an_uploaded_svg_is_a_400_naming_the_image_field(api, network):
    svg = SimpleUploadedFile("b.png", b"<svg xmlns='http://www.w3.org/2000/svg'/>", content_type="image/png")

    response = api("manager").post(
        URL, {"offer": network.public.pk, "kind": "banner", "name": "Bad", "image": svg}, format="multipart"
    )

    assert response.status_code == 400
    assert "SVG is not accepted" in response.json()["image"][0]
    assert not Creative.objects.exists()


def test_a_text_link_is_created_as_json(api, network):
    response = api("manager").post(
        URL, {"offer": network.public.pk, "kind": "text_link", "name": "Link", "text": "Shop now"}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["image_url"] is None


def test_affiliates_and_advertisers_cannot_upload_or_delete(api, network, creatives):
    body = {"offer": network.public.pk, "kind": "text_link", "name": "x", "text": "y"}
    for role in ("affiliate_a", "advertiser"):
        assert api(role).post(URL, body, format="json").status_code == 403
        assert api(role).delete(f"{URL}{creatives['public'].pk}/").status_code == 403
    assert api("manager").delete(f"{URL}{creatives['public'].pk}/").status_code == 204


def test_categories_and_tags_are_read_by_all_and_written_by_managers(api, network):
    assert api("manager").post("/api/v1/categories/", {"name": "Travel"}, format="json").status_code == 201
    assert api("manager").post("/api/v1/tags/", {"name": "mobile"}, format="json").status_code == 201
    assert api("affiliate_a").post("/api/v1/tags/", {"name": "x"}, format="json").status_code == 403
    assert [c["slug"] for c in api("affiliate_b").get("/api/v1/categories/").json()["results"]] == ["travel"]
    assert [t["name"] for t in api("advertiser").get("/api/v1/tags/").json()["results"]] == ["mobile"]
    assert api("manager").post("/api/v1/tags/", {"name": "Not A Slug"}, format="json").status_code == 400


def test_a_manager_sets_category_and_tags_on_an_offer(api, network):
    travel = Category.objects.create(name="Travel", slug="travel")
    Tag.objects.create(name="mobile")

    response = api("manager").patch(
        f"/api/v1/offers/{network.public.pk}/", {"category": travel.pk, "tags": ["mobile"]}, format="json"
    )

    assert response.status_code == 200, response.content
    assert response.json()["tags"] == ["mobile"] and response.json()["category"] == travel.pk
    assert (
        api("manager").patch(f"/api/v1/offers/{network.public.pk}/", {"tags": ["unknown"]}, format="json").status_code
        == 400
    )
