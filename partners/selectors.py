"""Reads of advertisers and affiliates, scoped to what the user may see."""

from core.roles import Role, role_of
from partners.models import Advertiser, Affiliate


def advertiser_list(*, user):
    role = role_of(user)
    if role == Role.MANAGER:
        return Advertiser.objects.all()
    if role == Role.ADVERTISER:
        return Advertiser.objects.filter(pk=user.membership.advertiser_id)
    return Advertiser.objects.none()


def affiliate_list(*, user):
    role = role_of(user)
    if role == Role.MANAGER:
        return Affiliate.objects.all()
    if role == Role.AFFILIATE:
        return Affiliate.objects.filter(pk=user.membership.affiliate_id)
    return Affiliate.objects.none()
