"""The advertiser's report: traffic and conversions on its own offers."""

from core.permissions import AdvertiserRequiredMixin
from reports.views import ReportView as BaseReportView


class ReportView(AdvertiserRequiredMixin, BaseReportView):
    audience = "advertiser"
