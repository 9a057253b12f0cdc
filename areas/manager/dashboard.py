"""The manager's start page (/manage/): what needs attention today."""

from datetime import timedelta

from django.shortcuts import render
from django.utils import timezone

from conversions.models import Conversion, PostbackLog
from conversions.selectors import conversion_list, postback_log_list
from core.periods import network_today
from core.permissions import manager_required
from offers.models import Offer, OfferAccess
from offers.selectors import offer_access_list, offer_list
from operations.selectors import system_needs_attention
from partners.models import PartnerStatus
from partners.selectors import affiliate_list
from reports.selectors import report_daily_series, report_rows, report_totals, rollups_current_until


def traffic_summary(*, user, filters=None):
    """Clicks, conversions, revenue, payout and profit for today, yesterday, the last 7 and 30 network days, and
    clicks and conversions per day for the chart: the report selectors' numbers (rollups), as on the affiliate's
    dashboard. `filters` as report_rows takes them (e.g. {"offer": offer} on an offer's page)."""
    today = network_today()
    first = today - timedelta(days=29)
    days = report_rows(user=user, group_by="day", date_from=first, date_to=today, filters=filters)
    yesterday = today - timedelta(days=1)
    ranges = (
        ("Today", today, today),
        ("Yesterday", yesterday, yesterday),
        ("Last 7 days", today - timedelta(days=6), today),
        ("Last 30 days", first, today),
    )
    periods = [
        {"label": label, "totals": report_totals([row for row in days if start <= row.key <= end])}
        for label, start, end in ranges
    ]
    series = report_daily_series(user=user, date_from=first, date_to=today, rows=days)
    return {
        "periods": periods,
        "series": series,
        "chart": {
            "labels": [point["day"].isoformat() for point in series],
            "clicks": [point["clicks"] for point in series],
            "conversions": [point["conversions"] for point in series],
        },
        "current_until": rollups_current_until(),
    }


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
        .filter(
            verdict=PostbackLog.Verdict.REJECTED, is_test=False, received_at__gte=timezone.now() - timedelta(hours=24)
        )
        .count(),
        "recent_postbacks": postback_log_list(user=user).select_related("offer")[:8],
        # Traffic and money by period, and the chart (templates/includes/traffic_summary.html).
        "traffic": traffic_summary(user=user),
        # Something on the system page is red (a stopped worker or beat, a late task, stale rollups).
        "system_needs_attention": system_needs_attention(),
    }
    return render(request, "manager/home.html", context)
