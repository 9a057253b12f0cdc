"""The audit trail's filters: who, on what kind of object (or one object), which action, between which days."""

import django_filters
from django.apps import apps

from audit.models import AuditEntry
from core.filters import CreatedRangeFilterSet


def _type_label(label):
    try:
        return apps.get_model(label)._meta.verbose_name.capitalize()
    except (LookupError, ValueError):
        return label


def actor_choices():
    names = AuditEntry.objects.order_by("actor_name").values_list("actor_name", flat=True).distinct()
    return [(name, name) for name in names]


def object_type_choices():
    labels = AuditEntry.objects.order_by("object_type").values_list("object_type", flat=True).distinct()
    return [(label, _type_label(label)) for label in labels]


class AuditEntryFilter(CreatedRangeFilterSet):
    date_field = "at"

    actor = django_filters.ChoiceFilter(field_name="actor_name", choices=actor_choices, label="Who")
    object_type = django_filters.ChoiceFilter(choices=object_type_choices, label="Object type")
    object_id = django_filters.CharFilter(label="Object ID")
    action = django_filters.ChoiceFilter(choices=AuditEntry.Action.choices)

    class Meta:
        model = AuditEntry
        fields = ["actor", "object_type", "object_id", "action"]
