"""/api/v1/reports/: the report rows (README.md, Reports) for the caller's scope, with the portal's filters
(reports.filters)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.renderers import JSONRenderer

from core.api import BaseViewSet
from core.renderers import BrowsableAPIRenderer
from reports.api.serializers import ReportRowSerializer
from reports.filters import PRESETS, ReportFilter
from reports.selectors import SORTABLE, report_group_choices, report_rows, report_totals

# The API says `date` where the portal's report filter says `day`.
GROUP_ALIASES = {"date": "day"}


class ReportPagination(PageNumberPagination):
    """Pages of rows, plus the totals of the whole report (one per currency) and the period it covers."""

    def get_paginated_response(self, data, *, totals=(), period=None):
        response = super().get_paginated_response(data)
        response.data["totals"] = totals
        response.data["date_from"], response.data["date_to"] = period
        return response

    def get_paginated_response_schema(self, schema):
        paginated = super().get_paginated_response_schema(schema)
        paginated["properties"]["totals"] = {"type": "array", "items": schema["items"]}
        period = {"type": "string", "format": "date", "nullable": True, "description": "The period the report covers."}
        paginated["properties"]["date_from"] = period
        paginated["properties"]["date_to"] = period
        paginated["required"] = [*paginated.get("required", []), "totals", "date_from", "date_to"]
        return paginated


class ReportBrowsableRenderer(BrowsableAPIRenderer):
    """The browsable API without its filter form: that form is built from a queryset, and a report is rows
    aggregated by the selectors, not a queryset. The filters are query parameters, listed in the schema."""

    def get_filter_form(self, data, view, request):
        return None


def _choice(name, values, description):
    return OpenApiParameter(name, OpenApiTypes.STR, enum=list(values), description=description)


class ReportViewSet(BaseViewSet):
    """Report rows (clicks, conversions, money) over a period, grouped by affiliate, offer, advertiser or date.

    Managers see the whole network; an affiliate its own traffic (payout, never revenue; it may group by sub ID);
    an advertiser its own offers (revenue, never payout). Rows come from rollups refreshed every minute."""

    serializer_class = ReportRowSerializer
    pagination_class = ReportPagination
    filter_backends = []
    renderer_classes = [JSONRenderer, ReportBrowsableRenderer]

    @extend_schema(
        parameters=[
            _choice(
                "group_by",
                ["affiliate", "offer", "advertiser", "date", "sub"],
                "Managers: affiliate (default), offer, advertiser, date. Affiliates: offer (default), date, sub. "
                "Advertisers: offer (default), date.",
            ),
            _choice("preset", [value for value, _ in PRESETS], "A period; `custom` (or none) uses date_from/date_to."),
            OpenApiParameter("date_from", OpenApiTypes.DATE, description="First network day (default: 29 days ago)."),
            OpenApiParameter("date_to", OpenApiTypes.DATE, description="Last network day, included (default: today)."),
            OpenApiParameter("offer", OpenApiTypes.INT),
            OpenApiParameter("affiliate", OpenApiTypes.INT, description="Managers only."),
            OpenApiParameter("advertiser", OpenApiTypes.INT, description="Managers only."),
            OpenApiParameter("aff_sub", OpenApiTypes.STR, description="Affiliates only: one sub ID."),
            _choice("sort", [*SORTABLE, *(f"-{name}" for name in SORTABLE)], "A column; `-` first for descending."),
        ]
    )
    def list(self, request, format=None):  # noqa: A002 -- the name DRF's format suffix routes pass
        if not report_group_choices(user=request.user):  # a signed-in user of no partner: no report
            rows, period = [], (None, None)
        else:
            data = request.query_params.copy()
            if data.get("group_by") in GROUP_ALIASES:
                data["group_by"] = GROUP_ALIASES[data["group_by"]]
            report_filter = ReportFilter(data, request=request)
            if not report_filter.is_valid():
                raise ValidationError(report_filter.errors)
            params = report_filter.selector_kwargs()
            rows = report_rows(user=request.user, **params)
            period = (params["date_from"].isoformat(), params["date_to"].isoformat())
        page = self.paginate_queryset(rows)
        return self.paginator.get_paginated_response(
            self.get_serializer(page, many=True).data,
            totals=self.get_serializer(report_totals(rows), many=True).data,
            period=period,
        )
