"""The postback's one read (conversions.click_lookup): what it loads equals what the ORM loads, and every rule runs on
what it loaded: a postback through the token, signature, allowlist, access row, percent payout and currency
checks takes no more queries than a plain one (a field the lookup left out would cost a query of its own)."""

from datetime import datetime
from decimal import Decimal

import pytest
from django.db import connection

from conversions.click_lookup import FIELDS, click_for_postback
from conversions.models import Conversion
from offers.models import Offer, OfferAccess
from tests import factories
from tests.conversions.conftest import ADVERTISER_IP

pytestmark = pytest.mark.django_db


def test_the_lookup_loads_what_the_orm_loads(click):
    factories.OfferAccessFactory(offer=click.offer, affiliate=click.affiliate, payout=Decimal("7.25"))
    expected = type(click).objects.select_related("offer__advertiser", "affiliate").get(pk=click.pk)

    found = click_for_postback(click.transaction_id)

    for instance, orm in (
        (found.click, expected),
        (found.click.offer, expected.offer),
        (found.click.offer.advertiser, expected.offer.advertiser),
        (found.click.affiliate, expected.affiliate),
    ):
        model = type(orm)
        for name in FIELDS[model]:
            attname = model._meta.get_field(name).attname
            assert getattr(instance, attname) == getattr(orm, attname), (model.__name__, name)
        assert set(instance.get_deferred_fields()) == {
            f.attname for f in model._meta.concrete_fields if f.name not in FIELDS[model]
        }
    assert isinstance(found.click.expires_at, datetime) and found.click.expires_at.tzinfo is not None
    assert isinstance(found.click.offer.payout, Decimal)
    assert (found.access.status, found.access.payout) == (OfferAccess.Status.APPROVED, Decimal("7.25"))
    assert found.has_postback is False


def test_an_unknown_transaction_finds_nothing():
    assert click_for_postback("0" * 32) is None


def test_a_postback_through_every_check_takes_no_more_queries_than_a_plain_one(
    send_postback, django_assert_num_queries, warm_blocklists
):
    advertiser = factories.AdvertiserFactory(
        security_token="tok-1",
        signing_secret="new-secret",
        signing_secret_previous="old-secret",
        require_signature=True,
        postback_ip_allowlist=["192.0.2.0/24"],
    )
    offer = factories.OfferFactory(
        advertiser=advertiser,
        visibility=Offer.Visibility.APPROVAL_REQUIRED,
        payout_type=Offer.PayoutType.CPS_PERCENT,
        payout=Decimal("10"),
        currency="EUR",
    )
    click = factories.ClickFactory(offer=offer)
    factories.OfferAccessFactory(offer=offer, affiliate=click.affiliate, payout=Decimal("12"))
    params = {"transaction_id": click.transaction_id, "amount": "50.00", "currency": "EUR", "security_token": "tok-1"}

    # The lookup, the signature remembered (one insert, as any signed postback), then on PostgreSQL one statement for
    # the conversion and its log row; on SQLite a savepoint, the two inserts and the release (as test_postback's
    # plain postback).
    with django_assert_num_queries(3 if connection.vendor == "postgresql" else 6):
        response = send_postback(params, secret="old-secret", remote_addr=ADVERTISER_IP)

    assert response.status_code == 200, response.content
    assert Conversion.objects.get().payout == Decimal("6.00")  # 12 % of 50, the access row's rate
