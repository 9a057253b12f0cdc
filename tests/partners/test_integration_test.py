"""The advertiser's live integration test: a test click through the network's test affiliate, its landing URL,
and the postbacks that arrive for it, with their verdict. Test clicks stay out of reports and never convert."""

import re

import pytest

from conversions.models import Conversion, PostbackLog
from partners.models import Affiliate
from partners.services import network_test_affiliate
from reports.selectors import report_rows
from reports.services import rollups_rebuild
from tests import factories
from tracking.models import Click

pytestmark = pytest.mark.django_db


@pytest.fixture
def offer(advertiser_user):
    return factories.OfferFactory(
        advertiser=advertiser_user.membership.advertiser,
        destination_url="https://shop.example/landing?tid={transaction_id}&src={source}",
    )


def start(client, offer):
    response = client.post(f"/advertiser/offers/{offer.pk}/test/")
    click = Click.objects.get(offer=offer)
    assert response.status_code == 302
    assert response["Location"] == f"/advertiser/offers/{offer.pk}/test/{click.transaction_id}/"
    return click, response["Location"]


def test_starting_a_test_makes_a_click_through_the_test_affiliate_and_shows_its_landing_url(
    client, advertiser_user, offer
):
    client.force_login(advertiser_user)

    click, page_url = start(client, offer)
    page = client.get(page_url)

    assert click.affiliate.is_test
    assert click.affiliate.is_active
    assert click.source == "integration-test"
    assert page.status_code == 200
    assert f"https://shop.example/landing?tid={click.transaction_id}&amp;src=integration-test" in page.content.decode()
    assert b"Waiting for your server" in page.content
    # It polls its results part with JavaScript; without, a GET form reloads the page (a fragment link would not).
    assert f'data-poll-url="{page_url}?part=results"' in page.content.decode()
    assert f'<form method="get" action="{page_url}#integration-results">' in page.content.decode()


def test_a_second_test_reuses_the_one_test_affiliate(client, advertiser_user, offer):
    client.force_login(advertiser_user)
    client.post(f"/advertiser/offers/{offer.pk}/test/")
    client.post(f"/advertiser/offers/{offer.pk}/test/")

    assert Affiliate.objects.filter(is_test=True).count() == 1
    assert Click.objects.filter(offer=offer, affiliate=network_test_affiliate()).count() == 2


def test_the_postback_for_a_test_click_passes_every_rule_records_no_conversion_and_shows_up(
    client, advertiser_user, offer
):
    client.force_login(advertiser_user)
    click, page_url = start(client, offer)

    answer = client.get(
        "/postback",
        {
            "transaction_id": click.transaction_id,
            "amount": "12.50",
            "adv_sub": "T-1",
            "security_token": factories.SECURITY_TOKEN,
        },
    )
    results = client.get(page_url, {"part": "results"})

    assert answer.status_code == 200
    assert answer.json()["status"] == "approved"
    assert not Conversion.objects.exists()
    log = PostbackLog.objects.get()
    assert log.is_test
    assert log.verdict == "approved"
    assert b"Your integration works" in results.content
    assert b"<html" not in results.content  # only the part the page polls


def test_a_rejected_postback_for_a_test_click_shows_the_reason(client, advertiser_user, offer):
    advertiser = advertiser_user.membership.advertiser
    advertiser.security_token = "s3cret"
    advertiser.save()
    client.force_login(advertiser_user)
    click, page_url = start(client, offer)

    client.get("/postback", {"transaction_id": click.transaction_id, "security_token": "wrong"})
    page = client.get(page_url)

    assert PostbackLog.objects.get().is_test
    text = page.content.decode()
    assert re.search(r"Rejected: Security token <code>invalid_token</code>", text)
    assert "security_token is wrong" in text


def test_test_clicks_stay_out_of_reports(client, advertiser_user, offer):
    client.force_login(advertiser_user)
    click, _ = start(client, offer)
    factories.ClickFactory(offer=offer, created_at=click.created_at)  # one real click beside it
    client.get("/postback", {"transaction_id": click.transaction_id, "security_token": factories.SECURITY_TOKEN})

    rollups_rebuild()

    day = click.created_at.date()
    rows = report_rows(user=advertiser_user, group_by="offer", date_from=day, date_to=day)
    assert [(row.key, row.clicks, row.conversions) for row in rows] == [(offer.pk, 1, 0)]


def test_another_advertiser_cannot_start_or_watch_a_test_on_this_offer(client, advertiser_user, offer):
    client.force_login(advertiser_user)
    click, page_url = start(client, offer)
    other = factories.MembershipFactory(advertiser=factories.AdvertiserFactory()).user
    client.force_login(other)

    assert client.get(page_url).status_code == 404
    assert client.post(f"/advertiser/offers/{offer.pk}/test/").status_code == 404
    assert Click.objects.count() == 1


def test_the_test_page_only_opens_test_clicks(client, advertiser_user, offer):
    real = factories.ClickFactory(offer=offer)
    client.force_login(advertiser_user)

    response = client.get(f"/advertiser/offers/{offer.pk}/test/{real.transaction_id}/")

    assert response.status_code == 404


@pytest.mark.parametrize(
    ("extra", "detail"),
    [
        ({"amount": "abc"}, "amount"),
        ({"amount": "-1"}, "amount"),
        ({"amount": "49,90"}, "amount"),
        ({"amount": "$49.90"}, "amount"),
        ({"goal_id": "999999"}, "goal_id 999999 is not a goal"),
    ],
    ids=["abc", "negative", "comma", "dollar", "unknown-goal"],
)
def test_a_malformed_postback_for_a_test_click_is_a_test_row_and_shows_on_the_test_page(
    client, advertiser_user, offer, manager, extra, detail
):
    client.force_login(advertiser_user)
    click, page_url = start(client, offer)
    params = {"transaction_id": click.transaction_id, "security_token": factories.SECURITY_TOKEN, **extra}

    answer = client.get("/postback", params)
    results = client.get(page_url, {"part": "results"}).content.decode()

    assert answer.status_code == 400
    assert answer.json()["reason"] == "invalid_parameter"
    log = PostbackLog.objects.get()
    assert (log.is_test, log.offer_id, log.reason) == (True, offer.pk, "invalid_parameter")
    assert "Rejected:" in results
    assert "<code>invalid_parameter</code>" in results
    assert detail in results
    client.force_login(manager)
    dashboard = client.get("/manage/").content.decode()
    assert re.search(r"<strong>0</strong><span>postbacks? rejected", dashboard)


def test_a_malformed_postback_naming_a_real_click_is_not_a_test(client, advertiser_user, offer):
    click = factories.ClickFactory(offer=offer)

    client.get("/postback", {"transaction_id": click.transaction_id, "amount": "abc"})

    log = PostbackLog.objects.get()
    assert (log.is_test, log.offer_id) == (False, None)
