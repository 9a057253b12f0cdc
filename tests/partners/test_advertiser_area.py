"""The advertiser area: its offers, the postback snippets of each (both protocols, four languages, the security
token), how to keep the transaction ID, and the conversions of its offers."""

from decimal import Decimal

import pytest

from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme(advertiser_user):
    advertiser = advertiser_user.membership.advertiser
    advertiser.security_token = "tok-Acme_123"
    advertiser.save()
    return advertiser


@pytest.fixture
def signed_in(client, advertiser_user):
    client.force_login(advertiser_user)
    return client


def test_the_offer_list_shows_the_advertisers_offers_with_revenue_never_payout(signed_in, acme):
    factories.OfferFactory(advertiser=acme, name="Acme Sale", payout=Decimal("4.41"), revenue=Decimal("9.99"))
    factories.OfferFactory(name="Someone else's offer")

    response = signed_in.get("/advertiser/")

    text = response.content.decode()
    assert [offer.name for offer in response.context["object_list"]] == ["Acme Sale"]
    assert "9.99 USD" in text
    assert "4.41" not in text
    assert "Someone else" not in text


def test_the_offer_page_gives_the_transaction_id_postback_in_every_language_with_the_token(signed_in, acme):
    offer = factories.OfferFactory(advertiser=acme, destination_url="https://shop.example/l?tid={transaction_id}")

    response = signed_in.get(f"/advertiser/offers/{offer.pk}/")

    expected = "http://testserver/postback?transaction_id=TRANSACTION_ID&amount=AMOUNT&adv_sub=ORDER_ID&security_token=tok-Acme_123"
    assert response.context["postback_url"] == expected
    snippets = {s.key: s.text for s in response.context["call_snippets"]}
    assert set(snippets) == {"curl", "php", "python", "node"}
    assert snippets["curl"] == f"curl -sS -w ' %{{http_code}}\\n' '{expected}'\n"
    assert "'security_token' => 'tok-Acme_123'," in snippets["php"]
    assert "'transaction_id' => $transactionId," in snippets["php"]
    assert '"security_token": "tok-Acme_123",' in snippets["python"]
    assert "new URLSearchParams({" in snippets["node"] and 'security_token: "tok-Acme_123",' in snippets["node"]
    assert response.context["transaction_param"] == "tid"
    assert "$_GET['tid']" in {s.key: s.text for s in response.context["store_snippets"]}["store-php"]
    text = response.content.decode()
    assert "transaction_id=TRANSACTION_ID&amp;amount=AMOUNT" in text
    assert 'data-copy-target="curl"' in text


def test_the_partner_id_snippets_name_the_offer_and_the_affiliate_placeholder(signed_in, acme):
    offer = factories.OfferFactory(advertiser=acme)
    goal = factories.GoalFactory(offer=offer, name="renewal")

    response = signed_in.get(f"/advertiser/offers/{offer.pk}/", {"protocol": "partner"})

    assert response.context["postback_url"] == (
        f"http://testserver/postback?offer_id={offer.pk}&aff_id=AFFILIATE_ID&amount=AMOUNT&adv_sub=ORDER_ID"
        "&conversion_unique_id=UNIQUE_ID&security_token=tok-Acme_123"
    )
    [row] = response.context["goals"]
    assert row["url"].endswith(f"&goal_id={goal.pk}&security_token=tok-Acme_123")


def test_a_snippet_url_sent_as_written_reaches_the_pipeline_with_a_valid_token(signed_in, acme, client):
    offer = factories.OfferFactory(advertiser=acme)
    click = factories.ClickFactory(offer=offer)
    url = signed_in.get(f"/advertiser/offers/{offer.pk}/").context["postback_url"]

    answer = client.get(
        url.replace("http://testserver", "")
        .replace("TRANSACTION_ID", click.transaction_id)
        .replace("AMOUNT", "49.90")
        .replace("ORDER_ID", "A-1")
    )

    assert answer.status_code == 200, answer.json()
    assert answer.json()["status"] == "approved"


def test_an_offer_without_the_transaction_id_in_its_landing_url_says_so(signed_in, acme):
    offer = factories.OfferFactory(advertiser=acme, destination_url="https://shop.example/l?sub={aff_sub}")

    response = signed_in.get(f"/advertiser/offers/{offer.pk}/")

    assert response.context["transaction_param"] is None
    assert b"does not pass the transaction ID" in response.content


def test_conversions_show_amount_revenue_adv_sub_and_partner_id_never_payout_or_affiliate_name(signed_in, acme):
    affiliate = factories.AffiliateFactory(name="Hidden Affiliate Name")
    offer = factories.OfferFactory(advertiser=acme)
    factories.ConversionFactory(
        click=factories.ClickFactory(offer=offer, affiliate=affiliate, aff_sub="affiliate-private-sub"),
        amount=Decimal("123.45"),
        revenue=Decimal("9.87"),
        payout=Decimal("4.44"),
        adv_sub="ORDER-77",
    )

    response = signed_in.get("/advertiser/conversions/")

    text = response.content.decode()
    assert "123.45" in text and "9.87 USD" in text and "ORDER-77" in text
    assert f'<td class="num">{affiliate.pk}</td>' in text
    assert "4.44" not in text
    assert "Hidden Affiliate Name" not in text
    assert "affiliate-private-sub" not in text
    [conversion] = response.context["object_list"]
    assert "payout" in conversion.get_deferred_fields()


def test_conversions_filter_by_partner_id(signed_in, acme):
    offer = factories.OfferFactory(advertiser=acme)
    first, second = factories.AffiliateFactory(), factories.AffiliateFactory()
    mine = factories.ConversionFactory(click=factories.ClickFactory(offer=offer, affiliate=first))
    factories.ConversionFactory(click=factories.ClickFactory(offer=offer, affiliate=second))

    response = signed_in.get("/advertiser/conversions/", {"partner_id": first.pk})

    assert list(response.context["object_list"]) == [mine]
