"""The manager's start page (/manage/): what needs attention today."""

from datetime import timedelta

from django.shortcuts import render
from django.utils import timezone

from billing.selectors import overdue_invoices
from conversions.models import Conversion, PostbackLog
from conversions.selectors import conversion_list, postback_log_list
from core.permissions import manager_required
from offers.models import Offer, OfferAccess
from offers.selectors import offer_access_list, offer_list
from operations.selectors import system_needs_attention
from partners.models import PartnerStatus
from partners.selectors import affiliate_list
from reports.selectors import traffic_summary


@manager_required
def manage_home(request):
    """What needs a manager's attention: requests, conversions to review, postbacks refused today."""
    user = request.user
    overdue = overdue_invoices(user=user)
    context = {
        "pending_access": offer_access_list(user=user).filter(status=OfferAccess.Status.PENDING).count(),
        "pending_affiliates": affiliate_list(user=user).filter(status=PartnerStatus.PENDING).count(),
        "pending_conversions": conversion_list(user=user).filter(status=Conversion.Status.PENDING).count(),
        "active_offers": offer_list(user=user).filter(status=Offer.Status.ACTIVE).count(),
        "rejected_postbacks": postback_log_list(user=user)
        .filter(
            verdict=PostbackLog.Verdict.REJECTED, is_test=False, received_at__gte=timezone.now() - timedelta(hours=24)
        )
        .count(),
        "recent_postbacks": postback_log_list(user=user).select_related("offer")[:8],
        # Traffic and money by period, and the chart (templates/includes/traffic_summary.html).
        "traffic": traffic_summary(user=user),
        # Something on the system page is red (a stopped worker or beat, a late task, stale rollups).
        "system_needs_attention": system_needs_attention(),
        # Advertiser invoices past their due date (README.md, Billing), the longest overdue first.
        "overdue_invoices": overdue.count(),
        "overdue_list": overdue[:5],
    }
    return render(request, "manager/home.html", context)
