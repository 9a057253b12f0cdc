"""The report's query parameters (?group_by=&preset=&date_from=&date_to=&offer=&affiliate=&advertiser=&aff_sub=&sort=),
validated once for the portal pages and the API, scoped to what the requesting user may see.

The period: `preset`, or the custom range `date_from`..`date_to`. Dates with no preset, the default one
(last_30_days) or `custom` are the custom range; dates with another preset are ignored (`dates_ignored`).

    report_filter = ReportFilter(request.GET, request=request)
    if report_filter.is_valid():
        rows = report_rows(user=request.user, **report_filter.selector_kwargs())
"""

from datetime import timedelta

import django_filters
from django import forms

from core.filters import scoped
from core.periods import network_today
from core.roles import Role, role_of
from offers.models import Offer
from offers.selectors import offer_list
from partners.models import Advertiser, Affiliate
from partners.selectors import advertiser_list, affiliate_list
from reports.models import DailyStat
from reports.selectors import GROUP_LABELS, SORTABLE, report_group_choices
from reports.widgets import QuickSelect

PRESETS = [
    ("today", "Today"),
    ("yesterday", "Yesterday"),
    ("last_7_days", "Last 7 days"),
    ("last_30_days", "Last 30 days"),
    ("this_month", "This month"),
    ("last_month", "Last month"),
    ("custom", "Custom range"),
]
DEFAULT_PRESET = "last_30_days"
LONGEST_RANGE = timedelta(days=3 * 366)


def preset_range(preset, today):
    """(first, last) network days of a preset, both inclusive."""
    if preset == "today":
        return today, today
    if preset == "yesterday":
        return today - timedelta(days=1), today - timedelta(days=1)
    if preset == "last_7_days":
        return today - timedelta(days=6), today
    if preset == "this_month":
        return today.replace(day=1), today
    if preset == "last_month":
        last = today.replace(day=1) - timedelta(days=1)
        return last.replace(day=1), last
    return today - timedelta(days=29), today


def named(selector, model):
    """Like offers.filters.scoped, loading only what a choice shows (its ID and name): a network has hundreds."""
    scoped_choices = scoped(selector, model)
    return lambda request: scoped_choices(request).select_related(None).only("pk", "name")


def _unchanged(queryset, name, value):
    """Parameters that shape the report rather than filter rows (group_by, preset, sort) leave the rows alone."""
    return queryset


# Which filters each audience gets: an affiliate never picks an affiliate, an advertiser never an affiliate or sub ID.
FILTERS_FOR_ROLE = {
    Role.MANAGER: ("offer", "affiliate", "advertiser"),
    Role.AFFILIATE: ("offer", "aff_sub"),
    Role.ADVERTISER: ("offer",),
}


class ReportForm(forms.Form):
    def clean(self):
        """Resolve the period: a preset's days, or the custom dates (each defaulting to the last 30 days')."""
        cleaned = super().clean()
        preset = cleaned.get("preset") or DEFAULT_PRESET
        default_first, default_last = preset_range(DEFAULT_PRESET, network_today())
        if preset != "custom":
            first, last = preset_range(preset, network_today())
        else:
            first, last = cleaned.get("date_from") or default_first, cleaned.get("date_to") or default_last
        if first > last:
            self.add_error("date_to", "The end of the range comes before its start.")
        elif last - first > LONGEST_RANGE:
            self.add_error("date_from", "Ask for three years at most.")
        cleaned["date_range"] = (first, last)
        return cleaned


class ReportFilter(django_filters.FilterSet):
    group_by = django_filters.ChoiceFilter(method=_unchanged, label="Group by", empty_label=None)
    preset = django_filters.ChoiceFilter(choices=PRESETS, method=_unchanged, label="Period", empty_label=None)
    # type="date": a date picker, as on the list pages (the API reads the same YYYY-MM-DD).
    date_from = django_filters.DateFilter(
        field_name="day", lookup_expr="gte", label="From", widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = django_filters.DateFilter(
        field_name="day", lookup_expr="lte", label="To", widget=forms.DateInput(attrs={"type": "date"})
    )
    offer = django_filters.ModelChoiceFilter(queryset=named(offer_list, Offer), widget=QuickSelect)
    affiliate = django_filters.ModelChoiceFilter(queryset=named(affiliate_list, Affiliate), widget=QuickSelect)
    advertiser = django_filters.ModelChoiceFilter(
        field_name="offer__advertiser",
        queryset=named(advertiser_list, Advertiser),
        widget=QuickSelect,
        label="Advertiser",
    )
    aff_sub = django_filters.CharFilter(label="Sub ID", method="filter_aff_sub")
    sort = django_filters.ChoiceFilter(method=_unchanged, widget=forms.HiddenInput)

    class Meta:
        model = DailyStat
        fields = []
        form = ReportForm

    def __init__(self, data=None, *args, request=None, **kwargs):
        user = getattr(request, "user", None)
        self.role = role_of(user)
        choices = report_group_choices(user=user) if user is not None else []
        data = data.copy() if data is not None else {}
        if not data.get("group_by") and choices:
            data["group_by"] = choices[0][0]
        # Dates typed in the filter bar select the custom range: the bar sends the Period select too, and it still
        # shows the default period. Another period picked with dates wins over them, and the page says so
        # (`dates_ignored`); the dates are dropped from the form so it shows what the report shows.
        self.dates_ignored = False
        has_dates = bool(data.get("date_from") or data.get("date_to"))
        if data.get("preset") in (None, "", DEFAULT_PRESET):
            data["preset"] = "custom" if has_dates else DEFAULT_PRESET
        elif has_dates and data["preset"] != "custom" and data["preset"] in dict(PRESETS):
            self.dates_ignored = True
            data.pop("date_from", None)
            data.pop("date_to", None)
        super().__init__(data, *args, request=request, **kwargs)
        self.filters["group_by"].extra["choices"] = choices
        self.filters["sort"].extra["choices"] = [(s, s) for s in SORTABLE] + [(f"-{s}", f"-{s}") for s in SORTABLE]
        allowed = FILTERS_FOR_ROLE.get(self.role, ())
        for name in ("offer", "affiliate", "advertiser", "aff_sub"):
            if name not in allowed:
                del self.filters[name]

    def filter_aff_sub(self, queryset, name, value):
        return queryset  # DailyStat has no sub ID; report_rows reads DailySubStat when aff_sub is given

    def date_range(self):
        """The (first, last) network days asked for (call after is_valid())."""
        return self.form.cleaned_data["date_range"]

    def selector_kwargs(self):
        """Keyword arguments for reports.selectors.report_rows (call after is_valid())."""
        cleaned = self.form.cleaned_data
        first, last = cleaned["date_range"]
        filters = {
            name: cleaned.get(name) for name in ("offer", "affiliate", "advertiser", "aff_sub") if cleaned.get(name)
        }
        return {
            "group_by": cleaned["group_by"],
            "date_from": first,
            "date_to": last,
            "filters": filters,
            "sort": cleaned.get("sort") or None,
        }

    @property
    def preset_label(self):
        return dict(PRESETS).get(self.form.cleaned_data.get("preset"), "")

    @property
    def group_label(self):
        return GROUP_LABELS.get(self.form.cleaned_data.get("group_by"), "")
