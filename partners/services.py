"""Writes of advertisers, affiliates and their users."""

import secrets

from django.contrib.auth import get_user_model
from django.db import transaction

from config.db import assign_and_save
from partners.models import Advertiser, Affiliate, Membership, PartnerStatus

ADVERTISER_FIELDS = {"name", "status", "security_token", "postback_ip_allowlist", "require_signature"}
AFFILIATE_FIELDS = {"name", "status", "contact_email", "website"}


@transaction.atomic
def advertiser_create(**fields) -> Advertiser:
    return assign_and_save(Advertiser(), fields, ADVERTISER_FIELDS)


@transaction.atomic
def advertiser_update(*, advertiser, **fields) -> Advertiser:
    return assign_and_save(advertiser, fields, ADVERTISER_FIELDS)


@transaction.atomic
def advertiser_rotate_token(*, advertiser) -> Advertiser:
    """A new security token; postbacks with the old one are refused from now on."""
    advertiser.security_token = secrets.token_urlsafe(24)
    advertiser.save(update_fields=["security_token", "updated_at"])
    return advertiser


@transaction.atomic
def advertiser_rotate_signing_secret(*, advertiser) -> Advertiser:
    """A new signing secret; the current one stays valid as the previous until the next rotation."""
    advertiser.signing_secret_previous = advertiser.signing_secret
    advertiser.signing_secret = secrets.token_urlsafe(32)
    advertiser.save(update_fields=["signing_secret", "signing_secret_previous", "updated_at"])
    return advertiser


@transaction.atomic
def affiliate_create(**fields) -> Affiliate:
    return assign_and_save(Affiliate(), fields, AFFILIATE_FIELDS)


@transaction.atomic
def affiliate_update(*, affiliate, **fields) -> Affiliate:
    return assign_and_save(affiliate, fields, AFFILIATE_FIELDS)


def affiliate_set_status(*, affiliate, status) -> Affiliate:
    return affiliate_update(affiliate=affiliate, status=PartnerStatus(status))


@transaction.atomic
def member_create(*, email, advertiser=None, affiliate=None, username=None, password=None):
    """A login for an advertiser's or affiliate's person; without a password it cannot sign in until
    the person sets one through an invitation or password-reset link."""
    user = get_user_model().objects.create_user(username=username or email, email=email, password=password)
    if password is None:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    Membership.objects.create(user=user, advertiser=advertiser, affiliate=affiliate)
    return user


def advertiser_set_status(*, advertiser, status) -> Advertiser:
    """Activate or suspend an advertiser (a suspended advertiser's offers take no clicks)."""
    return advertiser_update(advertiser=advertiser, status=PartnerStatus(status))


@transaction.atomic
def advertiser_clear_token(*, advertiser) -> Advertiser:
    """Stop requiring a security token on this advertiser's postbacks."""
    advertiser.security_token = ""
    advertiser.save(update_fields=["security_token", "updated_at"])
    return advertiser
