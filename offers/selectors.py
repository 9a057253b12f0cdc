"""Reads of offers, goals and access rows, scoped to what the user may see."""

from django.db.models import DecimalField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, Lower

from core.roles import Role, role_of
from core.scoping import restrict
from offers.models import Category, Coupon, Creative, Goal, Offer, OfferAccess, Tag


def offer_list(*, user):
    """Managers: every offer. Advertisers: their own. Affiliates: offers they may run or may ask to run
    (approval-required ones), never private offers they were not given, never archived ones."""
    offers = Offer.objects.select_related("advertiser", "category")
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


# --- The catalogue: creatives, coupon codes ---------------------------------------------------------------------


def creative_list(*, user):
    """Managers: every creative. Advertisers: those of their offers. Affiliates: those of offers they may run now
    (not archived), never of an offer they may only ask for (README.md, Creatives)."""
    creatives = Creative.objects.select_related("offer")
    return restrict(creatives, user, affiliate=_creatives_of_runnable_offers, advertiser="offer__advertiser_id")


def _creatives_of_runnable_offers(creatives, user):
    runnable = Offer.objects.runnable_by(user.membership.affiliate).exclude(status=Offer.Status.ARCHIVED)
    return creatives.filter(offer__in=runnable.values("pk"))


def creative_by_public_key(*, key):
    """The creative a pasted banner loads (/creative/<key>), while its offer is not archived; None otherwise."""
    return (
        Creative.objects.exclude(offer__status=Offer.Status.ARCHIVED)
        .exclude(image="")
        .filter(public_key=key)
        .only("image", "content_type", "kind", "offer_id")
        .first()
    )


def coupon_list(*, user):
    """Managers: every coupon code. Affiliates: their own codes. Advertisers: none (a code names its affiliate)."""
    coupons = Coupon.objects.select_related("offer", "affiliate")
    return restrict(coupons, user, affiliate="affiliate_id")


def coupon_for_postback(*, offer_id, code):
    """The coupon a postback names (offer and code, any case), with its offer's advertiser; None if there is none.
    One lookup on the unique (lower(code), offer) index."""
    return (
        Coupon.objects.select_related("offer__advertiser", "affiliate")
        .alias(code_lower=Lower("code"))
        .filter(offer_id=offer_id, code_lower=code.lower())
        .first()
    )


def category_list(*, user):
    """Every category, for any signed-in user (the catalogue's headings are not secret); none for anyone else."""
    return Category.objects.all() if user.is_authenticated else Category.objects.none()


def tag_list(*, user):
    return Tag.objects.all() if user.is_authenticated else Tag.objects.none()
