"""The click stays one INSERT with targeting and a 1,000-entry blocklist on: lookups are in-process and cached."""

import pytest

from quality.models import BlockEntry, RefusedClickCount
from tests import factories
from tests.quality import helpers as h

pytestmark = pytest.mark.django_db


@pytest.fixture
def big_blocklist():
    entries = [BlockEntry(kind="cidr", value=f"10.{i // 250}.{i % 250}.0/24") for i in range(800)]
    entries += [BlockEntry(kind="ip", value=f"192.0.2.{i}") for i in range(200)]
    BlockEntry.objects.bulk_create(entries)


def test_a_targeted_click_with_a_big_blocklist_takes_one_query_once_warm(
    client, affiliate, big_blocklist, django_assert_num_queries
):
    offer = factories.OfferFactory(allowed_countries=["US"], allowed_devices=["desktop"], allowed_os=["windows"])
    h.follow(client, offer, affiliate)

    with django_assert_num_queries(1) as captured:
        response = h.follow(client, offer, affiliate)

    assert response.status_code == 302
    assert captured.captured_queries[0]["sql"].lstrip().upper().startswith("INSERT")


def test_a_refused_click_takes_one_upsert_once_warm(client, affiliate, big_blocklist, django_assert_num_queries):
    offer = factories.OfferFactory(allowed_countries=["GB"])
    h.follow(client, offer, affiliate)

    with django_assert_num_queries(1):
        response = h.follow(client, offer, affiliate)

    assert response.status_code == 403
    assert RefusedClickCount.objects.get().count == 2


def test_a_bot_takes_one_upsert_once_warm(client, offer, affiliate, django_assert_num_queries):
    h.follow(client, offer, affiliate, agent=h.GOOGLEBOT)

    with django_assert_num_queries(1):
        response = h.follow(client, offer, affiliate, agent=h.GOOGLEBOT)

    assert response.status_code == 302
