"""Every manager list page costs the same number of queries for one row as for many (no query per row)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests import factories
from tests.portal import postback_log

pytestmark = pytest.mark.django_db

LISTS = [
    "/manage/",
    "/manage/offers/",
    "/manage/access/",
    "/manage/advertisers/",
    "/manage/affiliates/",
    "/manage/conversions/",
    "/manage/postbacks/",
    "/manage/clicks/",
]


def add_rows(count):
    for _ in range(count):
        conversion = factories.ConversionFactory(goal=None)
        factories.OfferAccessFactory(offer=conversion.offer, affiliate=conversion.affiliate)
        postback_log(offer=conversion.offer, conversion=conversion, params={"transaction_id": "x"})


def queries(client, path):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


@pytest.mark.parametrize("path", LISTS)
def test_a_list_page_makes_no_query_per_row(manager_client, path):
    add_rows(1)
    one = queries(manager_client, path)
    add_rows(4)
    many = queries(manager_client, path)

    assert many == one
