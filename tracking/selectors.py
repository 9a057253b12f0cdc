"""Reads of clicks, scoped to what the user may see."""

from core.scoping import restrict
from tracking.models import Click


def click_list(*, user):
    clicks = Click.objects.select_related("offer", "affiliate")
    return restrict(clicks, user, affiliate="affiliate_id", advertiser="offer__advertiser_id")
