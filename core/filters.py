"""Pieces every FilterSet shares: a network-day date range on created_at, choices scoped to the user, search."""

import django_filters
from django import forms
from django.db.models import Q

from core.periods import day_end, day_start


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


def scoped(selector, model):
    """A ModelChoiceFilter queryset limited to what the requesting user may see (so a filter value
    outside one's scope is refused like an unknown one, and its existence is never confirmed)."""
    return lambda request: selector(user=request.user) if request is not None else model.objects.none()


def search_name_or_id(queryset, name, value):
    query = Q(name__icontains=value)
    if value.isdigit():
        query |= Q(pk=int(value))
    return queryset.filter(query)
