"""The manager's click pages: "did this click arrive?"."""

from django.conf import settings
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views import View

from areas.manager.exports import CsvExportMixin, utc
from conversions.selectors import conversion_list
from core.listing import FilteredListView
from core.permissions import ManagerRequiredMixin
from offers.macros import fill
from offers.targeting import OperatingSystem
from quality.services import session_block_reason
from tracking.filters import ClickFilter
from tracking.retention import transaction_dropped
from tracking.selectors import click_list
from tracking.transaction_ids import time_of, transaction_id_q


class ClickListView(ManagerRequiredMixin, FilteredListView):
    """Recent clicks, newest first, filtered by offer, affiliate, transaction ID, sub ID, source or dates."""

    template_name = "tracking/click_list.html"
    selector = staticmethod(click_list)
    filterset_class = ClickFilter
    ordering = ("-created_at", "-id")


class ClickCsvView(CsvExportMixin, ClickListView):
    """The clicks the list's filters select, every page, as CSV (Export CSV on the list)."""

    csv_name = "clicks"
    csv_header = (
        "Time (UTC)", "Transaction ID", "Offer ID", "Offer", "Affiliate ID", "Affiliate", "aff_sub", "aff_sub2",
        "aff_sub3", "aff_sub4", "aff_sub5", "source", "aff_click_id", "IP", "Unique", "Session ends (UTC)",
    )  # fmt: skip

    def csv_row(self, click):
        return (
            utc(click.created_at),
            click.transaction_id,
            click.offer_id,
            click.offer.name,
            click.affiliate_id,
            click.affiliate.name,
            click.aff_sub,
            click.aff_sub2,
            click.aff_sub3,
            click.aff_sub4,
            click.aff_sub5,
            click.source,
            click.aff_click_id,
            click.ip or "",
            click.is_unique,
            utc(click.expires_at),
        )


class ClickDetailView(ManagerRequiredMixin, View):
    def get(self, request, transaction_id):
        click = (
            click_list(user=request.user)
            .select_related("offer__advertiser")
            .filter(transaction_id_q(transaction_id))
            .first()
        )
        if click is None:
            return self.not_found(request, transaction_id)
        context = {
            "click": click,
            "landing_url": fill(click.offer.destination_url, click.macro_values()),
            "conversions": conversion_list(user=request.user).filter(click=click),
            "expired": click.expires_at < timezone.now(),
            # Clicks refused at click time are not stored; a stored one may match an entry added since.
            "block_reason": session_block_reason(
                offer=click.offer, affiliate=click.affiliate_id, ip=click.ip, subs=click.macro_values()
            ),
            "os_label": OperatingSystem(click.os).label if click.os in OperatingSystem.values else click.os,
        }
        return render(request, "tracking/click_detail.html", context)

    def not_found(self, request, transaction_id):
        """A click retention dropped (README, Data retention) is gone for good, not unknown: 410, with what is left
        of it (its conversions keep their copies of its details)."""
        if not transaction_dropped(transaction_id):
            raise Http404("No such click.")
        context = {
            "transaction_id": transaction_id,
            "made_at": time_of(transaction_id),
            "retention_days": settings.TALLY_CLICK_RETENTION_DAYS,
            "conversions": conversion_list(user=request.user).filter(transaction_id=transaction_id),
        }
        return render(request, "tracking/click_dropped.html", context, status=410)
