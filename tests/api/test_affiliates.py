"""/api/v1/affiliates/: managers see and write all; an affiliate sees itself and sets its own postback URL;
advertisers see none."""

import pytest

from conversions import outbound
from conversions.models import AffiliatePostback
from partners.models import Affiliate
from tests.api.helpers import ids

URL = "/api/v1/affiliates/"


def test_a_manager_lists_every_affiliate_by_partner_id(api, network):
    response = api("manager").get(URL)
    assert ids(response) == {network.aff_a.pk, network.aff_b.pk}
    row = next(r for r in response.json()["results"] if r["id"] == network.aff_a.pk)
    assert row["name"] == "Blue Coupons"
    assert row["status"] == "active"


@pytest.mark.parametrize(("role", "own"), [("affiliate_a", "aff_a"), ("affiliate_b", "aff_b")])
def test_an_affiliate_sees_only_itself(api, network, role, own):
    other = network.aff_b if own == "aff_a" else network.aff_a
    assert ids(api(role).get(URL)) == {getattr(network, own).pk}
    assert api(role).get(f"{URL}{other.pk}/").status_code == 404


def test_an_advertiser_sees_no_affiliates(api, network):
    assert ids(api("advertiser").get(URL)) == set()
    assert api("advertiser").get(f"{URL}{network.aff_a.pk}/").status_code == 404


def test_anonymous_callers_are_refused(api, network):
    assert api("anonymous").get(f"{URL}{network.aff_a.pk}/").status_code == 401


def test_a_manager_creates_an_affiliate_pending_by_default_and_approves_it(api, network):
    response = api("manager").post(URL, {"name": "Newcomer Media"}, format="json")
    assert response.status_code == 201, response.content
    created = Affiliate.objects.get(pk=response.json()["id"])
    assert created.status == "pending"
    response = api("manager").patch(f"{URL}{created.pk}/", {"status": "active"}, format="json")
    assert response.json()["status"] == "active"
    created.refresh_from_db()
    assert created.status == "active"


def test_an_unknown_status_is_refused(api, network):
    response = api("manager").patch(f"{URL}{network.aff_a.pk}/", {"status": "Active"}, format="json")
    assert response.status_code == 400
    assert "status" in response.json()


def test_an_affiliate_may_not_change_its_own_status(api, network):
    network.aff_a.status = "suspended"
    network.aff_a.save()
    response = api("affiliate_a").patch(f"{URL}{network.aff_a.pk}/", {"status": "active"}, format="json")
    assert response.status_code == 403  # a suspended affiliate's users reach no resource at all
    network.aff_a.refresh_from_db()
    assert network.aff_a.status == "suspended"


def test_affiliates_filter_by_status(api, network):
    network.aff_b.status = "pending"
    network.aff_b.save()
    assert ids(api("manager").get(URL, {"status": "pending"})) == {network.aff_b.pk}
    assert api("manager").get(URL, {"status": "nonsense"}).status_code == 400


@pytest.fixture
def public_dns(monkeypatch):
    """Host names resolve to a public address, without asking a DNS server."""
    monkeypatch.setattr(outbound, "resolve_host", lambda host, port: ["93.184.216.34"])


def test_a_manager_sets_an_affiliates_postback_url(api, network, public_dns):
    url = "https://tracker.example/pb?click={aff_click_id}&payout={payout}"
    response = api("manager").patch(f"{URL}{network.aff_b.pk}/", {"postback_url": url}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["postback_url"] == url
    postback = AffiliatePostback.objects.get(affiliate=network.aff_b)
    assert (postback.offer, postback.url) == (None, url)
    assert api("affiliate_b").get(f"{URL}{network.aff_b.pk}/").json()["postback_url"] == url


def test_an_affiliate_sets_its_own_postback_url_but_nothing_else(api, network, public_dns):
    url = "https://tracker.example/pb?tid={transaction_id}"
    response = api("affiliate_a").patch(
        f"{URL}{network.aff_a.pk}/", {"postback_url": url, "name": "Renamed", "status": "suspended"}, format="json"
    )
    assert response.status_code == 200, response.content
    network.aff_a.refresh_from_db()
    assert (network.aff_a.name, network.aff_a.status) == ("Blue Coupons", "active")
    assert AffiliatePostback.objects.get(affiliate=network.aff_a, offer=None).url == url


def test_an_affiliate_cannot_set_another_affiliates_postback_url(api, network, public_dns):
    response = api("affiliate_a").patch(
        f"{URL}{network.aff_b.pk}/", {"postback_url": "https://evil.example/"}, format="json"
    )
    assert response.status_code == 404
    assert api("advertiser").patch(f"{URL}{network.aff_b.pk}/", {"postback_url": ""}, format="json").status_code == 403
    assert not AffiliatePostback.objects.exists()


@pytest.mark.parametrize(
    "url", ["https://tracker.example/pb?x={order_total}", "http://127.0.0.1/pb", "ftp://tracker.example/pb"]
)
def test_a_postback_url_with_an_unknown_macro_or_a_non_public_or_non_http_target_is_refused(
    api, network, public_dns, url
):
    response = api("affiliate_a").patch(f"{URL}{network.aff_a.pk}/", {"postback_url": url}, format="json")
    assert response.status_code == 400
    assert "postback_url" in response.json()
    assert not AffiliatePostback.objects.exists()


def test_an_empty_postback_url_removes_it_and_a_per_offer_postback_is_not_the_affiliate_wide_one(
    api, network, public_dns
):
    AffiliatePostback.objects.create(affiliate=network.aff_a, offer=network.public, url="https://per-offer.example/")
    AffiliatePostback.objects.create(affiliate=network.aff_a, url="https://tracker.example/pb")
    response = api("affiliate_a").patch(f"{URL}{network.aff_a.pk}/", {"postback_url": ""}, format="json")
    assert response.json()["postback_url"] == ""
    assert list(AffiliatePostback.objects.values_list("offer", flat=True)) == [network.public.pk]


def test_a_manager_creates_an_affiliate_with_a_postback_url(api, network, public_dns):
    response = api("manager").post(
        URL, {"name": "Coupon Kings", "postback_url": "https://kings.example/pb?tid={transaction_id}"}, format="json"
    )
    assert response.status_code == 201, response.content
    affiliate = Affiliate.objects.get(pk=response.json()["id"])
    assert AffiliatePostback.objects.get(affiliate=affiliate).url == "https://kings.example/pb?tid={transaction_id}"


def test_a_refused_postback_url_leaves_the_other_changes_undone(api, network, public_dns):
    response = api("manager").patch(
        f"{URL}{network.aff_a.pk}/", {"status": "suspended", "postback_url": "http://10.0.0.1/"}, format="json"
    )
    assert response.status_code == 400
    network.aff_a.refresh_from_db()
    assert network.aff_a.status == "active"


def test_the_affiliate_list_reads_postback_urls_without_a_query_per_row(
    api, network, public_dns, django_assert_max_num_queries
):
    for n in range(5):
        affiliate = Affiliate.objects.create(name=f"Extra {n}", status="active")
        AffiliatePostback.objects.create(affiliate=affiliate, url=f"https://a{n}.example/")
    client = api("manager")
    with django_assert_max_num_queries(4):
        rows = client.get(URL).json()["results"]
    assert {r["postback_url"] for r in rows} >= {f"https://a{n}.example/" for n in range(5)}
