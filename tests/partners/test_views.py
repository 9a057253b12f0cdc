"""The manager's advertiser and affiliate pages: create, edit, suspend; tokens, secrets, allowlists, partner IDs."""

import pytest
from django.db import IntegrityError

from partners.models import Advertiser, Affiliate
from tests import factories

pytestmark = pytest.mark.django_db


# --- advertisers ---------------------------------------------------------------------------------------------


def test_creating_an_advertiser_stores_its_allowlist_as_a_list(manager_client):
    response = manager_client.post(
        "/manage/advertisers/new/",
        {"name": "Acme", "status": "active", "postback_ip_allowlist": "192.0.2.10\n 198.51.100.0/24 , 2001:db8::1\n"},
    )

    advertiser = Advertiser.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/manage/advertisers/{advertiser.pk}/"
    assert advertiser.name == "Acme"
    assert advertiser.postback_ip_allowlist == ["192.0.2.10", "198.51.100.0/24", "2001:db8::1"]
    assert advertiser.require_signature is False


def test_the_advertiser_form_explains_a_bad_allowlist_entry_and_a_missing_name(manager_client):
    response = manager_client.post(
        "/manage/advertisers/new/", {"name": "", "status": "active", "postback_ip_allowlist": "192.0.2.10\nlocalhost"}
    )

    assert response.status_code == 400
    assert response.context["form"].errors == {
        "name": ["This field is required."],
        "postback_ip_allowlist": ["Not an IP address or CIDR network: localhost."],
    }
    assert not Advertiser.objects.exists()


def test_the_edit_form_shows_the_allowlist_one_entry_a_line(manager_client):
    advertiser = factories.AdvertiserFactory(postback_ip_allowlist=["192.0.2.10", "198.51.100.0/24"])

    response = manager_client.get(f"/manage/advertisers/{advertiser.pk}/edit/")

    assert b"192.0.2.10\n198.51.100.0/24</textarea>" in response.content


def test_editing_an_advertiser_can_empty_its_allowlist_and_require_signatures(manager_client):
    advertiser = factories.AdvertiserFactory(postback_ip_allowlist=["192.0.2.10"])

    manager_client.post(
        f"/manage/advertisers/{advertiser.pk}/edit/",
        {"name": advertiser.name, "status": "active", "postback_ip_allowlist": "", "require_signature": "on"},
    )

    advertiser.refresh_from_db()
    assert advertiser.postback_ip_allowlist == []
    assert advertiser.require_signature is True


def test_generating_then_rotating_the_security_token_replaces_it(manager_client):
    advertiser = factories.AdvertiserFactory()

    manager_client.post(f"/manage/advertisers/{advertiser.pk}/token/")
    advertiser.refresh_from_db()
    first = advertiser.security_token
    manager_client.post(f"/manage/advertisers/{advertiser.pk}/token/")
    advertiser.refresh_from_db()

    assert len(first) >= 24
    assert advertiser.security_token and advertiser.security_token != first


def test_the_advertiser_page_shows_its_token_and_removing_it_clears_it(manager_client):
    advertiser = factories.AdvertiserFactory(security_token="s3cret-token")

    page = manager_client.get(f"/manage/advertisers/{advertiser.pk}/")
    manager_client.post(f"/manage/advertisers/{advertiser.pk}/token/clear/")

    assert b"s3cret-token" in page.content
    advertiser.refresh_from_db()
    assert advertiser.security_token == ""


def test_an_advertiser_created_in_the_portal_has_a_token_and_requires_it(manager_client):
    manager_client.post("/manage/advertisers/new/", {"name": "Acme", "status": "active", "token_required": "on"})

    advertiser = Advertiser.objects.get()
    assert len(advertiser.security_token) >= 24
    assert advertiser.token_required is True


def test_removing_the_token_turns_its_requirement_off_and_the_page_warns(manager_client):
    advertiser = factories.AdvertiserFactory()

    manager_client.post(f"/manage/advertisers/{advertiser.pk}/token/clear/")
    page = manager_client.get(f"/manage/advertisers/{advertiser.pk}/")
    form = manager_client.get(f"/manage/advertisers/{advertiser.pk}/edit/")

    advertiser.refresh_from_db()
    assert (advertiser.security_token, advertiser.token_required) == ("", False)
    assert b'id="token-warning"' in page.content
    assert b'id="token-warning"' in form.content


def test_generating_a_token_after_removing_it_requires_it_again(manager_client):
    advertiser = factories.AdvertiserFactory(security_token="", token_required=False)

    manager_client.post(f"/manage/advertisers/{advertiser.pk}/token/")
    page = manager_client.get(f"/manage/advertisers/{advertiser.pk}/")

    advertiser.refresh_from_db()
    assert advertiser.security_token and advertiser.token_required is True
    assert b'id="token-warning"' not in page.content


def test_a_manager_turns_the_token_requirement_off_on_the_form_and_back_on(manager_client):
    advertiser = factories.AdvertiserFactory()
    fields = {"name": advertiser.name, "status": "active", "postback_ip_allowlist": ""}

    manager_client.post(f"/manage/advertisers/{advertiser.pk}/edit/", fields)
    advertiser.refresh_from_db()
    off = (advertiser.token_required, advertiser.security_token)
    page = manager_client.get(f"/manage/advertisers/{advertiser.pk}/")
    manager_client.post(f"/manage/advertisers/{advertiser.pk}/edit/", {**fields, "token_required": "on"})
    advertiser.refresh_from_db()

    assert off == (False, factories.SECURITY_TOKEN)  # kept: partner-ID postbacks still use it
    assert b'id="token-warning"' in page.content
    assert advertiser.token_required is True


def test_the_database_refuses_a_required_token_that_is_empty(db):
    with pytest.raises(IntegrityError):
        Advertiser.objects.create(name="Acme", security_token="", token_required=True)


def test_rotating_the_signing_secret_keeps_the_previous_one_valid(manager_client):
    advertiser = factories.AdvertiserFactory(signing_secret="old-secret")

    manager_client.post(f"/manage/advertisers/{advertiser.pk}/signing-secret/")

    advertiser.refresh_from_db()
    assert advertiser.signing_secret_previous == "old-secret"
    assert advertiser.signing_secret not in ("", "old-secret")


def test_suspending_and_reactivating_an_advertiser(manager_client):
    advertiser = factories.AdvertiserFactory()

    manager_client.post(f"/manage/advertisers/{advertiser.pk}/status/", {"status": "suspended"})
    advertiser.refresh_from_db()
    assert advertiser.status == Advertiser.Status.SUSPENDED

    manager_client.post(f"/manage/advertisers/{advertiser.pk}/status/", {"status": "active"})
    advertiser.refresh_from_db()
    assert advertiser.status == Advertiser.Status.ACTIVE


def test_an_unknown_advertiser_status_changes_nothing(manager_client):
    advertiser = factories.AdvertiserFactory()

    response = manager_client.post(f"/manage/advertisers/{advertiser.pk}/status/", {"status": "deleted"}, follow=True)

    assert b"Unknown status" in response.content
    advertiser.refresh_from_db()
    assert advertiser.status == Advertiser.Status.ACTIVE


def test_the_advertiser_list_filters_by_status_and_name(manager_client):
    factories.AdvertiserFactory(name="Acme Shop")
    factories.AdvertiserFactory(name="Bolt Bikes", status=Advertiser.Status.SUSPENDED)

    suspended = manager_client.get("/manage/advertisers/", {"status": "suspended"})
    searched = manager_client.get("/manage/advertisers/", {"q": "acme"})

    assert [a.name for a in suspended.context["object_list"]] == ["Bolt Bikes"]
    assert [a.name for a in searched.context["object_list"]] == ["Acme Shop"]


# --- affiliates ----------------------------------------------------------------------------------------------


def test_creating_an_affiliate_gives_it_a_partner_id(manager_client):
    response = manager_client.post(
        "/manage/affiliates/new/",
        {"name": "Blue Coupons", "status": "active", "contact_email": "ops@blue.example", "website": "blue.example"},
    )

    affiliate = Affiliate.objects.get()
    assert response["Location"] == f"/manage/affiliates/{affiliate.pk}/"
    assert affiliate.website == "https://blue.example"
    page = manager_client.get(response["Location"])
    assert f"aff_id={affiliate.pk}".encode() in page.content


def test_the_affiliate_form_explains_invalid_fields(manager_client):
    response = manager_client.post(
        "/manage/affiliates/new/", {"name": "", "status": "gone", "contact_email": "not-an-email", "website": ""}
    )

    assert response.status_code == 400
    assert response.context["form"].errors == {
        "name": ["This field is required."],
        "status": ["Select a valid choice. gone is not one of the available choices."],
        "contact_email": ["Enter a valid email address."],
    }
    assert not Affiliate.objects.exists()


def test_approving_then_suspending_an_affiliate(manager_client):
    affiliate = factories.AffiliateFactory(status=Affiliate.Status.PENDING)

    manager_client.post(f"/manage/affiliates/{affiliate.pk}/status/", {"status": "active"})
    affiliate.refresh_from_db()
    assert affiliate.status == Affiliate.Status.ACTIVE

    manager_client.post(f"/manage/affiliates/{affiliate.pk}/status/", {"status": "suspended"})
    affiliate.refresh_from_db()
    assert affiliate.status == Affiliate.Status.SUSPENDED


def test_editing_an_affiliate_keeps_its_partner_id(manager_client):
    affiliate = factories.AffiliateFactory(name="Old Name")

    manager_client.post(
        f"/manage/affiliates/{affiliate.pk}/edit/",
        {"name": "New Name", "status": "active", "contact_email": "", "website": ""},
    )

    assert Affiliate.objects.get().pk == affiliate.pk
    assert Affiliate.objects.get().name == "New Name"


def test_the_affiliate_list_searches_by_partner_id(manager_client):
    wanted = factories.AffiliateFactory(name="Deal Hunters")
    factories.AffiliateFactory(name="Other")

    response = manager_client.get("/manage/affiliates/", {"q": str(wanted.pk)})

    assert list(response.context["object_list"]) == [wanted]
