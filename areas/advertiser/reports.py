"""The advertiser's report: traffic and conversions on its own offers."""

from areas.advertiser.views import AdvertiserAreaMixin
from reports.views import ReportView as BaseReportView


class ReportView(AdvertiserAreaMixin, BaseReportView):
    audience = "advertiser"
