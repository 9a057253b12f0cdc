"""Reads of offers, goals and access rows, scoped to what the user may see."""

from django.db.models import Q

from core.roles import Role, role_of
from offers.models import Goal, Offer, OfferAccess


def offer_list(*, user):
    """Managers: every offer. Advertisers: their own. Affiliates: offers they may run or may ask to run
    (approval-required ones), never private offers they were not given, never archived ones."""
    role = role_of(user)
    offers = Offer.objects.select_related("advertiser")
    if role == Role.MANAGER:
        return offers
    if role == Role.ADVERTISER:
        return offers.filter(advertiser_id=user.membership.advertiser_id)
    if role == Role.AFFILIATE:
        affiliate = user.membership.affiliate
        visible = Offer.objects.runnable_by(affiliate).values("pk")
        requestable = Q(visibility=Offer.Visibility.APPROVAL_REQUIRED) & ~Q(
            access__affiliate=affiliate, access__status=OfferAccess.Status.BLOCKED
        )
        return offers.filter(Q(pk__in=visible) | requestable).exclude(status=Offer.Status.ARCHIVED).distinct()
    return offers.none()


def goal_list(*, user):
    return Goal.objects.filter(offer__in=offer_list(user=user).values("pk")).select_related("offer")


def offer_access_list(*, user):
    """Managers: every row. Affiliates: their own rows. Advertisers: rows on their offers."""
    role = role_of(user)
    rows = OfferAccess.objects.select_related("offer", "affiliate")
    if role == Role.MANAGER:
        return rows
    if role == Role.AFFILIATE:
        return rows.filter(affiliate_id=user.membership.affiliate_id)
    if role == Role.ADVERTISER:
        return rows.filter(offer__advertiser_id=user.membership.advertiser_id)
    return rows.none()
