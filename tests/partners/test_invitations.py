"""Invitations (a manager invites a person to an advertiser or affiliate) and password reset: Django's token links,
which work once and expire."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.utils import timezone

from tests import factories

pytestmark = pytest.mark.django_db

PASSWORD = "a-Long-unusual-passphrase-42"


def link_in(message):
    return re.search(r"http://testserver(/\S+)", message.body).group(1)


def invite(client, capture, url, email):
    with capture(execute=True):
        return client.post(url, {"email": email})


def test_a_manager_invites_a_person_to_an_advertiser_who_sets_a_password_and_lands_in_its_area(
    manager_client, client, django_capture_on_commit_callbacks, mailoutbox
):
    advertiser = factories.AdvertiserFactory(name="Acme Shop")

    response = invite(
        manager_client,
        django_capture_on_commit_callbacks,
        f"/manage/advertisers/{advertiser.pk}/invite/",
        "bo@acme.example",
    )

    assert response.status_code == 302
    user = get_user_model().objects.get(email="bo@acme.example")
    assert user.membership.advertiser == advertiser
    assert not user.has_usable_password()
    [message] = mailoutbox
    assert message.to == ["bo@acme.example"]
    assert message.subject == "You are invited to Acme Shop's advertiser account"
    link = link_in(message)
    assert link.startswith("/invite/")

    form = client.get(link, follow=True)
    assert form.status_code == 200
    assert form.context["validlink"] is True
    done = client.post(form.redirect_chain[-1][0], {"new_password1": PASSWORD, "new_password2": PASSWORD}, follow=True)

    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    assert done.redirect_chain[-1][0] == "/advertiser/"
    assert b"Welcome: your password is set" in done.content


def test_an_invitation_link_works_once(manager_client, client, django_capture_on_commit_callbacks, mailoutbox):
    affiliate = factories.AffiliateFactory()
    invite(
        manager_client, django_capture_on_commit_callbacks, f"/manage/affiliates/{affiliate.pk}/invite/", "x@y.example"
    )
    link = link_in(mailoutbox[0])
    form = client.get(link, follow=True)
    client.post(form.redirect_chain[-1][0], {"new_password1": PASSWORD, "new_password2": PASSWORD})
    client.logout()

    again = client.get(link, follow=True)

    assert again.context["validlink"] is False
    assert b"This invitation link does not work" in again.content


def test_an_invitation_link_expires(manager_client, client, django_capture_on_commit_callbacks, mailoutbox, settings):
    affiliate = factories.AffiliateFactory()
    invite(
        manager_client, django_capture_on_commit_callbacks, f"/manage/affiliates/{affiliate.pk}/invite/", "x@y.example"
    )
    link = link_in(mailoutbox[0])

    with time_machine.travel(timezone.now() + timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 60)):
        response = client.get(link, follow=True)

    assert response.context["validlink"] is False
    assert not get_user_model().objects.get(email="x@y.example").has_usable_password()


def test_a_password_reset_link_is_not_an_invitation_link(client, django_capture_on_commit_callbacks, mailoutbox):
    user = factories.MembershipFactory(affiliate=factories.AffiliateFactory()).user
    client.post("/password-reset/", {"email": user.email})
    reset_link = link_in(mailoutbox[0])
    uid, token = reset_link.strip("/").split("/")[-2:]

    response = client.get(f"/invite/{uid}/{token}/", follow=True)

    assert response.context["validlink"] is False


def test_inviting_an_address_again_before_it_joined_sends_a_fresh_link(
    manager_client, django_capture_on_commit_callbacks, mailoutbox
):
    affiliate = factories.AffiliateFactory()
    url = f"/manage/affiliates/{affiliate.pk}/invite/"
    invite(manager_client, django_capture_on_commit_callbacks, url, "x@y.example")
    invite(manager_client, django_capture_on_commit_callbacks, url, "X@y.example")

    assert len(mailoutbox) == 2
    assert get_user_model().objects.filter(email__iexact="x@y.example").count() == 1


@pytest.mark.parametrize("joined", [True, False])
def test_an_address_of_another_partner_or_one_that_joined_is_not_invited(
    manager_client, django_capture_on_commit_callbacks, mailoutbox, joined
):
    affiliate = factories.AffiliateFactory()
    other = factories.AffiliateFactory()
    member = factories.MembershipFactory(
        affiliate=affiliate if joined else other, user=factories.UserFactory(email="x@y.example")
    )

    response = invite(
        manager_client, django_capture_on_commit_callbacks, f"/manage/affiliates/{affiliate.pk}/invite/", "x@y.example"
    )

    assert mailoutbox == []
    page = manager_client.get(response["Location"])
    assert b"already" in page.content
    member.refresh_from_db()
    assert member.affiliate == (affiliate if joined else other)


def test_the_affiliate_page_lists_its_people_and_who_is_still_invited(manager_client):
    affiliate = factories.AffiliateFactory()
    factories.MembershipFactory(affiliate=affiliate, user=factories.UserFactory(email="joined@y.example"))
    invited = factories.MembershipFactory(affiliate=affiliate, user=factories.UserFactory(email="new@y.example")).user
    invited.set_unusable_password()
    invited.save()

    response = manager_client.get(f"/manage/affiliates/{affiliate.pk}/")

    text = response.content.decode()
    assert "joined@y.example" in text
    assert re.search(r"new@y.example\s*<span class=\"badge pending\">invited</span>", text)


def test_only_managers_invite(client, advertiser_user, django_capture_on_commit_callbacks, mailoutbox):
    client.force_login(advertiser_user)
    advertiser = advertiser_user.membership.advertiser

    response = invite(
        client, django_capture_on_commit_callbacks, f"/manage/advertisers/{advertiser.pk}/invite/", "a@b.example"
    )

    assert response.status_code == 403
    assert mailoutbox == []


# --- password reset -------------------------------------------------------------------------------------------


def test_a_password_reset_emails_a_link_that_sets_a_new_password_once(client, mailoutbox):
    user = factories.MembershipFactory(advertiser=factories.AdvertiserFactory()).user

    sent = client.post("/password-reset/", {"email": user.email.upper()}, follow=True)

    assert b"Check your email" in sent.content
    [message] = mailoutbox
    assert message.subject == "Reset your Tally password"
    link = link_in(message)
    form = client.get(link, follow=True)
    done = client.post(form.redirect_chain[-1][0], {"new_password1": PASSWORD, "new_password2": PASSWORD}, follow=True)
    assert b"Password changed" in done.content
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    assert client.get(link, follow=True).context["validlink"] is False


def test_a_password_reset_for_an_unknown_address_sends_nothing_and_says_the_same(client, mailoutbox):
    response = client.post("/password-reset/", {"email": "nobody@nowhere.example"}, follow=True)

    assert b"Check your email" in response.content
    assert mailoutbox == []


def test_the_sign_in_page_links_to_password_reset_and_sign_up(client):
    response = client.get("/login/")

    assert b'href="/password-reset/"' in response.content
    assert b'href="/signup/"' in response.content
