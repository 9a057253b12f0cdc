"""Whether affiliates get the advertiser's values (sale amount, order reference) in their postbacks: a per-network
setting, TALLY_PASS_ADVERTISER_VALUES, off by default (README: affiliates never see adv_sub)."""

from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone

from conversions.models import AffiliatePostback, PostbackDelivery
from conversions.postback_test_fire import sample_postback_values
from conversions.sending import delivery_url
from tests import factories

pytestmark = pytest.mark.django_db

TEMPLATE = "https://affiliate.example/pb?cid={conversion_id}&payout={payout}&amount={amount}&order={adv_sub}"


@pytest.fixture
def delivery():
    conversion = factories.ConversionFactory(amount=Decimal("49.90"), payout=Decimal("4.00"), adv_sub="ORDER-1001")
    postback = AffiliatePostback.objects.create(affiliate=conversion.affiliate, url=TEMPLATE)
    return PostbackDelivery.objects.create(
        conversion=conversion,
        postback=postback,
        conversion_status="approved",
        next_attempt_at=timezone.now(),
        give_up_at=timezone.now(),
    )


def query(url):
    return {name: values[0] for name, values in parse_qs(urlsplit(url).query, keep_blank_values=True).items()}


def test_by_default_a_delivery_fills_amount_and_adv_sub_empty(delivery):
    values = query(delivery_url(delivery))
    assert values == {"cid": str(delivery.conversion_id), "payout": "4.00", "amount": "", "order": ""}


def test_a_network_that_passes_advertiser_values_fills_them(delivery, settings):
    settings.TALLY_PASS_ADVERTISER_VALUES = True
    values = query(delivery_url(delivery))
    assert (values["amount"], values["order"]) == ("49.90", "ORDER-1001")


def test_the_test_fire_sample_follows_the_setting(settings):
    affiliate = factories.AffiliateFactory()
    assert sample_postback_values(affiliate=affiliate)["amount"] == ""
    settings.TALLY_PASS_ADVERTISER_VALUES = True
    assert sample_postback_values(affiliate=affiliate)["amount"] == "100.00"


def macro_buttons(page):
    return [name for name in ("amount", "adv_sub", "payout") if f'data-insert-macro="{name}"' in page]


def test_the_affiliate_postback_page_offers_the_advertiser_macros_only_when_passed(client, affiliate_user, settings):
    client.force_login(affiliate_user)
    assert macro_buttons(client.get("/affiliate/postbacks/").content.decode()) == ["payout"]
    settings.TALLY_PASS_ADVERTISER_VALUES = True
    assert macro_buttons(client.get("/affiliate/postbacks/").content.decode()) == ["amount", "adv_sub", "payout"]


def test_a_saved_url_with_the_advertiser_macros_stays_valid_with_the_setting_off(client, affiliate_user):
    client.force_login(affiliate_user)
    response = client.post("/affiliate/postbacks/", {"url": TEMPLATE, "offer": ""})
    assert response.status_code == 302
    assert AffiliatePostback.objects.get(affiliate=affiliate_user.membership.affiliate).url == TEMPLATE
