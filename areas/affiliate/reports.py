"""The affiliate's report: its own traffic and earnings."""

from areas.affiliate.views import AffiliateAreaMixin
from reports.views import ReportView as BaseReportView


class ReportView(AffiliateAreaMixin, BaseReportView):
    audience = "affiliate"
