"""Report pages (README.md, Reports) for the three audiences, and their CSV export: one view, scoped by the selector."""

from django.core.paginator import Paginator
from django.template.loader import select_template
from django.urls import reverse
from django.views.generic import TemplateView

from core.db_routing import ReplicaReadsMixin
from reports.export import csv_attachment, report_csv_lines
from reports.filters import ReportFilter
from reports.selectors import (
    METRIC_BY_KEY,
    rejected_clicks_by_reason,
    report_columns,
    report_daily_series,
    report_rows,
    report_totals,
    rollups_current_until,
)

ROWS_PER_PAGE = 50
ENTITY_GROUPS = ("affiliate", "offer", "advertiser")


class ReportView(ReplicaReadsMixin, TemplateView):
    """A report: filter bar, chart of clicks and conversions per day, the table with totals, CSV of the same.
    Read from the replica when there is one (core/db_routing.py)."""

    template_name = "reports/report.html"
    audience = ""
    as_csv = False

    def get(self, request, *args, **kwargs):
        report_filter = ReportFilter(request.GET, request=request)
        if not report_filter.is_valid():
            return self.render_to_response(self.page_context(report_filter, None), status=400)
        params = report_filter.selector_kwargs()
        rows = report_rows(user=request.user, **params)
        if self.as_csv:
            return self.csv_response(report_filter, params, rows)
        return self.render_to_response(self.page_context(report_filter, params, rows))

    def csv_response(self, report_filter, params, rows):
        lines = report_csv_lines(
            rows=rows,
            totals=report_totals(rows),
            columns=report_columns(user=self.request.user),
            group_label=report_filter.group_label,
            with_id=params["group_by"] in ENTITY_GROUPS,
        )
        name = f"tally-{self.audience}-report-by-{params['group_by']}-{params['date_from']}-{params['date_to']}.csv"
        return csv_attachment(lines, name)

    def page_context(self, report_filter, params, rows=()):
        context = {
            "filter": report_filter,
            "audience": self.audience,
            "base_template": select_template([f"{self.audience}/base.html", "base.html"]),
            "columns": report_columns(user=self.request.user),
            "current_until": rollups_current_until(),
            "csv_url": reverse(f"{self.audience}:report_csv"),
        }
        if params is None:
            return context
        by_day = params["group_by"] == "day"
        series = report_daily_series(
            user=self.request.user,
            date_from=params["date_from"],
            date_to=params["date_to"],
            filters=params["filters"],
            rows=rows if by_day else None,
        )
        page = Paginator(rows, ROWS_PER_PAGE).get_page(self.request.GET.get("page"))
        sort = params["sort"] or ("key" if by_day else "-clicks")
        context.update(
            params=params,
            page_obj=page,
            rows=page.object_list,
            row_count=len(rows),
            totals=report_totals(rows),
            sort=sort,
            group_label=report_filter.group_label,
            with_id=params["group_by"] in ENTITY_GROUPS,
            chart={
                "labels": [point["day"].isoformat() for point in series],
                "clicks": [point["clicks"] for point in series],
                "conversions": [point["conversions"] for point in series],
                "total_clicks": sum(point["clicks"] for point in series),
                "total_conversions": sum(point["conversions"] for point in series),
            },
            definitions=[METRIC_BY_KEY[m.key] for m in context["columns"]],
            rejected=rejected_clicks_by_reason(
                user=self.request.user,
                date_from=params["date_from"],
                date_to=params["date_to"],
                filters=params["filters"],
            ),
        )
        return context
