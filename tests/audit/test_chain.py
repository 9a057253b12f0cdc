"""`manage.py audit_verify` walks the hash chain: it exits 0 on an intact trail and non-zero at the first entry
that was edited, deleted, inserted or moved, naming it."""

from decimal import Decimal

import pytest
from django.core.management import execute_from_command_line
from django.db import connections

from audit.chain import GENESIS, entry_hash
from audit.models import AuditEntry, AuditHead
from offers import services as offers
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def audit_verify(capsys, monkeypatch):
    """Run the command as `manage.py audit_verify ...` does: (exit status, what it printed). The test's database
    connection stays open (run_from_argv closes every connection when it ends, which would end the test's
    transaction on PostgreSQL)."""
    monkeypatch.setattr(connections, "close_all", lambda: None)

    def run(*args):
        try:
            execute_from_command_line(["manage.py", "audit_verify", *args])
            status = 0
        except SystemExit as exit:
            status = exit.code
        out, err = capsys.readouterr()
        return status, out + err

    return run


@pytest.fixture
def trail():
    """Five entries: an offer's payout edited five times."""
    offer = factories.OfferFactory(payout=Decimal("1"))
    for payout in range(2, 7):
        offers.offer_update(offer=offer, payout=Decimal(payout))
    return list(AuditEntry.objects.order_by("seq"))


def test_an_intact_trail_verifies(trail, audit_verify):
    status, output = audit_verify()

    assert status == 0
    assert f"Audit chain OK: 5 entries, head #5 {trail[-1].hash}" in output


def test_an_empty_trail_verifies(audit_verify):
    assert audit_verify()[0] == 0


def test_an_edited_entry_is_found(trail, audit_verify):
    AuditEntry.objects.filter(pk=trail[2].pk).update(changes=[{"field": "payout", "old": "3", "new": "300"}])

    status, output = audit_verify()

    assert status == 1
    assert "broken at entry #3" in output and "edited" in output


def test_an_edited_actor_is_found(trail, audit_verify):
    AuditEntry.objects.filter(pk=trail[1].pk).update(actor_name="someone-else", ip="203.0.113.9")

    status, output = audit_verify()

    assert status == 1 and "entry #2" in output


def test_an_edited_entry_whose_hash_was_recomputed_breaks_the_next_link(trail, audit_verify):
    edited = trail[1]
    edited.note = "nothing happened here"
    edited.hash = entry_hash(edited.prev_hash, edited)
    edited.save()

    status, output = audit_verify()

    assert status == 1 and "broken at entry #3" in output and "previous hash" in output


def test_a_deleted_entry_is_found(trail, audit_verify):
    AuditEntry.objects.filter(pk=trail[2].pk).delete()

    status, output = audit_verify()

    assert status == 1
    assert "broken at entry #4" in output and "expected entry #3" in output


def test_a_deleted_last_entry_is_found_by_the_head(trail, audit_verify):
    AuditEntry.objects.filter(pk=trail[-1].pk).delete()

    status, output = audit_verify()

    assert status == 1 and "head says #5" in output


def test_reordered_entries_are_found(trail, audit_verify):
    second, third = trail[1], trail[2]
    AuditEntry.objects.filter(pk=second.pk).update(seq=1000)
    AuditEntry.objects.filter(pk=third.pk).update(seq=second.seq)
    AuditEntry.objects.filter(pk=second.pk).update(seq=third.seq)

    status, output = audit_verify()

    assert status == 1 and "broken at entry #2" in output


def test_an_inserted_entry_is_found(trail, audit_verify):
    """A forged entry slipped in after #2 (its own hash right, the later entries renumbered): #4 no longer follows."""
    for entry in reversed(trail[2:]):
        AuditEntry.objects.filter(pk=entry.pk).update(seq=entry.seq + 1)
    forged = AuditEntry(
        seq=3, at=trail[1].at, actor_name="manager", action="update", object_type="offers.offer", object_id="1"
    )
    forged.prev_hash = trail[1].hash
    forged.hash = entry_hash(forged.prev_hash, forged)
    forged.save()
    AuditHead.objects.filter(pk=1).update(seq=6)

    status, output = audit_verify()

    assert status == 1 and "broken at entry #4" in output


def test_a_replaced_last_entry_is_found(trail, audit_verify):
    last = trail[-1]
    last.note = "rewritten"
    last.hash = entry_hash(last.prev_hash, last)
    last.save()

    status, output = audit_verify()

    assert status == 1 and "last entry's hash is not the head's" in output


def test_the_first_entry_chains_to_the_genesis_hash(trail):
    assert trail[0].prev_hash == GENESIS
    assert trail[0].hash == entry_hash(GENESIS, trail[0])


def test_a_chain_rewritten_with_fresh_hashes_is_found_by_a_head_kept_elsewhere(trail, audit_verify):
    kept = f"{trail[-1].seq}:{trail[-1].hash}"  # the line an earlier run printed, copied off the machine
    previous = trail[1].hash
    for entry in trail[2:]:  # an attacker with database access rewrites entry 3 and recomputes every hash after it
        if entry.seq == 3:
            entry.note = "rewritten"
        entry.prev_hash = previous
        entry.hash = entry_hash(previous, entry)
        entry.save()
        previous = entry.hash
    AuditHead.objects.filter(pk=1).update(hash=previous)

    assert audit_verify()[0] == 0  # the chain alone cannot tell
    status, output = audit_verify("--head", kept)
    assert status == 1 and "entry #5 no longer has the hash" in output
    assert audit_verify("--head", "not-a-head")[0] == 1
