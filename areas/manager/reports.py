"""The manager's report: every offer, affiliate and advertiser of the network."""

from core.permissions import ManagerRequiredMixin
from reports.views import ReportView as BaseReportView


class ReportView(ManagerRequiredMixin, BaseReportView):
    audience = "manager"
