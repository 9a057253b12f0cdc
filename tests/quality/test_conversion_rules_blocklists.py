"""blocked_traffic (docs/reason-codes.md): a postback for a session that matches a blocklist, network-wide or the
offer's, is refused and records nothing; a manager replays it once the entry is gone."""

import pytest

from conversions.models import Conversion, PostbackLog
from conversions.services import postback_replay
from quality.models import BlockEntry
from quality.services import block_entry_add, block_entry_delete
from tests import factories
from tests.conversions import conftest as postbacks
from tests.conversions.conftest import trace_failing_at, trace_of

send_postback = postbacks.send_postback  # the fixture: an advertiser's server calling /postback

pytestmark = pytest.mark.django_db


@pytest.fixture
def click(offer, affiliate):
    return factories.ClickFactory(offer=offer, affiliate=affiliate, ip="203.0.113.7", aff_sub="sub-1", source="src-1")


def assert_blocked(response, kind):
    assert response.status_code == 403, response.content
    body = response.json()
    assert body["reason"] == "blocked_traffic"
    assert body["detail"] == f"the session matches a blocklist entry ({kind})"
    assert not Conversion.objects.exists()
    log = PostbackLog.objects.order_by("-id").first()
    assert (log.verdict, log.reason, log.http_status) == ("rejected", "blocked_traffic", 403)
    assert trace_of(log) == trace_failing_at("blocked_traffic")
    return log


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        (BlockEntry.Kind.IP, "203.0.113.7"),
        (BlockEntry.Kind.CIDR, "203.0.113.0/24"),
        (BlockEntry.Kind.AFF_SUB, "sub-1"),
        (BlockEntry.Kind.SOURCE, "src-1"),
    ],
)
@pytest.mark.parametrize("scope", ["network", "offer"])
def test_a_postback_for_a_blocked_session_is_refused_with_blocked_traffic(send_postback, click, kind, value, scope):
    block_entry_add(kind=kind, value=value, offer=click.offer if scope == "offer" else None)

    response = send_postback({"transaction_id": click.transaction_id, "amount": "10"})

    assert_blocked(response, kind)


def test_a_blocked_affiliate_gets_no_conversion_by_transaction_or_partner_id(send_postback, click):
    block_entry_add(kind=BlockEntry.Kind.AFFILIATE, affiliate=click.affiliate)

    assert_blocked(send_postback({"transaction_id": click.transaction_id}), "affiliate")
    assert_blocked(send_postback({"offer_id": click.offer_id, "aff_id": click.affiliate_id}), "affiliate")


def test_another_offers_blocklist_does_not_refuse(send_postback, click):
    block_entry_add(kind=BlockEntry.Kind.IP, value="203.0.113.7", offer=factories.OfferFactory())

    response = send_postback({"transaction_id": click.transaction_id})

    assert response.status_code == 200
    assert Conversion.objects.count() == 1


def test_by_partner_id_the_shoppers_ip_is_checked_against_the_ip_blocklists(send_postback, offer, affiliate):
    block_entry_add(kind=BlockEntry.Kind.CIDR, value="198.51.100.0/24")

    blocked = send_postback({"offer_id": offer.pk, "aff_id": affiliate.pk, "ip": "198.51.100.20"})
    assert_blocked(blocked, "cidr")

    allowed = send_postback({"offer_id": offer.pk, "aff_id": affiliate.pk, "ip": "192.0.2.1"})
    assert allowed.status_code == 200


def test_a_postback_refused_for_blocked_traffic_converts_when_replayed_after_the_entry_is_removed(send_postback, click):
    entry = block_entry_add(kind=BlockEntry.Kind.IP, value="203.0.113.7")
    log = assert_blocked(send_postback({"transaction_id": click.transaction_id}), "ip")

    again = postback_replay(log=log)
    assert again.reason == "blocked_traffic"

    block_entry_delete(entry=entry)
    outcome = postback_replay(log=log)

    assert outcome.status == "approved"
    assert Conversion.objects.get().pk == outcome.conversion_id
