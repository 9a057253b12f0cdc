"""Reads of clicks, scoped to what the user may see."""

from core.roles import Role, role_of
from tracking.models import Click


def click_list(*, user):
    role = role_of(user)
    clicks = Click.objects.select_related("offer", "affiliate")
    if role == Role.MANAGER:
        return clicks
    if role == Role.AFFILIATE:
        return clicks.filter(affiliate_id=user.membership.affiliate_id)
    if role == Role.ADVERTISER:
        return clicks.filter(offer__advertiser_id=user.membership.advertiser_id)
    return clicks.none()
