"""The affiliate's report: its own traffic and earnings."""

from core.permissions import AffiliateRequiredMixin
from reports.views import ReportView as BaseReportView


class ReportView(AffiliateRequiredMixin, BaseReportView):
    audience = "affiliate"
