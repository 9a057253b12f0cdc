"""Reads of conversions and postback logs, scoped to what the user may see."""

from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from conversions.models import AffiliatePostback, Conversion, PostbackDelivery, PostbackLog
from core.roles import Role, role_of


def conversion_list(*, user):
    role = role_of(user)
    conversions = Conversion.objects.select_related("offer", "affiliate", "goal")
    if role == Role.MANAGER:
        return conversions
    if role == Role.AFFILIATE:
        return conversions.filter(affiliate_id=user.membership.affiliate_id)
    if role == Role.ADVERTISER:
        return conversions.filter(offer__advertiser_id=user.membership.advertiser_id)
    return conversions.none()


def postback_log_list(*, user):
    """The raw postback log is the managers' debugging tool; advertisers see entries of their own offers."""
    role = role_of(user)
    logs = PostbackLog.objects.select_related("conversion")
    if role == Role.MANAGER:
        return logs
    if role == Role.ADVERTISER:
        return logs.filter(conversion__offer__advertiser_id=user.membership.advertiser_id)
    return logs.none()


def affiliate_postback_url(affiliate):
    """The affiliate-wide postback URL ("" when none is set): the `postback_url` of an affiliate."""
    postback = AffiliatePostback.objects.filter(affiliate=affiliate, offer__isnull=True).first()
    return postback.url if postback else ""


def affiliates_with_postback_url(affiliates):
    """The affiliates queryset with `postback_url` on each row (as affiliate_postback_url, in the same query)."""
    url = AffiliatePostback.objects.filter(affiliate=OuterRef("pk"), offer__isnull=True).values("url")[:1]
    return affiliates.annotate(postback_url=Coalesce(Subquery(url), Value("")))


def affiliate_postback_list(*, user):
    """Postback URLs: managers see all, an affiliate its own."""
    role = role_of(user)
    postbacks = AffiliatePostback.objects.select_related("affiliate", "offer")
    if role == Role.MANAGER:
        return postbacks
    if role == Role.AFFILIATE:
        return postbacks.filter(affiliate_id=user.membership.affiliate_id)
    return postbacks.none()


def postback_delivery_list(*, user):
    """Deliveries of affiliate postbacks (newest first, with their attempts): managers see all, an affiliate
    its own. Advertisers see none: these are the network's calls to affiliates."""
    role = role_of(user)
    deliveries = PostbackDelivery.objects.select_related("conversion", "postback").prefetch_related("attempt_log")
    if role == Role.MANAGER:
        return deliveries
    if role == Role.AFFILIATE:
        return deliveries.filter(conversion__affiliate_id=user.membership.affiliate_id)
    return deliveries.none()
