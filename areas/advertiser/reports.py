"""The advertiser's report: traffic and conversions on its own offers."""

from areas.advertiser.views import AdvertiserAreaMixin
from reports import schedule_views
from reports.views import ReportView as BaseReportView


class ReportView(AdvertiserAreaMixin, BaseReportView):
    audience = "advertiser"


class ScheduleListView(AdvertiserAreaMixin, schedule_views.ScheduleListView):
    audience = "advertiser"


class ScheduleDeleteView(AdvertiserAreaMixin, schedule_views.ScheduleDeleteView):
    audience = "advertiser"
