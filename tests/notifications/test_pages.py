"""The inbox and notification settings in each portal: one's own entries only, the unread count in the top bar,
mark one or all read, and preferences per kind of event."""

import pytest

from notifications.models import Channel, Kind, Notification, Preference
from tests import factories

pytestmark = pytest.mark.django_db

PREFIX = {"manager": "/manage", "affiliate": "/affiliate", "advertiser": "/advertiser"}
KIND = {"manager": Kind.OFFER_CAP, "affiliate": Kind.OFFER_NEW, "advertiser": Kind.INTEGRATION_TEST}


@pytest.fixture
def people(manager, affiliate_user, advertiser_user):
    return {"manager": manager, "affiliate": affiliate_user, "advertiser": advertiser_user}


def entry(user, title, n=0, **fields):
    return Notification.objects.create(
        recipient=user, event_key=f"{title}:{n}", kind=fields.pop("kind", Kind.OFFER_NEW), title=title, **fields
    )


@pytest.mark.parametrize("audience", ["manager", "affiliate", "advertiser"])
def test_the_inbox_shows_ones_own_entries_and_the_unread_count(client, people, audience):
    me = people[audience]
    someone = factories.ManagerFactory() if audience != "manager" else factories.UserFactory()
    entry(me, "First news", link="/somewhere/")
    entry(me, "Second news")
    entry(me, "E-mail only", in_inbox=False)
    entry(someone, "Not yours")
    client.force_login(me)

    page = client.get(f"{PREFIX[audience]}/inbox/").content.decode()

    assert "First news" in page and "Second news" in page
    assert "Not yours" not in page and "E-mail only" not in page
    assert 'aria-label="Inbox, 2 unread"' in page and '<span class="badge unread" data-unread>2</span>' in page
    # Every page of the portal carries the count.
    home = client.get(f"{PREFIX[audience]}/").content.decode()
    assert 'aria-label="Inbox, 2 unread"' in home


@pytest.mark.parametrize("audience", ["manager", "affiliate", "advertiser"])
def test_mark_one_read_open_it_and_mark_all_read(client, people, audience):
    me = people[audience]
    first, second, third = entry(me, "A", 1, link="/there/"), entry(me, "B", 2), entry(me, "C", 3)
    client.force_login(me)

    response = client.post(f"{PREFIX[audience]}/inbox/{first.pk}/read/", {"open": "1"})
    assert response.status_code == 302 and response["Location"] == "/there/"
    response = client.post(f"{PREFIX[audience]}/inbox/{second.pk}/read/")
    assert response["Location"] == f"{PREFIX[audience]}/inbox/"
    assert Notification.objects.filter(read_at__isnull=True).get() == third
    assert 'aria-label="Inbox, 1 unread"' in client.get(f"{PREFIX[audience]}/inbox/").content.decode()

    client.post(f"{PREFIX[audience]}/inbox/read/")
    assert not Notification.objects.filter(read_at__isnull=True).exists()
    assert "data-unread" not in client.get(f"{PREFIX[audience]}/inbox/").content.decode()


def test_someone_elses_entry_is_not_found_and_stays_unread(client, affiliate_user):
    theirs = entry(factories.MembershipFactory(affiliate=factories.AffiliateFactory()).user, "Theirs", link="/x/")
    client.force_login(affiliate_user)
    assert client.post(f"/affiliate/inbox/{theirs.pk}/read/", {"open": "1"}).status_code == 404
    client.post("/affiliate/inbox/read/")
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_a_link_elsewhere_is_never_followed(client, affiliate_user):
    sneaky = entry(affiliate_user, "Sneaky", link="https://evil.example/")
    client.force_login(affiliate_user)
    assert client.post(f"/affiliate/inbox/{sneaky.pk}/read/", {"open": "1"})["Location"] == "/affiliate/inbox/"


@pytest.mark.parametrize("audience", ["manager", "affiliate", "advertiser"])
def test_each_audience_sets_its_own_kinds(client, people, audience):
    me = people[audience]
    client.force_login(me)
    page = client.get(f"{PREFIX[audience]}/inbox/settings/").content.decode()
    assert Kind(KIND[audience]).label in page
    others = [k for a, k in KIND.items() if a != audience]
    assert all(Kind(k).label not in page for k in others)

    response = client.post(f"{PREFIX[audience]}/inbox/settings/", {KIND[audience].value: "email"})
    assert response.status_code == 302
    assert Preference.objects.get(user=me).channel == Channel.EMAIL
    # Another audience's kind in the form is not saved.
    client.post(f"{PREFIX[audience]}/inbox/settings/", {others[0].value: "none"})
    assert Preference.objects.filter(user=me).count() == 1


def test_an_unknown_channel_is_a_400(client, affiliate_user):
    client.force_login(affiliate_user)
    response = client.post("/affiliate/inbox/settings/", {Kind.OFFER_NEW.value: "pigeon"})
    assert response.status_code == 400
    assert not Preference.objects.exists()
