"""The manager's report: every offer, affiliate and advertiser of the network."""

from datetime import timedelta

from django.views.generic import TemplateView

from conversions.filters import ConversionFilter
from conversions.selectors import conversion_list
from core.periods import network_today
from core.permissions import ManagerRequiredMixin
from reports import schedule_views
from reports.conversion_times import conversion_time_distribution
from reports.views import ReportView as BaseReportView


class ReportView(ManagerRequiredMixin, BaseReportView):
    audience = "manager"


class ScheduleListView(ManagerRequiredMixin, schedule_views.ScheduleListView):
    audience = "manager"


class ScheduleDeleteView(ManagerRequiredMixin, schedule_views.ScheduleDeleteView):
    audience = "manager"


class ConversionTimeReportView(ManagerRequiredMixin, TemplateView):
    """The click-to-conversion time distribution (README, Traffic quality) of the conversions the filters choose:
    an offer, an affiliate, a status, a flag, a period (the last 30 network days unless dates are given)."""

    template_name = "reports/conversion_times.html"
    fields = ("date_from", "date_to", "offer", "affiliate", "status", "flag")

    def get(self, request, *args, **kwargs):
        data = request.GET.copy()
        if not data.get("date_from") and not data.get("date_to"):
            today = network_today()
            data["date_from"], data["date_to"] = (today - timedelta(days=29)).isoformat(), today.isoformat()
        report_filter = ConversionFilter(data, queryset=conversion_list(user=request.user), request=request)
        context = {"filter": report_filter, "fields": [report_filter.form[name] for name in self.fields]}
        if not report_filter.is_valid():
            return self.render_to_response(context, status=400)
        context["distribution"] = conversion_time_distribution(conversions=report_filter.qs)
        return self.render_to_response(context)
