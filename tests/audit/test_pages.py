"""The audit trail as managers read it: who and from which address (from the request, the API's token too), an
object's History section, the network-wide page with its filters; nobody edits or deletes an entry through the
product."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from areas.manager.offer_forms import OfferForm
from audit.models import AuditEntry
from conversions.services import conversion_set_status
from offers import services as offers
from partners.services import advertiser_rotate_token, affiliate_rotate_postback_secret, affiliate_update
from tests import factories

pytestmark = pytest.mark.django_db


def offer_form_data(offer, user, **changes):
    """What the offer's edit page posts when a manager changes only `changes`: every field as the form shows it."""
    form = OfferForm(instance=offer, user=user)
    data = {"goals-TOTAL_FORMS": "0", "goals-INITIAL_FORMS": "0", "goals-MIN_NUM_FORMS": "0"}
    for name in form.fields:
        value = form[name].value()
        if value is True:
            data[name] = "on"
        elif value is not None and value is not False:
            data[name] = [str(v) for v in value] if isinstance(value, list | tuple) else str(value)
    data.update(changes)
    return data


def test_a_portal_edit_records_the_signed_in_manager_and_the_client_address(client, manager):
    offer = factories.OfferFactory(payout=Decimal("4.00"))
    client.force_login(manager)

    response = client.post(
        f"/manage/offers/{offer.pk}/edit/",
        offer_form_data(offer, manager, payout="5.25"),
        REMOTE_ADDR="198.51.100.7",
    )

    assert response.status_code == 302, response.context["form"].errors
    [entry] = AuditEntry.objects.filter(object_type="offers.offer", object_id=str(offer.pk))
    assert (entry.actor_id, entry.actor_name, entry.ip) == (manager.pk, manager.username, "198.51.100.7")
    assert {"field": "payout", "old": "4.00", "new": "5.25"} in entry.changes


def test_behind_a_trusted_proxy_the_address_is_the_forwarded_one(client, manager, settings):
    settings.TALLY_TRUSTED_PROXY_COUNT = 1
    advertiser = factories.AdvertiserFactory()
    client.force_login(manager)

    client.post(
        f"/manage/advertisers/{advertiser.pk}/signing-secret/",
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="203.0.113.50, 192.0.2.99",
    )

    [entry] = AuditEntry.objects.all()
    assert entry.action == "rotate" and entry.ip == "192.0.2.99" and entry.actor_name == manager.username


def test_an_api_change_with_a_token_records_the_tokens_user():
    manager = factories.ManagerFactory()
    offer = factories.OfferFactory(payout=Decimal("1.00"))
    api = APIClient(REMOTE_ADDR="192.0.2.44")
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=manager).key}")

    response = api.patch(f"/api/v1/offers/{offer.pk}/", {"payout": "1.50"}, format="json")

    assert response.status_code == 200, response.content
    [entry] = AuditEntry.objects.all()
    assert (entry.actor_name, entry.ip) == (manager.username, "192.0.2.44")


def test_an_application_from_the_sign_up_page_is_recorded_as_anonymous_with_its_address(client):
    client.post(
        "/signup/",
        {
            "company": "Newcomer Media",
            "contact_name": "Nia",
            "email": "nia@newcomer.example",
            "password1": "a-long-passphrase-42",
            "password2": "a-long-passphrase-42",
            "website": "https://newcomer.example",
            "traffic_sources": "newsletter",
            "accept_terms": "on",
        },
        REMOTE_ADDR="192.0.2.80",
    )

    entry = AuditEntry.objects.get(object_type="partners.affiliate")
    assert (entry.action, entry.actor_name, entry.ip) == ("create", "anonymous", "192.0.2.80")


def test_the_offer_page_shows_its_history_with_each_change(manager_client):
    offer = factories.OfferFactory(payout=Decimal("2.00"))
    offers.offer_update(offer=offer, payout=Decimal("2.75"))
    offers.goal_create(offer=offer, name="registration")
    offers.offer_update(offer=factories.OfferFactory(), name="Someone else's offer")

    page = manager_client.get(f"/manage/offers/{offer.pk}/").content.decode()

    history = page[page.index('id="history"') :]
    assert "<del>2.00</del> → <ins>2.75</ins>" in history
    assert "registration" in history
    assert "Someone else" not in history
    assert f"object_type=offers.offer&amp;object_id={offer.pk}" in history


@pytest.mark.parametrize("kind", ["advertiser", "affiliate", "conversion"])
def test_advertiser_affiliate_and_conversion_pages_have_a_history(manager_client, manager, kind):
    factory = {
        "advertiser": factories.AdvertiserFactory,
        "affiliate": factories.AffiliateFactory,
        "conversion": factories.ConversionFactory,
    }[kind]
    obj = factory()
    if kind == "conversion":
        conversion_set_status(conversion=obj, status="rejected", reason="test traffic", user=manager)
    elif kind == "advertiser":
        advertiser_rotate_token(advertiser=obj)
    else:
        affiliate_update(affiliate=obj, name="Renamed affiliate")

    page = manager_client.get(f"/manage/{kind}s/{obj.pk}/").content.decode()

    history = page[page.index('id="history"') :]
    assert {"advertiser": "rotated", "affiliate": "Renamed affiliate", "conversion": "test traffic"}[kind] in history


def test_the_network_wide_page_filters_by_actor_type_action_and_dates(client):
    alice, bob = factories.ManagerFactory(username="alice"), factories.ManagerFactory(username="bob")
    offer, affiliate = factories.OfferFactory(), factories.AffiliateFactory()
    client.force_login(alice)
    client.post(f"/manage/affiliates/{affiliate.pk}/postback-secret/")
    client.force_login(bob)
    offers.offer_update(offer=offer, name="Renamed by system")
    affiliate_update(affiliate=affiliate, name="Edited by system")
    affiliate_rotate_postback_secret(affiliate=affiliate)
    old = AuditEntry.objects.order_by("seq").first()
    AuditEntry.objects.filter(pk=old.pk).update(at=timezone.now() - timedelta(days=10))  # (breaks the chain; fine here)

    def rows(**filters):
        page = client.get("/manage/audit/", filters)
        assert page.status_code == 200
        return [e.seq for e in page.context["object_list"]]

    assert rows() == [4, 3, 2, 1]
    assert rows(actor="alice") == [1]
    assert rows(object_type="offers.offer") == [2]
    assert rows(action="rotate") == [4, 1]
    assert rows(object_type="partners.affiliate", object_id=str(affiliate.pk), action="update") == [3]
    today = timezone.localdate().isoformat()
    assert rows(date_from=today) == [4, 3, 2]
    assert rows(date_to=(timezone.localdate() - timedelta(days=5)).isoformat()) == [1]


def test_the_admin_shows_entries_but_cannot_add_change_or_delete_them(client):
    offer = factories.OfferFactory()
    offers.offer_update(offer=offer, name="Changed")
    entry = AuditEntry.objects.get()
    superuser = factories.ManagerFactory(is_superuser=True)
    client.force_login(superuser)

    assert client.get("/admin/audit/auditentry/").status_code == 200
    assert client.get(f"/admin/audit/auditentry/{entry.pk}/change/").status_code == 200  # a read-only view
    assert client.post(f"/admin/audit/auditentry/{entry.pk}/change/", {"note": "x"}).status_code == 403
    assert client.get("/admin/audit/auditentry/add/").status_code == 403
    assert client.post(f"/admin/audit/auditentry/{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    bulk = client.post(
        "/admin/audit/auditentry/", {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"}
    )
    assert bulk.status_code in (200, 302, 403)
    assert client.post("/admin/audit/audithead/1/change/", {"seq": "0"}).status_code == 403
    entry.refresh_from_db()
    assert AuditEntry.objects.count() == 1 and entry.note == ""


def test_the_api_has_no_way_to_write_the_trail():
    manager = factories.ManagerFactory()
    api = APIClient()
    api.force_authenticate(manager)

    for path in ("/api/v1/audit/", "/api/v1/audit-entries/", "/api/v1/audit-entries/1/"):
        assert api.post(path, {"note": "x"}, format="json").status_code in (404, 405)
        assert api.delete(path).status_code in (404, 405)
    assert "audit" not in api.get("/api/v1/").json()


@pytest.mark.parametrize("role", ["affiliate_user", "advertiser_user"])
def test_partners_cannot_read_the_trail(client, request, role):
    offers.offer_update(offer=factories.OfferFactory(), name="Changed")
    client.force_login(request.getfixturevalue(role))

    assert client.get("/manage/audit/").status_code == 403


def test_hostile_values_in_an_entry_are_escaped_on_both_pages(manager_client):
    hostile = "<script>alert('audit')</script>"
    offer = factories.OfferFactory()
    offers.offer_update(offer=offer, name=hostile, description=hostile)

    for path in ("/manage/audit/", f"/manage/offers/{offer.pk}/"):
        page = manager_client.get(path).content.decode()
        assert hostile not in page, path
        assert "&lt;script&gt;alert(&#x27;audit&#x27;)&lt;/script&gt;" in page, path
