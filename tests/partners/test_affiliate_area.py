"""The affiliate area: dashboard, offers and access requests, the tracking link builder, postback settings with
the test fire and the delivery log, and conversions."""

import json
from datetime import timedelta
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone

from conversions import outbound, signing
from conversions.models import AffiliatePostback, PostbackAttempt, PostbackDelivery
from core.periods import network_today
from offers.models import Offer, OfferAccess
from reports.services import rollups_rebuild
from tests import factories
from tests.receiver import Receiver, Reply

pytestmark = pytest.mark.django_db


@pytest.fixture
def me(affiliate_user):
    return affiliate_user.membership.affiliate


@pytest.fixture
def signed_in(client, affiliate_user):
    client.force_login(affiliate_user)
    return client


@pytest.fixture
def public_dns(monkeypatch):
    """tracker.example resolves to a public address, internal.example to a private one (no real DNS)."""
    table = {"tracker.example": ["93.184.215.14"], "internal.example": ["10.20.30.40"]}

    def resolve(host, port):
        if host not in table:
            raise OSError(f"{host} does not resolve")
        return table[host]

    monkeypatch.setattr(outbound, "resolve_host", resolve)


@pytest.fixture
def receiver(settings):
    settings.TALLY_POSTBACK_ALLOW_LOOPBACK = True
    with Receiver() as receiver:
        yield receiver


# --- Dashboard ------------------------------------------------------------------------------------------------


def test_the_dashboard_shows_today_yesterday_7_and_30_days_from_the_rollups(signed_in, me):
    offer = factories.OfferFactory(payout=Decimal("4.00"))
    now = timezone.now()
    for days_ago, clicks, conversions in ((0, 4, 1), (1, 2, 1), (5, 3, 0), (20, 1, 1), (40, 7, 7)):
        for n in range(clicks):
            click = factories.ClickFactory(offer=offer, affiliate=me, created_at=now - timedelta(days=days_ago))
            if n < conversions:
                conversion = factories.ConversionFactory(click=click, payout=Decimal("4.00"))
                conversion.__class__.objects.filter(pk=conversion.pk).update(created_at=click.created_at)
    factories.ClickFactory(offer=offer, created_at=now)  # another affiliate's click
    rollups_rebuild()

    response = signed_in.get("/affiliate/")

    periods = {p["label"]: p["totals"] for p in response.context["periods"]}
    assert [(t.clicks, t.conversions, t.payout, t.cr, t.epc) for t in periods["Today"]] == [
        (4, 1, Decimal("4.00"), Decimal("25.00"), Decimal("1.0000"))
    ]
    assert [(t.clicks, t.conversions) for t in periods["Yesterday"]] == [(2, 1)]
    assert [(t.clicks, t.conversions, t.payout) for t in periods["Last 7 days"]] == [(9, 2, Decimal("8.00"))]
    assert [(t.clicks, t.conversions, t.payout) for t in periods["Last 30 days"]] == [(10, 3, Decimal("12.00"))]
    text = response.content.decode()
    embedded = text.split('<script id="report-chart-data" type="application/json">')[1].split("</script>")[0]
    chart = json.loads(embedded)
    assert len(chart["labels"]) == 30
    assert chart["labels"][-1] == network_today().isoformat()
    assert sum(chart["clicks"]) == 10
    assert sum(chart["conversions"]) == 3
    assert '<td class="num" data-label="CR">25.00 %</td>' in text  # the numbers are in the HTML table too
    assert "Revenue" not in text


def test_the_dashboard_of_an_affiliate_with_no_traffic_shows_zeros(signed_in):
    response = signed_in.get("/affiliate/")

    assert response.status_code == 200
    assert b"No traffic yet" in response.content


# --- Offers ---------------------------------------------------------------------------------------------------


def test_the_offer_list_shows_runnable_and_requestable_offers_with_the_affiliates_payout(signed_in, me):
    public = factories.OfferFactory(name="Public one", payout=Decimal("3.00"))
    approved = factories.OfferFactory(name="Approved one", visibility=Offer.Visibility.PRIVATE)
    factories.OfferAccessFactory(offer=approved, affiliate=me, payout=Decimal("9.50"))
    requestable = factories.OfferFactory(name="Ask first", visibility=Offer.Visibility.APPROVAL_REQUIRED)
    factories.OfferFactory(name="Secret private", visibility=Offer.Visibility.PRIVATE)
    factories.OfferFactory(name="Old archived", status=Offer.Status.ARCHIVED)

    response = signed_in.get("/affiliate/offers/")

    rows = {row["offer"].name: row for row in response.context["rows"]}
    assert set(rows) == {"Public one", "Approved one", "Ask first"}
    assert rows["Public one"]["may_run"] and rows["Public one"]["payout"] == Decimal("3.00")
    assert rows["Approved one"]["may_run"] and rows["Approved one"]["payout"] == Decimal("9.50")
    assert not rows["Ask first"]["may_run"]
    assert f"/affiliate/offers/{requestable.pk}/request/".encode() in response.content
    assert f"/affiliate/links/?offer={public.pk}".encode() in response.content


def test_an_affiliate_requests_access_to_an_approval_required_offer(signed_in, me):
    offer = factories.OfferFactory(visibility=Offer.Visibility.APPROVAL_REQUIRED)

    response = signed_in.post(f"/affiliate/offers/{offer.pk}/request/", follow=True)

    access = OfferAccess.objects.get(offer=offer, affiliate=me)
    assert access.status == OfferAccess.Status.PENDING
    assert b"requested" in response.content
    assert "Requested" in response.content.decode()


def test_asking_again_after_a_rejection_does_not_reopen_the_request(signed_in, me):
    offer = factories.OfferFactory(visibility=Offer.Visibility.APPROVAL_REQUIRED)
    factories.OfferAccessFactory(offer=offer, affiliate=me, status=OfferAccess.Status.REJECTED)

    signed_in.post(f"/affiliate/offers/{offer.pk}/request/")

    assert OfferAccess.objects.get(offer=offer, affiliate=me).status == OfferAccess.Status.REJECTED


def test_the_offer_page_shows_the_affiliates_payout_and_goals_never_revenue(signed_in, me):
    offer = factories.OfferFactory(payout=Decimal("4.25"), revenue=Decimal("31.17"))
    factories.GoalFactory(offer=offer, name="deposit", payout=Decimal("2.50"), revenue=Decimal("19.91"))

    response = signed_in.get(f"/affiliate/offers/{offer.pk}/")

    text = response.content.decode()
    assert "4.25 USD" in text
    assert "deposit" in text and "2.50 USD" in text
    assert "31.17" not in text and "19.91" not in text


# --- Tracking links -------------------------------------------------------------------------------------------


def test_the_link_builder_makes_the_tracking_link_on_this_host_with_the_sub_ids(signed_in, me, settings):
    settings.ALLOWED_HOSTS = ["track.example"]
    offer = factories.OfferFactory()

    response = signed_in.get(
        "/affiliate/links/",
        {"offer": offer.pk, "aff_sub": "spring mail", "source": "nl", "aff_sub3": ""},
        HTTP_HOST="track.example",
    )

    link = response.context["link"]
    parts = urlsplit(link)
    assert (parts.scheme, parts.netloc, parts.path) == ("http", "track.example", "/click")
    assert parse_qs(parts.query) == {
        "offer_id": [str(offer.pk)],
        "aff_id": [str(me.pk)],
        "aff_sub": ["spring mail"],
        "source": ["nl"],
    }
    assert 'data-copy-target="tracking-link"' in response.content.decode()
    assert "offer_id=" in response.content.decode()  # the link is on the page as text, copy works without JS


def test_a_tracking_link_from_the_builder_leads_to_the_offer(signed_in, me):
    offer = factories.OfferFactory(destination_url="https://shop.example/?tid={transaction_id}&s={aff_sub}")
    link = signed_in.get("/affiliate/links/", {"offer": offer.pk, "aff_sub": "x1"}).context["link"]

    response = signed_in.get(link.replace("http://testserver", ""))

    assert response.status_code == 302
    assert response["Location"].startswith("https://shop.example/?tid=")
    assert response["Location"].endswith("&s=x1")


@pytest.mark.parametrize("visibility", [Offer.Visibility.APPROVAL_REQUIRED, Offer.Visibility.PRIVATE])
def test_the_link_builder_makes_no_link_for_an_offer_the_affiliate_may_not_run(signed_in, visibility):
    offer = factories.OfferFactory(visibility=visibility)

    response = signed_in.get("/affiliate/links/", {"offer": offer.pk})

    assert response.context["link"] is None
    assert "offer" in response.context["form"].errors


# --- Postbacks ------------------------------------------------------------------------------------------------


def test_an_affiliate_sets_its_affiliate_wide_and_per_offer_postback_urls(signed_in, me, public_dns):
    offer = factories.OfferFactory()

    signed_in.post("/affiliate/postbacks/", {"url": "https://tracker.example/pb?c={aff_click_id}&p={payout}"})
    signed_in.post(
        "/affiliate/postbacks/",
        {"offer": offer.pk, "url": "https://tracker.example/o?t={transaction_id}", "on_status_change": "on"},
    )

    postbacks = {p.offer_id: p for p in AffiliatePostback.objects.filter(affiliate=me)}
    assert postbacks[None].url == "https://tracker.example/pb?c={aff_click_id}&p={payout}"
    assert not postbacks[None].on_status_change
    assert postbacks[offer.pk].url == "https://tracker.example/o?t={transaction_id}"
    assert postbacks[offer.pk].on_status_change
    page = signed_in.get(f"/affiliate/postbacks/?offer={offer.pk}")
    assert page.context["form"].initial["url"] == "https://tracker.example/o?t={transaction_id}"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("https://tracker.example/pb?c={clickid}", "Unknown macro: clickid. Known macros: transaction_id"),
        ("http://internal.example/pb", "is a private address"),
        ("http://127.0.0.1:9/pb", "is a loopback address"),
        ("ftp://tracker.example/pb", "Enter a full http:// or https:// URL."),
    ],
)
def test_a_postback_url_tally_would_not_call_is_refused_with_the_reason(signed_in, me, public_dns, url, message):
    response = signed_in.post("/affiliate/postbacks/", {"url": url})

    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors["url"])
    assert not AffiliatePostback.objects.exists()


def test_the_test_fire_sends_a_signed_sample_postback_and_shows_the_answer(signed_in, me, receiver):
    receiver.script(Reply(status=202, body=b"got it, thanks"))
    url = receiver.url("/pb?tid={transaction_id}&payout={payout}&aff={affiliate_id}&status={status}")

    response = signed_in.post("/affiliate/postbacks/", {"url": url, "action": "test"})

    [request] = receiver.wait_for(1)
    query = parse_qs(urlsplit(request["path"]).query)
    assert query["aff"] == [str(me.pk)]
    assert query["status"] == ["approved"]
    assert request["headers"]["X-Tally-Test"] == "1"
    signature = request["headers"]["X-Tally-Signature"]
    ok, _ = signing.verify(
        signature, urlsplit(request["path"]).query, [me.postback_secret], now=timezone.now().timestamp(), tolerance=60
    )
    assert ok
    text = response.content.decode()
    assert "<strong>202</strong>" in text
    assert "got it, thanks" in text
    assert not AffiliatePostback.objects.exists()  # testing saves nothing
    assert not PostbackDelivery.objects.exists()


def test_the_test_fire_shows_a_server_error_and_a_refused_address(signed_in, me, receiver, settings):
    receiver.script(Reply(status=500, body=b"boom"))
    response = signed_in.post("/affiliate/postbacks/", {"url": receiver.url("/pb"), "action": "test"})
    assert "<strong>500</strong>" in response.content.decode()
    assert "not delivered" in response.content.decode()

    settings.TALLY_POSTBACK_ALLOW_LOOPBACK = False
    refused = signed_in.post("/affiliate/postbacks/", {"url": receiver.url("/pb"), "action": "test"})
    assert refused.status_code == 400
    assert "loopback" in " ".join(refused.context["form"].errors["url"])
    assert len(receiver.requests) == 1


def test_test_fires_past_the_per_affiliate_limit_are_refused_429_and_call_nothing(signed_in, me, receiver, settings):
    settings.TALLY_TEST_FIRE_RATE_LIMIT = 2
    fire = {"url": receiver.url("/pb"), "action": "test"}
    for _ in range(2):
        assert signed_in.post("/affiliate/postbacks/", fire).status_code == 200

    refused = signed_in.post("/affiliate/postbacks/", fire)

    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 60
    assert "Too many test fires" in refused.content.decode()
    assert len(receiver.requests) == 2


def test_an_affiliate_removes_a_postback_url(signed_in, me, public_dns):
    postback = AffiliatePostback.objects.create(affiliate=me, url="https://tracker.example/pb")

    signed_in.post(f"/affiliate/postbacks/{postback.pk}/delete/")

    assert not AffiliatePostback.objects.exists()


def test_the_delivery_log_shows_each_attempt_with_status_and_error(signed_in, me):
    postback = AffiliatePostback.objects.create(affiliate=me, url="https://tracker.example/pb")
    conversion = factories.ConversionFactory(click=factories.ClickFactory(affiliate=me))
    now = timezone.now()
    delivery = PostbackDelivery.objects.create(
        conversion=conversion,
        postback=postback,
        conversion_status="approved",
        status=PostbackDelivery.Status.FAILED,
        attempts=2,
        give_up_at=now,
        last_error="HTTP 503",
    )
    PostbackAttempt.objects.create(
        delivery=delivery, attempted_at=now, url="https://tracker.example/pb", status_code=503
    )
    PostbackAttempt.objects.create(
        delivery=delivery, attempted_at=now, url="https://tracker.example/pb", error="connection timed out"
    )

    response = signed_in.get("/affiliate/postbacks/deliveries/")
    failed = signed_in.get("/affiliate/postbacks/deliveries/", {"status": "delivered"})

    text = response.content.decode()
    assert f"#{conversion.pk}" in text
    assert "HTTP 503" in text and "connection timed out" in text and ">503<" in text
    assert "2 attempts" in text
    assert list(failed.context["page_obj"]) == []


# --- Conversions ----------------------------------------------------------------------------------------------


def test_conversions_show_status_payout_and_sub_ids_never_revenue_or_adv_sub(signed_in, me):
    click = factories.ClickFactory(affiliate=me, aff_sub="spring-mail", aff_sub3="banner-7", source="nl")
    factories.ConversionFactory(
        click=click, payout=Decimal("4.44"), revenue=Decimal("31.17"), adv_sub="ORDER-SECRET-1", adv_sub2="X-2"
    )

    response = signed_in.get("/affiliate/conversions/")

    text = response.content.decode()
    assert "4.44 USD" in text
    assert "spring-mail" in text and "banner-7" in text and "source: nl" in text
    assert "31.17" not in text
    assert "ORDER-SECRET-1" not in text and "X-2" not in text
    [conversion] = response.context["object_list"]
    assert {"revenue", "adv_sub"} <= conversion.get_deferred_fields()
