"""The list pages' common part: a role-scoped selector, the app's FilterSet, and pages without COUNT(*)."""

from django.views.generic import TemplateView


class Page:
    """One page of rows, found by fetching one row more than shown (so no table is ever counted)."""

    def __init__(self, queryset, number, size):
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

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self):
        return len(self.object_list)


def page_number(request):
    value = request.GET.get("page", "1")
    return max(int(value), 1) if value.isdigit() else 1


class FilteredListView(TemplateView):
    """A list page: `selector(user=...)` filtered by `filterset_class` (the same FilterSet the API uses)."""

    selector = None
    filterset_class = None
    ordering = None
    paginate_by = 50

    def get_queryset(self):
        queryset = type(self).selector(user=self.request.user)
        return queryset.order_by(*self.ordering) if self.ordering else queryset

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        data = self.request.GET.copy()
        data.pop("page", None)
        filterset = self.filterset_class(data or None, queryset=self.get_queryset(), request=self.request)
        page = Page(filterset.qs, page_number(self.request), self.paginate_by)
        context.update(filter=filterset, page_obj=page, object_list=page.object_list, is_filtered=bool(data))
        return context
