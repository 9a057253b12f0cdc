"""Where people see traffic quality: the offer form's Targeting & quality section, the blocklist pages, the click
detail, and the report's rejected clicks by reason."""

import pytest

from offers.models import Offer
from quality.models import BlockEntry, RefusedClickCount
from quality.services import block_entry_add
from tests import factories
from tests.offers import test_views
from tests.portal import manager_client  # noqa: F401 -- fixture
from tests.quality import helpers as h
from tracking.models import Click

pytestmark = pytest.mark.django_db


def offer_data(advertiser, **overrides):
    """The offer form's fields (tests/offers/test_views.py), with the conversion rules' defaults."""
    rules = {"too_fast_seconds": "0", "too_fast_action": "review", "country_mismatch_action": "off"}
    return test_views.offer_data(advertiser, **{**rules, **overrides})


# --- the offer form ----------------------------------------------------------------------------------------------


def test_the_offer_form_sets_targeting_in_its_targeting_and_quality_section(manager_client):  # noqa: F811
    advertiser = factories.AdvertiserFactory()
    page = manager_client.get("/manage/offers/new/")
    assert b"Targeting &amp; quality" in page.content and b'name="allowed_countries"' in page.content

    data = offer_data(
        advertiser, allowed_countries="us, gb;DE", blocked_countries="", allowed_devices=["mobile", "tablet"]
    )
    data["allowed_os"] = ["android", "ios"]
    response = manager_client.post("/manage/offers/new/", data)

    assert response.status_code == 302, (response.context["form"].errors, response.context["goal_formset"].errors)
    offer = Offer.objects.get()
    assert offer.allowed_countries == ["DE", "GB", "US"]
    assert offer.blocked_countries == []
    assert offer.allowed_devices == ["mobile", "tablet"]
    assert offer.allowed_os == ["android", "ios"]
    edit = manager_client.get(f"/manage/offers/{offer.pk}/edit/")
    assert b'value="DE, GB, US"' in edit.content


def test_an_unknown_country_code_is_a_clear_form_error(manager_client):  # noqa: F811
    data = offer_data(factories.AdvertiserFactory(), allowed_countries="US, XX, UK")

    response = manager_client.post("/manage/offers/new/", data)

    assert response.status_code == 200
    assert "Unknown country code: UK, XX" in response.content.decode()
    assert not Offer.objects.exists()


def test_a_country_both_allowed_and_blocked_is_a_clear_form_error(manager_client):  # noqa: F811
    data = offer_data(factories.AdvertiserFactory(), allowed_countries="US, GB", blocked_countries="gb")

    response = manager_client.post("/manage/offers/new/", data)

    assert response.status_code == 200
    assert "Both allowed and blocked: GB" in response.content.decode()
    assert not Offer.objects.exists()


def test_an_unknown_device_or_os_is_refused(manager_client):  # noqa: F811
    data = offer_data(factories.AdvertiserFactory(), allowed_devices=["toaster"])
    data["allowed_os"] = ["beos"]

    response = manager_client.post("/manage/offers/new/", data)

    assert response.status_code == 200
    assert b"toaster is not one of the available choices" in response.content
    assert not Offer.objects.exists()


# --- blocklist pages -----------------------------------------------------------------------------------------------


def test_a_manager_adds_and_deletes_network_wide_entries(manager_client):  # noqa: F811
    response = manager_client.post(
        "/manage/offers/blocklist/", {"kind": "cidr", "value": "2001:DB8::/32", "note": "spam"}
    )
    assert response.status_code == 302
    entry = BlockEntry.objects.get()
    assert (entry.offer, entry.kind, entry.value) == (None, "cidr", "2001:db8::/32")
    page = manager_client.get("/manage/offers/blocklist/")
    assert b"2001:db8::/32" in page.content and b"spam" in page.content

    assert manager_client.post(f"/manage/offers/blocklist/{entry.pk}/delete/").status_code == 302
    assert not BlockEntry.objects.exists()


def test_a_manager_blocks_an_affiliate_on_one_offer(manager_client, offer, affiliate):  # noqa: F811
    url = f"/manage/offers/{offer.pk}/blocklist/"

    response = manager_client.post(url, {"kind": "affiliate", "affiliate": affiliate.pk})

    assert response.status_code == 302
    entry = BlockEntry.objects.get()
    assert (entry.offer, entry.affiliate, entry.value) == (offer, affiliate, str(affiliate.pk))
    assert affiliate.name.encode() in manager_client.get(url).content
    assert h.follow(manager_client, offer, affiliate).status_code == 403


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"kind": "ip", "value": "300.1.1.1"}, "is not an IPv4 or IPv6 address"),
        ({"kind": "cidr", "value": "10.0.0.1/8"}, "has host bits set"),
        ({"kind": "affiliate", "value": ""}, "Choose the affiliate to block."),
        ({"kind": "source", "value": ""}, "Enter a value."),
        ({"kind": "nonsense", "value": "x"}, "Select a valid choice"),
    ],
)
def test_a_bad_entry_is_a_clear_form_error(manager_client, data, message):  # noqa: F811
    response = manager_client.post("/manage/offers/blocklist/", data)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not BlockEntry.objects.exists()


def test_a_duplicate_entry_is_a_clear_form_error(manager_client):  # noqa: F811
    block_entry_add(kind="ip", value="192.0.2.1")

    response = manager_client.post("/manage/offers/blocklist/", {"kind": "ip", "value": "192.0.2.1"})

    assert response.status_code == 400
    assert "already on the network-wide blocklist" in response.content.decode()


# --- click detail --------------------------------------------------------------------------------------------------


def test_the_click_detail_shows_country_device_os_and_a_matching_blocklist_entry(manager_client, offer, affiliate):  # noqa: F811
    h.follow(manager_client, offer, affiliate, ip=h.GB_IPV4, agent=h.ANDROID_PHONE, source="push")
    click = Click.objects.get()
    url = f"/manage/clicks/{click.transaction_id}/"

    page = manager_client.get(url).content.decode()
    assert "<dt>Country</dt><dd>GB</dd>" in page
    assert "<dt>Device</dt><dd>mobile</dd>" in page
    assert "<dt>OS</dt><dd>Android</dd>" in page
    assert "no entry matches" in page

    block_entry_add(kind="source", value="push", offer=offer)

    assert "blocked (source)" in manager_client.get(url).content.decode()


# --- reports -------------------------------------------------------------------------------------------------------


def test_the_reports_rejected_clicks_equal_the_refusals_made(manager_client, affiliate):  # noqa: F811
    geo_offer = factories.OfferFactory(allowed_countries=["US"])
    device_offer = factories.OfferFactory(allowed_devices=["tablet"])
    block_entry_add(kind="ip", value=h.DE_IPV4)
    made = {"geo": 0, "device": 0, "blocked": 0, "bot": 0}
    for ip in (h.GB_IPV4, h.DE_IPV6, h.PRIVATE_IPV4):
        made["geo"] += h.follow(manager_client, geo_offer, affiliate, ip=ip).status_code == 403
    for agent in (h.IPHONE, h.DESKTOP_LINUX):
        made["device"] += h.follow(manager_client, device_offer, affiliate, agent=agent).status_code == 403
    for offer in (geo_offer, device_offer):
        made["blocked"] += h.follow(manager_client, offer, affiliate, ip=h.DE_IPV4).status_code == 403
    for agent in (h.GOOGLEBOT, h.SLACK_PREVIEW, h.FACEBOOK_PREVIEW, h.GOOGLEBOT):
        made["bot"] += h.follow(manager_client, geo_offer, affiliate, agent=agent).status_code == 302
    h.follow(manager_client, geo_offer, affiliate)  # a click that passes: stored, not rejected
    assert made == {"geo": 3, "device": 2, "blocked": 2, "bot": 4}
    assert Click.objects.count() == 1

    report = manager_client.get("/manage/reports/", {"preset": "today", "group_by": "day"})
    assert report.status_code == 200
    rejected = {item["reason"]: item["count"] for item in report.context["rejected"]}
    assert rejected == made
    assert b"Rejected clicks by reason" in report.content

    by_offer = manager_client.get("/manage/reports/", {"preset": "today", "group_by": "day", "offer": device_offer.pk})
    assert {item["reason"]: item["count"] for item in by_offer.context["rejected"]} == {
        "geo": 0,
        "device": 2,
        "blocked": 1,
        "bot": 0,
    }
    assert sum(RefusedClickCount.objects.values_list("count", flat=True)) == sum(made.values())


def test_an_affiliate_sees_only_its_own_rejected_clicks(client, offer, affiliate_user):
    other = factories.AffiliateFactory()
    own = affiliate_user.membership.affiliate
    for who in (own, other, other):
        h.follow(client, offer, who, agent=h.GOOGLEBOT)
    client.force_login(affiliate_user)

    report = client.get("/affiliate/reports/", {"preset": "today", "group_by": "day"})

    assert report.status_code == 200
    assert {item["reason"]: item["count"] for item in report.context["rejected"]}["bot"] == 1
