"""conversions 0010 fills the click details of existing conversions from their clicks: the database goes back to
before it, gets a click and its conversion, and comes forward again. On SQLite and PostgreSQL."""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from conversions.models import Conversion
from tests import factories
from tracking.models import SUB_FIELDS

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("conversions", "0009_partitioned_postback_log"), ("tracking", "0006_click_expiry_by_time")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_existing_conversions_get_their_clicks_details():
    offer, affiliate = factories.OfferFactory(), factories.AffiliateFactory()
    clicked_at = timezone.now() - timedelta(days=2)
    leaves = MigrationExecutor(connection).loader.graph.leaf_nodes()
    old = migrate(BEFORE)
    try:
        OldClick, OldConversion = old.get_model("tracking", "Click"), old.get_model("conversions", "Conversion")
        click = OldClick.objects.create(
            offer_id=offer.pk,
            affiliate_id=affiliate.pk,
            created_at=clicked_at,
            expires_at=clicked_at + timedelta(days=30),
            country="FR",
            **{name: f"{name}-old" for name in SUB_FIELDS},
        )
        with_click = OldConversion.objects.create(
            click_id=click.pk, offer_id=offer.pk, affiliate_id=affiliate.pk, transaction_id=click.transaction_id
        )
        by_partner_id = OldConversion.objects.create(offer_id=offer.pk, affiliate_id=affiliate.pk)
    finally:
        migrate(leaves)

    filled = Conversion.objects.get(pk=with_click.pk)
    assert {name: getattr(filled, name) for name in SUB_FIELDS} == {name: f"{name}-old" for name in SUB_FIELDS}
    assert (filled.clicked_at, filled.click_country) == (clicked_at, "FR")
    empty = Conversion.objects.get(pk=by_partner_id.pk)
    assert (empty.aff_sub, empty.clicked_at, empty.click_country) == ("", None, "")
