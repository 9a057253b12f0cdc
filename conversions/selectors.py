"""Reads of conversions and postback logs, scoped to what the user may see."""

from conversions.models import Conversion, PostbackLog
from partners.roles import Role, role_of


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
