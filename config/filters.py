"""Pieces every FilterSet shares: a network-day date range on created_at."""

import django_filters
from django import forms

from config.periods import day_end, day_start


class CreatedRangeFilterSet(django_filters.FilterSet):
    """Adds ?date_from=YYYY-MM-DD&date_to=YYYY-MM-DD (inclusive, network days) on `created_at`."""

    date_field = "created_at"

    # type="date": a date picker on portal pages (the API reads the same YYYY-MM-DD).
    date_from = django_filters.DateFilter(
        method="filter_date_from", label="From", widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = django_filters.DateFilter(
        method="filter_date_to", label="To", widget=forms.DateInput(attrs={"type": "date"})
    )

    def filter_date_from(self, queryset, name, value):
        return queryset.filter(**{f"{self.date_field}__gte": day_start(value)})

    def filter_date_to(self, queryset, name, value):
        return queryset.filter(**{f"{self.date_field}__lt": day_end(value)})
