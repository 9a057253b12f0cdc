"""Who reaches the manager portal: managers do; anonymous visitors sign in first; affiliates and advertisers get 403."""

import pytest

from conversions.models import Conversion, PostbackLog
from offers.models import Offer
from tests import factories
from tests.portal import postback_log

pytestmark = pytest.mark.django_db


@pytest.fixture
def network(db):
    """One of each object, so every detail page has something to show."""
    click = factories.ClickFactory()
    conversion = factories.ConversionFactory(click=click)
    access = factories.OfferAccessFactory(offer=click.offer, affiliate=click.affiliate)
    log = postback_log(params={"transaction_id": click.transaction_id}, offer=click.offer, conversion=conversion)
    return {"click": click, "conversion": conversion, "access": access, "log": log, "offer": click.offer}


def portal_pages(n):
    """Every manager page reachable by GET, as paths."""
    return [
        "/manage/",
        "/manage/offers/",
        "/manage/offers/new/",
        f"/manage/offers/{n['offer'].pk}/",
        f"/manage/offers/{n['offer'].pk}/edit/",
        "/manage/offers/preview/?template=https%3A%2F%2Fx.example%2F%7Btransaction_id%7D",
        "/manage/access/",
        f"/manage/access/{n['access'].pk}/edit/",
        "/manage/advertisers/",
        "/manage/advertisers/new/",
        f"/manage/advertisers/{n['offer'].advertiser_id}/",
        f"/manage/advertisers/{n['offer'].advertiser_id}/edit/",
        "/manage/affiliates/",
        "/manage/affiliates/new/",
        f"/manage/affiliates/{n['click'].affiliate_id}/",
        f"/manage/affiliates/{n['click'].affiliate_id}/edit/",
        "/manage/conversions/",
        f"/manage/conversions/{n['conversion'].pk}/",
        "/manage/postbacks/",
        f"/manage/postbacks/{n['log'].pk}/",
        "/manage/clicks/",
        f"/manage/clicks/{n['click'].transaction_id}/",
    ]


def portal_actions(n):
    """Every manager POST action, with a body that would change something if it were allowed."""
    offer, access, conversion, log = n["offer"], n["access"], n["conversion"], n["log"]
    return [
        (f"/manage/offers/{offer.pk}/archive/", {}),
        ("/manage/access/new/", {"offer": offer.pk, "affiliate": access.affiliate_id, "status": "blocked"}),
        (f"/manage/access/{access.pk}/status/", {"status": "blocked"}),
        (f"/manage/access/{access.pk}/edit/", {"status": "blocked", "payout": "1"}),
        (f"/manage/advertisers/{offer.advertiser_id}/status/", {"status": "suspended"}),
        (f"/manage/advertisers/{offer.advertiser_id}/token/", {}),
        (f"/manage/advertisers/{offer.advertiser_id}/token/clear/", {}),
        (f"/manage/advertisers/{offer.advertiser_id}/signing-secret/", {}),
        (f"/manage/affiliates/{access.affiliate_id}/status/", {"status": "suspended"}),
        (f"/manage/conversions/{conversion.pk}/status/", {"status": "rejected", "reason": "fraud"}),
        ("/manage/conversions/bulk/", {"conversions": [conversion.pk], "status": "rejected", "reason": "fraud"}),
        (f"/manage/postbacks/{log.pk}/replay/", {}),
    ]


def test_every_manager_page_opens_for_a_manager(manager_client, network):
    for path in portal_pages(network):
        response = manager_client.get(path)
        assert response.status_code == 200, path


def test_every_manager_page_sends_an_anonymous_visitor_to_sign_in(client, network):
    for path in portal_pages(network):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/login/?next=/manage/"), path


@pytest.mark.parametrize("role", ["affiliate_user", "advertiser_user"])
def test_every_manager_page_refuses_affiliates_and_advertisers(client, network, role, request):
    client.force_login(request.getfixturevalue(role))
    for path in portal_pages(network):
        response = client.get(path)
        assert response.status_code == 403, path


@pytest.mark.parametrize("role", ["affiliate_user", "advertiser_user", None])
def test_no_manager_action_changes_anything_for_anyone_else(client, network, role, request):
    if role:
        client.force_login(request.getfixturevalue(role))
    for path, data in portal_actions(network):
        response = client.post(path, data)
        assert response.status_code == (403 if role else 302), path
    offer = Offer.objects.get(pk=network["offer"].pk)
    assert offer.status == Offer.Status.ACTIVE
    assert offer.advertiser.status == "active"
    assert offer.advertiser.security_token == factories.SECURITY_TOKEN
    assert offer.advertiser.token_required is True
    assert offer.advertiser.signing_secret == ""
    assert Conversion.objects.get().status == Conversion.Status.APPROVED
    assert network["access"].__class__.objects.get().status == "approved"
    assert PostbackLog.objects.count() == 1


def test_manager_actions_accept_only_post(manager_client, network):
    for path, _ in portal_actions(network):
        if path.endswith("/edit/"):
            continue
        assert manager_client.get(path).status_code == 405, path


@pytest.mark.parametrize(
    ("role", "area"),
    [("manager", "/manage/"), ("affiliate_user", "/affiliate/"), ("advertiser_user", "/advertiser/")],
)
def test_the_front_door_sends_each_role_to_its_own_area(client, role, area, request):
    client.force_login(request.getfixturevalue(role))
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == area


def test_the_front_door_sends_anonymous_visitors_to_sign_in(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/login/"


def test_a_manager_signs_in_lands_on_the_portal_and_signs_out(client, manager):
    page = client.get("/login/")
    assert page.status_code == 200
    assert b'name="username"' in page.content

    response = client.post("/login/", {"username": manager.username, "password": "correct-horse-battery"}, follow=True)
    assert response.redirect_chain[-1][0] == "/manage/"
    assert b"Sign out" in response.content

    response = client.post("/logout/")
    assert response.status_code == 302
    assert response["Location"] == "/login/"
    assert client.get("/manage/").status_code == 302


def test_a_wrong_password_is_refused_with_a_message(client, manager):
    response = client.post("/login/", {"username": manager.username, "password": "wrong"})
    assert response.status_code == 200
    assert b"Please enter a correct username and password" in response.content
    assert "_auth_user_id" not in client.session


def test_a_refused_page_explains_itself_and_points_home(client, affiliate_user):
    client.force_login(affiliate_user)

    response = client.get("/manage/offers/")

    assert response.status_code == 403
    assert b"No access" in response.content
    assert b'href="/"' in response.content
