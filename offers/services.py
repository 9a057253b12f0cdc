"""Writes of offers, goals and access rows: one function a change, each its own transaction."""

from django.core.exceptions import ValidationError
from django.db import transaction

from core.db import assign_and_save
from offers.models import GOAL_FIELDS, OFFER_FIELDS, Goal, Offer, OfferAccess


@transaction.atomic
def offer_create(*, advertiser, **fields) -> Offer:
    return assign_and_save(Offer(advertiser=advertiser), fields, set(OFFER_FIELDS) - {"advertiser"})


@transaction.atomic
def offer_update(*, offer, **fields) -> Offer:
    return assign_and_save(offer, fields, OFFER_FIELDS)


def offer_archive(*, offer) -> Offer:
    return offer_update(offer=offer, status=Offer.Status.ARCHIVED)


@transaction.atomic
def goal_create(*, offer, **fields) -> Goal:
    return assign_and_save(Goal(offer=offer), fields, GOAL_FIELDS)


@transaction.atomic
def goal_update(*, goal, **fields) -> Goal:
    return assign_and_save(goal, fields, GOAL_FIELDS)


@transaction.atomic
def offer_access_set(*, offer, affiliate, status, payout=None) -> OfferAccess:
    """Approve, reject, block (or reopen) one affiliate on one offer; one row per pair, kept by a constraint."""
    access, _ = OfferAccess.objects.select_for_update().get_or_create(offer=offer, affiliate=affiliate)
    access.status = status
    access.payout = payout
    access.full_clean()
    access.save()
    return access


@transaction.atomic
def offer_access_request(*, offer, affiliate) -> OfferAccess:
    """An affiliate asks to run an approval-required offer. A decided row (approved, rejected, blocked)
    stays as it is: asking again does not reopen it."""
    if offer.visibility != Offer.Visibility.APPROVAL_REQUIRED:
        raise ValueError("only approval-required offers take access requests")
    access, _ = OfferAccess.objects.get_or_create(
        offer=offer, affiliate=affiliate, defaults={"status": OfferAccess.Status.PENDING}
    )
    return access


@transaction.atomic
def goal_delete(*, goal) -> None:
    """Remove a goal that never converted (one with conversions stays: the books point at it)."""
    if goal.conversions.exists():
        raise ValidationError(f"Goal {goal.name!r} has conversions and cannot be removed.", code="goal_in_use")
    goal.delete()


@transaction.atomic
def offer_save(*, offer=None, fields, goals=(), goals_removed=()) -> Offer:
    """Create (offer=None) or update an offer together with its goals, all or nothing (the portal's offer form).

    `goals` is a list of (goal or None for a new one, fields); `goals_removed` the goals to delete.
    """
    fields = dict(fields)
    if offer is None:
        offer = offer_create(advertiser=fields.pop("advertiser"), **fields)
    else:
        offer = offer_update(offer=offer, **fields)
    for goal in goals_removed:
        goal_delete(goal=goal)
    for goal, goal_fields in goals:
        if goal is None:
            goal_create(offer=offer, **goal_fields)
        else:
            goal_update(goal=goal, **goal_fields)
    return offer
