"""Rotating an affiliate's postback secret (by the affiliate on its Postbacks page, by a manager on the affiliate's
page, or through the API): a new secret signs from then on and the previous one signs beside it, as a second v1=,
for the grace period. And what the Postbacks page tells an affiliate about checking the signature."""

import html
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from conversions import signing
from partners.models import POSTBACK_SECRET_GRACE, Affiliate
from partners.services import affiliate_rotate_postback_secret
from tests import factories

pytestmark = pytest.mark.django_db


def test_a_rotation_keeps_the_previous_secret_signing_beside_the_new_one_until_the_grace_period_ends(affiliate):
    first = affiliate.postback_secret
    assert affiliate.postback_signing_secrets() == [first]
    rotated = affiliate_rotate_postback_secret(affiliate=affiliate)
    assert rotated.postback_secret not in ("", first) and rotated.postback_secret_previous == first
    assert rotated.postback_signing_secrets() == [rotated.postback_secret, first]
    header = signing.sign_with(rotated.postback_signing_secrets(), "cid=7", 1_700_000_000)
    for secret in (rotated.postback_secret, first):  # a verifier holding either secret accepts it
        assert signing.verify(header, "cid=7", [secret], now=1_700_000_000, tolerance=300)[0]
    with time_machine.travel(timezone.now() + POSTBACK_SECRET_GRACE + timedelta(seconds=1)):
        assert rotated.postback_signing_secrets() == [rotated.postback_secret]
    again = affiliate_rotate_postback_secret(affiliate=rotated)
    assert again.postback_signing_secrets() == [again.postback_secret, rotated.postback_secret]


def test_the_affiliate_rotates_its_secret_from_its_postbacks_page(client, affiliate_user):
    client.force_login(affiliate_user)
    affiliate = affiliate_user.membership.affiliate
    before = affiliate.postback_secret
    response = client.post(reverse("affiliate:postback_secret_rotate"))
    assert response.status_code == 302 and response["Location"].endswith("#signature")
    affiliate.refresh_from_db()
    assert affiliate.postback_secret != before and affiliate.postback_secret_previous == before
    page = html.unescape(client.get(reverse("affiliate:postbacks")).content.decode())
    # Both secrets, and examples that list both, while the grace period lasts.
    assert page.count(affiliate.postback_secret) >= 4 and page.count(before) >= 4
    assert "until" in page


def test_the_postbacks_page_says_how_to_check_a_signature_and_what_a_4xx_does(client, affiliate_user):
    client.force_login(affiliate_user)
    page = html.unescape(client.get(reverse("affiliate:postbacks")).content.decode())
    for words in (
        "raw query string as you received it",
        "as its literal UTF-8 text",
        "do not decode it",
        "more than 300 seconds from your clock",
        "Any other 4xx fails the delivery at once",
        "408",
        "429",
        "tally_postback.py",
        "tally_postback.php",
        "tally_postback.js",
    ):
        assert words in page, words
    assert page.count(affiliate_user.membership.affiliate.postback_secret) >= 4  # shown once, in each example


def test_rotating_needs_a_post_from_an_active_affiliate(client, affiliate_user):
    client.force_login(affiliate_user)
    assert client.get(reverse("affiliate:postback_secret_rotate")).status_code == 405
    Affiliate.objects.filter(pk=affiliate_user.membership.affiliate_id).update(status="suspended")
    assert client.post(reverse("affiliate:postback_secret_rotate")).status_code == 403


def test_a_manager_rotates_an_affiliates_secret_from_its_page(manager_client, affiliate):
    before = affiliate.postback_secret
    page = manager_client.get(reverse("manager:affiliate_detail", args=[affiliate.pk])).content.decode()
    assert reverse("manager:affiliate_rotate_postback_secret", args=[affiliate.pk]) in page
    response = manager_client.post(reverse("manager:affiliate_rotate_postback_secret", args=[affiliate.pk]))
    assert response.status_code == 302
    affiliate.refresh_from_db()
    assert (affiliate.postback_secret_previous, affiliate.postback_secret != before) == (before, True)
    page = manager_client.get(reverse("manager:affiliate_detail", args=[affiliate.pk])).content.decode()
    assert "Previous signs until" in page and affiliate.postback_secret not in page


def test_only_managers_and_the_affiliate_itself_rotate_through_the_api(manager):
    mine, theirs = factories.AffiliateFactory(), factories.AffiliateFactory()
    me = factories.MembershipFactory(affiliate=mine).user
    advertiser = factories.MembershipFactory(advertiser=factories.AdvertiserFactory()).user

    def call(user, affiliate):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {Token.objects.get_or_create(user=user)[0].key}")
        return client.post(f"/api/v1/affiliates/{affiliate.pk}/rotate-postback-secret/")

    response = call(me, mine)
    mine.refresh_from_db()
    assert response.status_code == 200
    assert response.json()["postback_secret"] == mine.postback_secret
    assert response.json()["postback_secret_previous"] == mine.postback_secret_previous != ""
    assert call(me, theirs).status_code == 404
    assert call(advertiser, theirs).status_code == 403
    before = theirs.postback_secret
    assert call(manager, theirs).status_code == 200
    theirs.refresh_from_db()
    assert theirs.postback_secret_previous == before
