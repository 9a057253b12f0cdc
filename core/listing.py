"""The list pages' common part: a role-scoped selector, the app's FilterSet (filters and ?ordering=), and pages that
count their rows only up to a bound."""

from django.views.generic import TemplateView

from core.db_routing import ReplicaReadsMixin

# A list says how many rows match up to this many ("10,000+" beyond): counting is bounded, so a filter over millions
# of clicks costs no more than reading this many index entries.
COUNT_LIMIT = 10_000


class Page:
    """One page of rows, found by fetching one row more than shown, and `total` rows in all (None when only the
    bound is known: `total_capped` is then True and `count_limit` the bound)."""

    def __init__(self, queryset, number, size, count_limit=None):
        count_limit = count_limit or COUNT_LIMIT
        offset = (number - 1) * size
        rows = list(queryset[offset : offset + size + 1])
        self.number = number
        self.object_list = rows[:size]
        self.has_next = len(rows) > size
        self.has_previous = number > 1
        self.next_page_number = number + 1
        self.previous_page_number = number - 1
        self.start_index = offset + 1 if self.object_list else 0
        self.end_index = offset + len(self.object_list)
        self.count_limit = count_limit
        if not self.has_next and (self.object_list or number == 1):
            counted = self.end_index  # the last page: no query needed
        else:
            counted = queryset.order_by()[: count_limit + 1].count()
        self.total_capped = counted > count_limit
        self.total = None if self.total_capped else counted

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self):
        return len(self.object_list)


def page_number(request):
    value = request.GET.get("page", "1")
    return max(int(value), 1) if value.isdigit() else 1


class FilteredListView(ReplicaReadsMixin, TemplateView):
    """A list page: `selector(user=...)` filtered and sorted by `filterset_class` (the same FilterSet the API uses:
    ?field= filters, and ?ordering= when the FilterSet has an `ordering` filter with its allow-list of columns).
    Its GETs read from the replica when there is one (core/db_routing.py)."""

    selector = None
    filterset_class = None
    ordering = None
    paginate_by = 50

    def get_queryset(self):
        queryset = type(self).selector(user=self.request.user)
        return queryset.order_by(*self.ordering) if self.ordering else queryset

    def get_filterset(self):
        data = self.request.GET.copy()
        data.pop("page", None)
        return self.filterset_class(data or None, queryset=self.get_queryset(), request=self.request)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filterset = self.get_filterset()
        page = Page(filterset.qs, page_number(self.request), self.paginate_by)
        context.update(
            filter=filterset,
            page_obj=page,
            object_list=page.object_list,
            is_filtered=bool(filterset.data),
            ordering=current_ordering(filterset),
        )
        return context


def current_ordering(filterset):
    """The sort the rows are in ("-amount"), as the column headers compare it; "" for the list's default."""
    if "ordering" not in filterset.filters or not filterset.is_valid():
        return ""
    value = filterset.form.cleaned_data.get("ordering") or []
    return value[0] if value else ""
