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
    assert re.search(r"Rejected: <code>invalid_token</code>", text)
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
