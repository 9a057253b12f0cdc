"""Pieces every FilterSet shares: a network-day date range on created_at, choices scoped to the user, search."""

import django_filters
from django import forms
from django.db.models import Q
from django_filters.constants import EMPTY_VALUES

from core.periods import day_end, day_start
from core.roles import role_of


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


class SortFilter(django_filters.OrderingFilter):
    """?ordering=<field> or -<field> (descending): a list sorted by one of an allow-list of columns, the same on a
    page (its column headers) and in the API. Ties keep the newest first (then -id), so pages stay stable.

        ordering = SortFilter(fields={"created_at": "created_at", "offer__name": "offer"}, tiebreak=("-created_at",))

    A value outside the allow-list is refused (a 400 in the API; ignored on a page, like any invalid filter)."""

    def __init__(self, *args, tiebreak=(), **kwargs):
        self.tiebreak = tuple(tiebreak) + ("-id",)
        self.field_labels = kwargs.get("field_labels", {})
        kwargs.setdefault("label", "Sort by")
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if value in EMPTY_VALUES:
            return qs
        ordering = [self.get_ordering_value(param) for param in value if param]
        ordering += [field for field in self.tiebreak if field.lstrip("-") not in {o.lstrip("-") for o in ordering}]
        return qs.order_by(*ordering)

    def without(self, *params):
        """A copy that no longer offers `params` (a role that may not see a column may not sort by it either)."""
        return self._copy({field: param for param, field in self.param_map.items() if param not in params})

    def sorting(self, param, by):
        """A copy that sorts `param` by another field `by`: what that column holds for one role (an annotation on its
        queryset, such as the payout an affiliate earns where the offer's payout is the managers' column)."""
        return self._copy({(by if name == param else field): name for name, field in self.param_map.items()})

    def _copy(self, fields):
        copy = type(self)(
            field_name=self.field_name,
            fields=fields,
            field_labels=self.field_labels,
            tiebreak=self.tiebreak[:-1],
            label=self.label,
        )
        copy.model, copy.parent = self.model, self.parent
        return copy


class HiddenSortsMixin:
    """A FilterSet whose `ordering` (a SortFilter) offers a role none of the columns hidden from it:
    `hidden_sorts = {Role.ADVERTISER: ("payout",)}`. Asking for one is then like asking for an unknown column."""

    hidden_sorts = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        hidden = self.hidden_sorts.get(role_of(getattr(self.request, "user", None)), ())
        if hidden:
            self.filters["ordering"] = self.filters["ordering"].without(*hidden)


class DroppedFiltersMixin:
    """A FilterSet for one audience: the shared FilterSet less the filters named in `dropped` (what that audience
    may not pick, such as its own partner, which is always the signed-in one)."""

    dropped = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.dropped:
            self.filters.pop(name)
