"""Concurrent writers append to one chain: each append locks the head row, so no two entries ever share a number or
a previous hash (PostgreSQL: real concurrent transactions, one connection a thread, released together)."""

import threading
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection

from audit.models import AuditEntry, AuditHead
from offers import services as offers
from offers.models import Goal, Offer
from partners import services as partners
from partners.models import Affiliate
from tests import factories

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 8
CHANGES_EACH = 5


def test_concurrent_changes_keep_one_unbroken_chain():
    offer_ids = [factories.OfferFactory(payout=Decimal("1")).pk for _ in range(THREADS // 2)]
    affiliate_ids = [factories.AffiliateFactory().pk for _ in range(THREADS - len(offer_ids))]
    barrier = threading.Barrier(THREADS)
    errors = []

    def edit(index):
        try:
            connection.ensure_connection()
            barrier.wait(timeout=30)
            for step in range(CHANGES_EACH):
                if index < len(offer_ids):
                    offer = Offer.objects.get(pk=offer_ids[index])
                    offers.offer_update(offer=offer, payout=Decimal(step + 2))
                else:
                    affiliate = Affiliate.objects.get(pk=affiliate_ids[index - len(offer_ids)])
                    partners.affiliate_rotate_postback_secret(affiliate=affiliate)
        except Exception as error:  # reported by the main thread
            errors.append(error)
            barrier.abort()
        finally:
            connection.close()

    threads = [threading.Thread(target=edit, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    entries = list(AuditEntry.objects.order_by("seq"))
    assert [e.seq for e in entries] == list(range(1, THREADS * CHANGES_EACH + 1))
    assert len({e.prev_hash for e in entries}) == len(entries)  # no fork: every entry has its own predecessor
    head = AuditHead.objects.get(pk=1)
    assert (head.seq, head.hash) == (entries[-1].seq, entries[-1].hash)
    call_command("audit_verify")  # raises CommandError (exit 1) on a broken chain


def test_an_offer_saved_with_its_goals_and_the_same_goal_edited_alone_never_deadlock():
    """offer_save appends the offer's entry, then reads its goal; goal_update reads the goal, then appends. Both
    lock the head before the row they read, so neither waits on the other in the opposite order."""
    offer = factories.OfferFactory()
    goal = factories.GoalFactory(offer=offer, name="deposit")
    rounds = 6
    barrier = threading.Barrier(2)
    errors = []

    def save_offer_with_goal():
        try:
            connection.ensure_connection()
            barrier.wait(timeout=30)
            for step in range(rounds):
                offers.offer_save(
                    offer=Offer.objects.get(pk=offer.pk),
                    fields={"name": f"Offer {step}"},
                    goals=[(Goal.objects.get(pk=goal.pk), {"name": f"from the offer {step}"})],
                )
        except Exception as error:  # reported by the main thread
            errors.append(error)
            barrier.abort()
        finally:
            connection.close()

    def edit_goal():
        try:
            connection.ensure_connection()
            barrier.wait(timeout=30)
            for step in range(rounds):
                offers.goal_update(goal=Goal.objects.get(pk=goal.pk), name=f"alone {step}")
        except Exception as error:
            errors.append(error)
            barrier.abort()
        finally:
            connection.close()

    threads = [threading.Thread(target=save_offer_with_goal), threading.Thread(target=edit_goal)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert AuditEntry.objects.filter(object_type="offers.offer").count() == rounds
    call_command("audit_verify")


def test_an_affiliate_edited_while_it_rotates_its_postback_secret_never_deadlocks():
    """affiliate_update reads the row inside audit_changes; the rotation locks the row itself first: both take the
    audit head before the row (audit.services.audit_lock)."""
    affiliate = factories.AffiliateFactory()
    rounds = 6
    barrier = threading.Barrier(2)
    errors = []

    def run(work):
        try:
            connection.ensure_connection()
            barrier.wait(timeout=30)
            for step in range(rounds):
                work(step)
        except Exception as error:  # reported by the main thread
            errors.append(error)
            barrier.abort()
        finally:
            connection.close()

    def edit(step):
        partners.affiliate_update(affiliate=Affiliate.objects.get(pk=affiliate.pk), name=f"Edited {step}")

    def rotate(step):
        partners.affiliate_rotate_postback_secret(affiliate=affiliate)

    threads = [threading.Thread(target=run, args=(work,)) for work in (edit, rotate)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert AuditEntry.objects.filter(object_type="partners.affiliate").count() == 2 * rounds
    call_command("audit_verify")
