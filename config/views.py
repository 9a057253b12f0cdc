"""The front door: `/` sends each user to their own area; `/manage/` is the manager's start page."""

from datetime import timedelta

from django.shortcuts import redirect, render
from django.utils import timezone

from conversions.models import Conversion, PostbackLog
from conversions.selectors import conversion_list, postback_log_list
from offers.models import Offer, OfferAccess
from offers.selectors import offer_access_list, offer_list
from partners.models import PartnerStatus
from partners.permissions import manager_required
from partners.roles import Role, role_of
from partners.selectors import affiliate_list

AREAS = {Role.MANAGER: "/manage/", Role.AFFILIATE: "/affiliate/", Role.ADVERTISER: "/advertiser/"}


def home(request):
    """Managers to /manage/, affiliates to /affiliate/, advertisers to /advertiser/, everyone else to sign in."""
    area = AREAS.get(role_of(request.user))
    if area:
        return redirect(area)
    return redirect("login")


@manager_required
def manage_home(request):
    """What needs a manager's attention: requests, conversions to review, postbacks refused today."""
    user = request.user
    context = {
        "pending_access": offer_access_list(user=user).filter(status=OfferAccess.Status.PENDING).count(),
        "pending_affiliates": affiliate_list(user=user).filter(status=PartnerStatus.PENDING).count(),
        "pending_conversions": conversion_list(user=user).filter(status=Conversion.Status.PENDING).count(),
        "active_offers": offer_list(user=user).filter(status=Offer.Status.ACTIVE).count(),
        "rejected_postbacks": postback_log_list(user=user)
        .filter(verdict=PostbackLog.Verdict.REJECTED, received_at__gte=timezone.now() - timedelta(hours=24))
        .count(),
        "recent_postbacks": postback_log_list(user=user).select_related("offer")[:8],
    }
    return render(request, "manager/home.html", context)
