"""Reads of advertisers and affiliates, scoped to what the user may see."""

from core.scoping import restrict
from partners.models import Advertiser, Affiliate


def advertiser_list(*, user):
    return restrict(Advertiser.objects.all(), user, advertiser="pk")


def affiliate_list(*, user):
    return restrict(Affiliate.objects.all(), user, affiliate="pk")
