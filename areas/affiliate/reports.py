"""The affiliate's report: its own traffic and earnings."""

from areas.affiliate.views import AffiliateAreaMixin
from reports import schedule_views
from reports.views import ReportView as BaseReportView


class ReportView(AffiliateAreaMixin, BaseReportView):
    audience = "affiliate"


class ScheduleListView(AffiliateAreaMixin, schedule_views.ScheduleListView):
    audience = "affiliate"


class ScheduleDeleteView(AffiliateAreaMixin, schedule_views.ScheduleDeleteView):
    audience = "affiliate"
