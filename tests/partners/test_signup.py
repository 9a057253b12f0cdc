"""Getting in as an affiliate: the public sign-up page, the pending state, and the manager's approve/reject."""

import pytest
from django.contrib.auth import get_user_model

from partners.models import Affiliate, PartnerStatus
from tests import factories

pytestmark = pytest.mark.django_db

APPLICATION = {
    "company": "Blue Coupons Ltd",
    "contact_name": "Ada Blue",
    "email": "ada@bluecoupons.example",
    "website": "bluecoupons.example",
    "traffic_sources": "Coupon site, weekly newsletter (40k)",
    "password1": "a-Long-unusual-passphrase-42",
    "password2": "a-Long-unusual-passphrase-42",
    "accept_terms": "on",
}


def apply(client, capture, **changes):
    with capture(execute=True):
        return client.post("/signup/", {**APPLICATION, **changes})


def test_an_applicant_becomes_a_pending_affiliate_with_a_login_and_is_signed_in(
    client, django_capture_on_commit_callbacks, mailoutbox
):
    factories.ManagerFactory(username="nina", email="nina@network.example")

    response = apply(client, django_capture_on_commit_callbacks)

    assert response.status_code == 302
    assert response["Location"] == "/affiliate/"
    affiliate = Affiliate.objects.get()
    assert affiliate.name == "Blue Coupons Ltd"
    assert affiliate.status == PartnerStatus.PENDING
    assert affiliate.contact_name == "Ada Blue"
    assert affiliate.contact_email == "ada@bluecoupons.example"
    assert affiliate.website == "https://bluecoupons.example"
    assert affiliate.traffic_sources == "Coupon site, weekly newsletter (40k)"
    assert affiliate.terms_accepted_at is not None
    user = get_user_model().objects.get(username="ada@bluecoupons.example")
    assert user.membership.affiliate == affiliate
    assert user.check_password("a-Long-unusual-passphrase-42")
    assert not user.is_staff
    assert int(client.session["_auth_user_id"]) == user.pk
    by_recipient = {tuple(message.to): message for message in mailoutbox}
    assert set(by_recipient) == {("ada@bluecoupons.example",), ("nina@network.example",)}
    assert "received your affiliate application" in by_recipient[("ada@bluecoupons.example",)].subject
    to_manager = by_recipient[("nina@network.example",)]
    assert to_manager.subject == "New affiliate application: Blue Coupons Ltd"
    assert f"http://testserver/manage/affiliates/{affiliate.pk}/" in to_manager.body


def test_a_pending_affiliate_sees_its_application_under_review_and_nothing_else(
    client, django_capture_on_commit_callbacks
):
    apply(client, django_capture_on_commit_callbacks)

    home = client.get("/affiliate/")
    offers = client.get("/affiliate/offers/")
    links = client.get("/affiliate/links/")

    assert home.status_code == 200
    assert b"Your application is under review" in home.content
    assert offers.status_code == 403
    assert links.status_code == 403
    assert b"Your application is under review" in offers.content


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"accept_terms": ""}, "accept_terms", "This field is required."),
        ({"password2": "something-else-entirely-9"}, "password2", "The two passwords differ."),
        ({"password1": "12345678", "password2": "12345678"}, "password1", "This password is too common."),
        ({"email": "not-an-email"}, "email", "Enter a valid email address."),
        ({"traffic_sources": ""}, "traffic_sources", "This field is required."),
    ],
)
def test_the_sign_up_form_explains_what_is_wrong_and_stores_nothing(
    client, django_capture_on_commit_callbacks, mailoutbox, changes, field, message
):
    response = apply(client, django_capture_on_commit_callbacks, **changes)

    assert response.status_code == 400
    assert message in response.context["form"].errors[field]
    assert not Affiliate.objects.exists()
    assert mailoutbox == []


def test_the_sign_up_refuses_an_email_address_that_already_has_an_account(client, django_capture_on_commit_callbacks):
    factories.UserFactory(username="someone", email="ADA@bluecoupons.example")

    response = apply(client, django_capture_on_commit_callbacks)

    assert response.status_code == 400
    assert response.context["form"].errors["email"] == ["An account with this email address already exists."]
    assert not Affiliate.objects.exists()


def _pending(email="ada@bluecoupons.example"):
    affiliate = factories.AffiliateFactory(
        name="Blue Coupons Ltd", status=PartnerStatus.PENDING, contact_email=email, contact_name="Ada"
    )
    factories.MembershipFactory(affiliate=affiliate, user=factories.UserFactory(username=email, email=email))
    return affiliate


def test_the_manager_sees_the_application_on_the_affiliate_page(manager_client):
    affiliate = _pending()
    affiliate.traffic_sources = "Newsletter"
    affiliate.save()

    response = manager_client.get(f"/manage/affiliates/{affiliate.pk}/")

    assert b"Application" in response.content
    assert b"Newsletter" in response.content
    assert f"/manage/affiliates/{affiliate.pk}/application/approve/".encode() in response.content
    assert f"/manage/affiliates/{affiliate.pk}/application/reject/".encode() in response.content


def test_approving_an_application_activates_the_affiliate_and_emails_the_applicant(
    manager_client, django_capture_on_commit_callbacks, mailoutbox
):
    affiliate = _pending()

    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post(f"/manage/affiliates/{affiliate.pk}/application/approve/")

    affiliate.refresh_from_db()
    assert response.status_code == 302
    assert affiliate.status == PartnerStatus.ACTIVE
    [message] = mailoutbox
    assert message.to == ["ada@bluecoupons.example"]
    assert message.subject == "Your affiliate application was approved"
    assert "http://testserver/login/" in message.body


def test_rejecting_an_application_suspends_the_affiliate_and_emails_the_reason(
    manager_client, django_capture_on_commit_callbacks, mailoutbox, client
):
    affiliate = _pending()

    with django_capture_on_commit_callbacks(execute=True):
        manager_client.post(
            f"/manage/affiliates/{affiliate.pk}/application/reject/", {"reason": "We only accept EU traffic."}
        )

    affiliate.refresh_from_db()
    assert affiliate.status == PartnerStatus.SUSPENDED
    assert affiliate.rejection_reason == "We only accept EU traffic."
    [message] = mailoutbox
    assert message.to == ["ada@bluecoupons.example"]
    assert "The reason: We only accept EU traffic." in message.body
    client.force_login(affiliate.members.get().user)
    page = client.get("/affiliate/")
    assert b"This affiliate account is not active" in page.content
    assert b"We only accept EU traffic." in page.content


def test_a_decided_application_is_not_decided_again(manager_client, django_capture_on_commit_callbacks, mailoutbox):
    affiliate = _pending()
    affiliate.status = PartnerStatus.ACTIVE
    affiliate.save()

    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post(f"/manage/affiliates/{affiliate.pk}/application/reject/", follow=True)

    affiliate.refresh_from_db()
    assert affiliate.status == PartnerStatus.ACTIVE
    assert b"already decided" in response.content
    assert mailoutbox == []


def test_only_managers_decide_applications(client, affiliate_user):
    affiliate = _pending(email="other@example.com")
    client.force_login(affiliate_user)

    response = client.post(f"/manage/affiliates/{affiliate.pk}/application/approve/")

    affiliate.refresh_from_db()
    assert response.status_code == 403
    assert affiliate.status == PartnerStatus.PENDING


def test_applications_past_the_per_address_limit_are_refused_429_and_make_no_affiliate(
    client, django_capture_on_commit_callbacks, settings
):
    settings.TALLY_SIGNUP_RATE_LIMIT = 2
    for n in range(2):
        assert apply(client, django_capture_on_commit_callbacks, email=f"a{n}@x.example").status_code == 302
        client.logout()

    refused = apply(client, django_capture_on_commit_callbacks, email="a2@x.example")

    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 3600
    assert "Too many applications from this address" in refused.content.decode()
    assert Affiliate.objects.count() == 2
    # Another address is not held back.
    with django_capture_on_commit_callbacks(execute=True):
        other = client.post("/signup/", {**APPLICATION, "email": "a3@x.example"}, REMOTE_ADDR="198.51.100.9")
    assert other.status_code == 302
