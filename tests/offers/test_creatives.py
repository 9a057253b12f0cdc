"""Creatives (README.md, Creatives): a manager uploads banners, text links and e-mails per offer; images are checked
by content; they are served only as images, and each user sees only the creatives of offers in their scope."""

import io
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from offers.models import Creative, Offer, OfferAccess
from tests import factories
from tests.factories import small_png

pytestmark = pytest.mark.django_db


def upload(manager_client, offer, name="banner.png", data=None, content_type="image/png", kind="banner", **extra):
    image = SimpleUploadedFile(name, data if data is not None else small_png(300, 250), content_type=content_type)
    payload = {"kind": kind, "name": "Summer banner", "image": image, "subject": "", "text": "", **extra}
    return manager_client.post(reverse("manager:offer_creatives", args=[offer.pk]), payload)


def test_a_png_banner_is_stored_with_its_real_type_and_size(manager_client, offer):
    response = upload(manager_client, offer)

    assert response.status_code == 302
    creative = Creative.objects.get()
    assert (creative.kind, creative.content_type, creative.width, creative.height) == ("banner", "image/png", 300, 250)
    assert creative.image.name.startswith(f"creatives/{offer.pk}/") and creative.image.name.endswith(".png")
    assert "banner" not in creative.image.name.rsplit("/", 1)[1]  # a random name, never the uploader's
    assert creative.image.read().startswith(b"\x89PNG")


def test_a_jpeg_named_png_is_stored_as_the_jpeg_it_is(manager_client, offer):
    buffer = io.BytesIO()
    Image.new("RGB", (120, 60), (0, 0, 255)).save(buffer, format="JPEG")

    upload(manager_client, offer, name="looks.png", data=buffer.getvalue())

    creative = Creative.objects.get()
    assert creative.content_type == "image/jpeg" and creative.image.name.endswith(".jpg")


def test_an_html_file_renamed_png_is_refused(manager_client, offer):
    html = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"

    response = upload(manager_client, offer, name="banner.png", data=html)

    assert response.status_code == 400
    assert "not a PNG, JPEG, GIF or WebP image" in response.content.decode()
    assert not Creative.objects.exists()


def test_an_svg_is_refused_because_it_can_carry_script(manager_client, offer):
    svg = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect/></svg>'

    response = upload(manager_client, offer, name="banner.svg", data=svg, content_type="image/svg+xml")

    assert response.status_code == 400
    assert "SVG is not accepted" in response.content.decode()
    assert not Creative.objects.exists()


def test_a_file_that_is_no_image_at_all_is_refused(manager_client, offer):
    response = upload(manager_client, offer, data=b"\x00\x01 just some bytes, no image" * 10)

    assert response.status_code == 400
    assert "not an image Tally can read" in response.content.decode()


def test_an_image_larger_than_the_limits_is_refused(manager_client, offer, settings):
    settings.TALLY_CREATIVE_MAX_WIDTH = 728

    response = upload(manager_client, offer, data=small_png(729, 90))

    assert response.status_code == 400
    assert "729×90 px" in response.content.decode() and "at most 728×2000 px" in response.content.decode()
    assert not Creative.objects.exists()


def test_a_file_over_the_byte_limit_is_refused(manager_client, offer, settings):
    settings.TALLY_CREATIVE_MAX_BYTES = 1024
    noisy = Image.frombytes("RGB", (64, 64), os.urandom(64 * 64 * 3))  # noise does not compress
    buffer = io.BytesIO()
    noisy.save(buffer, format="PNG")
    assert len(buffer.getvalue()) > 1024

    response = upload(manager_client, offer, data=buffer.getvalue())

    assert response.status_code == 400
    assert "images may be at most 1 KB" in response.content.decode()


def test_a_text_link_and_an_email_need_their_text(manager_client, offer):
    url = reverse("manager:offer_creatives", args=[offer.pk])
    bad = manager_client.post(url, {"kind": "text_link", "name": "Deal link", "text": ""})
    assert bad.status_code == 400 and "Write the text affiliates paste." in bad.content.decode()

    manager_client.post(url, {"kind": "text_link", "name": "Deal link", "text": "Save 10 % today"})
    manager_client.post(url, {"kind": "email", "name": "Mail", "subject": "Hi", "text": "Shop: {tracking_link}"})

    assert sorted(Creative.objects.values_list("kind", flat=True)) == ["email", "text_link"]


def test_deleting_a_creative_removes_its_file_once_committed(manager_client, offer, django_capture_on_commit_callbacks):
    upload(manager_client, offer)
    creative = Creative.objects.get()
    storage, name = creative.image.storage, creative.image.name
    assert storage.exists(name)

    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post(reverse("manager:creative_delete", args=[creative.pk]))

    assert response.status_code == 302
    assert not Creative.objects.exists()
    assert not storage.exists(name)


# --- Serving ----------------------------------------------------------------------------------------------------


def test_the_image_is_served_as_an_image_that_cannot_run_as_a_page(manager_client):
    creative = factories.CreativeFactory()

    response = manager_client.get(reverse("offers:creative_image", args=[creative.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"] == f'inline; filename="creative-{creative.pk}.png"'
    assert response["Content-Security-Policy"] == "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")


def test_the_public_url_serves_the_same_headers_to_anyone():
    creative = factories.CreativeFactory()

    response = Client().get(reverse("offers:creative_public", args=[creative.public_key]))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert response["Cross-Origin-Resource-Policy"] == "cross-origin"


def test_the_public_url_of_an_archived_offer_or_a_wrong_key_is_404():
    creative = factories.CreativeFactory(offer__status=Offer.Status.ARCHIVED)

    assert Client().get(reverse("offers:creative_public", args=[creative.public_key])).status_code == 404
    assert Client().get(reverse("offers:creative_public", args=["not-a-key"])).status_code == 404


def test_a_stored_type_that_is_not_an_image_is_never_served(manager_client):
    creative = factories.CreativeFactory(content_type="text/html")

    assert manager_client.get(reverse("offers:creative_image", args=[creative.pk])).status_code == 404


# --- Scoping ----------------------------------------------------------------------------------------------------


@pytest.fixture
def affiliate_client(affiliate_user):
    client = Client()
    client.force_login(affiliate_user)
    return client


def test_an_affiliate_sees_creatives_of_offers_it_may_run_only(affiliate_client, affiliate_user):
    affiliate = affiliate_user.membership.affiliate
    public = factories.CreativeFactory(offer__visibility=Offer.Visibility.PUBLIC)
    private = factories.CreativeFactory(offer__visibility=Offer.Visibility.PRIVATE)
    requestable = factories.CreativeFactory(offer__visibility=Offer.Visibility.APPROVAL_REQUIRED)
    granted = factories.CreativeFactory(offer__visibility=Offer.Visibility.PRIVATE)
    factories.OfferAccessFactory(offer=granted.offer, affiliate=affiliate, status=OfferAccess.Status.APPROVED)

    def status(creative):
        return affiliate_client.get(reverse("offers:creative_image", args=[creative.pk])).status_code

    assert (status(public), status(private), status(requestable), status(granted)) == (200, 404, 404, 200)


def test_an_affiliate_blocked_from_a_public_offer_no_longer_sees_its_creatives(affiliate_client, affiliate_user):
    creative = factories.CreativeFactory()
    factories.OfferAccessFactory(
        offer=creative.offer, affiliate=affiliate_user.membership.affiliate, status=OfferAccess.Status.BLOCKED
    )

    assert affiliate_client.get(reverse("offers:creative_image", args=[creative.pk])).status_code == 404


def test_an_advertiser_sees_only_its_own_offers_creatives(advertiser_user):
    client = Client()
    client.force_login(advertiser_user)
    own = factories.CreativeFactory(offer__advertiser=advertiser_user.membership.advertiser)
    other = factories.CreativeFactory()

    assert client.get(reverse("offers:creative_image", args=[own.pk])).status_code == 200
    assert client.get(reverse("offers:creative_image", args=[other.pk])).status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in():
    creative = factories.CreativeFactory()

    response = Client().get(reverse("offers:creative_image", args=[creative.pk]))

    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_the_affiliates_offer_page_shows_each_creative_with_its_own_tracking_link(affiliate_client, affiliate_user):
    affiliate = affiliate_user.membership.affiliate
    banner = factories.CreativeFactory(name='Big "sale" <banner>')
    factories.CreativeFactory(offer=banner.offer, kind="text_link", name="Link", image="", text="Save <b>now</b>")

    page = affiliate_client.get(reverse("affiliate:offer_detail", args=[banner.offer_id])).content.decode()

    link = f"http://testserver/click?offer_id={banner.offer_id}&amp;aff_id={affiliate.pk}"
    assert "Creatives" in page
    # The snippet is shown as text (escaped once more on the page), ready to copy.
    assert f"&lt;a href=&quot;{link.replace('&amp;', '&amp;amp;')}&quot;&gt;" in page
    assert f"/creative/{banner.public_key}" in page
    assert "Big &amp;quot;sale&amp;quot; &amp;lt;banner&amp;gt;" in page  # the alt text, escaped in the snippet
    assert "Save &amp;lt;b&amp;gt;now&amp;lt;/b&amp;gt;" in page
    assert "<b>now</b>" not in page


def test_the_affiliates_offer_page_shows_no_creatives_of_an_offer_it_may_only_ask_for(affiliate_client):
    creative = factories.CreativeFactory(offer__visibility=Offer.Visibility.APPROVAL_REQUIRED)

    page = affiliate_client.get(reverse("affiliate:offer_detail", args=[creative.offer_id])).content.decode()

    assert "Request access" in page
    assert f"/creatives/{creative.pk}/image/" not in page and "Creatives" not in page
