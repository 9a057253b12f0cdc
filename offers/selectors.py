"""Reads of offers, goals and access rows, scoped to what the user may see."""

from django.db.models import DecimalField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from core.roles import Role, role_of
from core.scoping import restrict
from offers.models import Goal, Offer, OfferAccess


def offer_list(*, user):
    """Managers: every offer. Advertisers: their own. Affiliates: offers they may run or may ask to run
    (approval-required ones), never private offers they were not given, never archived ones."""
    offers = Offer.objects.select_related("advertiser")
    return restrict(offers, user, affiliate=_offers_open_to_affiliate, advertiser="advertiser_id")


def _offers_open_to_affiliate(offers, user):
    """The affiliates' special rule (not a plain column match): runnable or requestable offers, never archived."""
    affiliate = user.membership.affiliate
    visible = Offer.objects.runnable_by(affiliate).values("pk")
    requestable = Q(visibility=Offer.Visibility.APPROVAL_REQUIRED) & ~Q(
        access__affiliate=affiliate, access__status=OfferAccess.Status.BLOCKED
    )
    return offers.filter(Q(pk__in=visible) | requestable).exclude(status=Offer.Status.ARCHIVED).distinct()


def offer_list_with_payout(*, user):
    """offer_list, and for an affiliate each offer's `affiliate_payout`: what it earns there (its access row's payout
    override, or the offer's payout), which its pages and API show as the payout and sort by."""
    offers = offer_list(user=user)
    if role_of(user) != Role.AFFILIATE:
        return offers
    override = OfferAccess.objects.filter(
        offer=OuterRef("pk"), affiliate_id=user.membership.affiliate_id, payout__isnull=False
    ).values("payout")[:1]
    payout = Coalesce(Subquery(override), "payout", output_field=DecimalField(max_digits=14, decimal_places=2))
    return offers.annotate(affiliate_payout=payout)


def goal_list(*, user):
    return Goal.objects.filter(offer__in=offer_list(user=user).values("pk")).select_related("offer")


def offer_access_list(*, user):
    """Managers: every row. Affiliates: their own rows. Advertisers: rows on their offers."""
    rows = OfferAccess.objects.select_related("offer", "affiliate")
    return restrict(rows, user, affiliate="affiliate_id", advertiser="offer__advertiser_id")
