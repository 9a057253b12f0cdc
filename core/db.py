from django.db import models


class TimestampedModel(models.Model):
    """Abstract base: when a row was made (indexed, most lists sort by it) and last changed."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


def assign_and_save(instance, fields, allowed):
    """Set the given fields (only those a service allows), validate the whole row, save it."""
    unknown = set(fields) - set(allowed)
    if unknown:
        raise TypeError(f"unknown fields: {', '.join(sorted(unknown))}")
    for name, value in fields.items():
        setattr(instance, name, value)
    instance.full_clean()
    instance.save()
    return instance
