from django import template

register = template.Library()


@register.filter
def metric(row, key):
    """A row's value of one metric as the CSV writes it (blank when it has none; no locale formatting)."""
    value = row.value(key)
    return "" if value is None else str(value)


@register.filter
def sort_for(current, key):
    """The sort a column header links to: descending first, ascending when already descending."""
    return key if current == f"-{key}" else f"-{key}"


@register.simple_tag
def sort_mark(current, key):
    return "▼" if current == f"-{key}" else ("▲" if current == key else "")
