"""Reads of conversions and postback logs, scoped to what the user may see."""

from django.db.models import Exists, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from conversions.models import AffiliatePostback, Conversion, ConversionFlag, PostbackDelivery, PostbackLog
from core.scoping import restrict


def conversion_list(*, user):
    conversions = Conversion.objects.select_related("offer", "affiliate", "goal")
    return restrict(conversions, user, affiliate="affiliate_id", advertiser="offer__advertiser_id")


def conversion_flagged_list(*, user):
    """Conversions that broke a conversion rule (docs/postbacks.md#conversion-rules), with their flags: what a
    manager reviews."""
    flagged = Exists(ConversionFlag.objects.filter(conversion=OuterRef("pk")))
    return conversion_list(user=user).filter(flagged).prefetch_related("flags")


def postback_log_list(*, user):
    """The raw postback log is the managers' debugging tool; advertisers see entries of their own offers."""
    logs = PostbackLog.objects.select_related("conversion")
    return restrict(logs, user, advertiser="conversion__offer__advertiser_id")


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
    postbacks = AffiliatePostback.objects.select_related("affiliate", "offer")
    return restrict(postbacks, user, affiliate="affiliate_id")


def postback_delivery_list(*, user):
    """Deliveries of affiliate postbacks (newest first, with their attempts): managers see all, an affiliate
    its own. Advertisers see none: these are the network's calls to affiliates."""
    deliveries = PostbackDelivery.objects.select_related("conversion", "postback").prefetch_related("attempt_log")
    return restrict(deliveries, user, affiliate="conversion__affiliate_id")
