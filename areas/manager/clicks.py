"""The manager's click pages: "did this click arrive?"."""

from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views import View

from conversions.selectors import conversion_list
from core.listing import FilteredListView
from core.permissions import ManagerRequiredMixin
from offers.macros import fill
from tracking.filters import ClickFilter
from tracking.selectors import click_list


class ClickListView(ManagerRequiredMixin, FilteredListView):
    """Recent clicks, newest first, filtered by offer, affiliate, transaction ID, sub ID, source or dates."""

    template_name = "tracking/click_list.html"
    selector = staticmethod(click_list)
    filterset_class = ClickFilter
    ordering = ("-created_at", "-id")


class ClickDetailView(ManagerRequiredMixin, View):
    def get(self, request, transaction_id):
        click = get_object_or_404(
            click_list(user=request.user).select_related("offer__advertiser"), transaction_id=transaction_id
        )
        context = {
            "click": click,
            "landing_url": fill(click.offer.destination_url, click.macro_values()),
            "conversions": conversion_list(user=request.user).filter(click=click),
            "expired": click.expires_at < timezone.now(),
        }
        return render(request, "tracking/click_detail.html", context)
