"""Who a signed-in user is to the network: a manager (staff), an affiliate's or an advertiser's user."""

from enum import StrEnum


class Role(StrEnum):
    MANAGER = "manager"
    AFFILIATE = "affiliate"
    ADVERTISER = "advertiser"
    NONE = "none"


def role_of(user):
    if not user or not user.is_authenticated:
        return Role.NONE
    if user.is_staff:
        return Role.MANAGER
    membership = getattr(user, "membership", None)
    if membership is None:
        return Role.NONE
    if membership.affiliate_id:
        return Role.AFFILIATE
    return Role.ADVERTISER


def affiliate_of(user):
    """The affiliate this user belongs to, or None."""
    membership = getattr(user, "membership", None) if user.is_authenticated else None
    return membership.affiliate if membership and membership.affiliate_id else None


def advertiser_of(user):
    """The advertiser this user belongs to, or None."""
    membership = getattr(user, "membership", None) if user.is_authenticated else None
    return membership.advertiser if membership and membership.advertiser_id else None


def inactive_partner_of(user):
    """The pending or suspended affiliate or advertiser this user belongs to, or None (an active partner, a
    manager, a user of no partner). Such a user's area shows only where its account stands, and the API refuses it."""
    if role_of(user) not in (Role.AFFILIATE, Role.ADVERTISER):
        return None
    partner = affiliate_of(user) or advertiser_of(user)
    return None if partner.is_active else partner
