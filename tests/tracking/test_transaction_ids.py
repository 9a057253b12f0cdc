"""Transaction IDs in the UUIDv7 layout (docs/storage.md, Transaction IDs): the click's time in the first 48 bits,
74 random bits, and older random IDs still finding their click."""

import secrets
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from conversions.click_lookup import _BY_TIME, click_for_postback
from tests import factories
from tracking.click_writer import click_store
from tracking.models import Click
from tracking.services import click_build
from tracking.transaction_ids import EARLIEST, legacy_before, new_transaction_id, time_of, transaction_id_q

AT = datetime(2026, 11, 30, 9, 15, 42, 123456, tzinfo=UTC)


def v7_shaped(ms):
    """A v7-shaped ID carrying `ms`, as a legacy random ID can be by chance."""
    value = f"{ms:012x}7{secrets.token_hex(2)[:3]}8{secrets.token_hex(8)[:15]}"
    assert len(value) == 32
    return value


def test_the_id_is_32_hex_characters_in_the_uuidv7_layout_carrying_the_time_to_the_millisecond():
    transaction_id = new_transaction_id(AT)

    assert len(transaction_id) == 32 and transaction_id == transaction_id.lower()
    as_uuid = uuid.UUID(transaction_id)
    assert (as_uuid.version, as_uuid.variant) == (7, uuid.RFC_4122)
    assert int(transaction_id[:12], 16) == int(AT.timestamp() * 1000)
    assert time_of(transaction_id) == AT.replace(microsecond=123000)


def test_ids_of_the_same_millisecond_differ_in_74_random_bits():
    values = [int(new_transaction_id(AT), 16) for _ in range(2000)]
    assert len(set(values)) == len(values)
    random_mask = (0xFFF << 64) | ((1 << 62) - 1)  # rand_a (12 bits) and rand_b (62 bits)
    ones = zeros = 0
    for value in values:
        ones |= value & random_mask
        zeros |= ~value & random_mask
    assert ones == zeros == random_mask  # every random bit was seen both ways
    assert bin(random_mask).count("1") == 74


@pytest.mark.parametrize(
    "transaction_id",
    [
        secrets.token_hex(16)[:12] + "4" + secrets.token_hex(16)[13:],  # a legacy random ID, not v7-shaped
        v7_shaped(0),  # v7-shaped, 1970
        v7_shaped(int((EARLIEST - timedelta(days=1)).timestamp() * 1000)),
        v7_shaped(int((datetime.now(UTC) + timedelta(days=30)).timestamp() * 1000)),  # the future
        v7_shaped(2**48 - 1),  # beyond what a datetime holds
        new_transaction_id(AT).upper(),
        new_transaction_id(AT)[:31],
        new_transaction_id(AT)[:31] + "g",
        "",
    ],
)
def test_an_id_without_a_plausible_v7_time_has_no_time(transaction_id):
    assert time_of(transaction_id) is None


def test_a_v7_shaped_id_with_a_plausible_time_has_that_time():
    assert time_of(v7_shaped(int(AT.timestamp() * 1000))) == AT.replace(microsecond=123000)


@pytest.mark.django_db
def test_a_built_click_is_created_at_the_time_its_id_carries(offer, affiliate):
    click = click_build(
        offer=offer, affiliate=affiliate, subs={}, ip="203.0.113.9", user_agent="UA", referer="", now=AT
    )
    assert click.created_at == AT.replace(microsecond=123000) == time_of(click.transaction_id)
    click_store(click)
    stored = Click.objects.get(pk=click.pk)
    assert stored.created_at == time_of(stored.transaction_id)


@pytest.mark.django_db
def test_a_click_saved_with_a_created_at_of_its_own_gets_an_id_carrying_it(offer, affiliate):
    click = factories.ClickFactory(offer=offer, affiliate=affiliate, created_at=AT)
    assert click.created_at == AT.replace(microsecond=123000) == time_of(click.transaction_id)


@pytest.mark.django_db
def test_the_postback_finds_a_click_by_the_time_its_id_carries(click):
    assert click_for_postback(click.transaction_id).click.pk == click.pk
    assert _BY_TIME.fetch((click.transaction_id, time_of(click.transaction_id))).instance.pk == click.pk


@pytest.mark.django_db
def test_a_legacy_random_id_still_finds_its_click(offer, affiliate):
    legacy = secrets.token_hex(16)[:12] + "0" + secrets.token_hex(16)[13:]
    click = factories.ClickFactory(offer=offer, affiliate=affiliate, transaction_id=legacy)
    assert time_of(legacy) is None
    assert click_for_postback(legacy).click.pk == click.pk


@pytest.mark.django_db
def test_a_legacy_id_that_looks_v7_with_another_plausible_time_still_finds_its_click(offer, affiliate):
    # One legacy ID in 64 is v7-shaped; a few of those decode to a plausible time, never the click's own.
    legacy = v7_shaped(int(datetime(2023, 5, 1, tzinfo=UTC).timestamp() * 1000))
    assert time_of(legacy) is not None
    click = Click(offer=offer, affiliate=affiliate, transaction_id=legacy, created_at=timezone.now())
    click.expires_at = click.created_at + timedelta(days=1)
    Click.objects.bulk_create([click])  # as the old code stored it: no save() to make the ID agree
    assert Click.objects.get(transaction_id=legacy).created_at != time_of(legacy)

    assert click_for_postback(legacy).click.transaction_id == legacy


@pytest.mark.django_db
def test_clicks_made_after_the_change_are_not_searched_as_legacy_ones(offer, affiliate):
    """An ID not found by its time is looked for only among the clicks older than legacy_before()."""
    later = legacy_before() + timedelta(days=3)
    with time_machine.travel(later, tick=False):
        legacy = secrets.token_hex(16)[:12] + "0" + secrets.token_hex(16)[13:]
        click = Click(offer=offer, affiliate=affiliate, transaction_id=legacy, created_at=later)
        click.expires_at = later + timedelta(days=1)
        Click.objects.bulk_create([click])
        assert click_for_postback(legacy) is None
        assert click_for_postback(new_transaction_id(later)) is None


@pytest.mark.django_db
def test_the_pages_filter_finds_new_legacy_and_v7_shaped_legacy_ids(offer, affiliate):
    new = factories.ClickFactory(offer=offer, affiliate=affiliate)
    legacy_ids = [
        secrets.token_hex(16)[:12] + "0" + secrets.token_hex(16)[13:],
        v7_shaped(int(datetime(2023, 5, 1, tzinfo=UTC).timestamp() * 1000)),
    ]
    now = timezone.now()
    Click.objects.bulk_create(
        Click(offer=offer, affiliate=affiliate, transaction_id=t, created_at=now, expires_at=now) for t in legacy_ids
    )
    for transaction_id in [new.transaction_id, *legacy_ids]:
        assert Click.objects.get(transaction_id_q(transaction_id)).transaction_id == transaction_id
    assert not Click.objects.filter(transaction_id_q(new_transaction_id(now))).exists()
