from django.db import models


class TimestampedModel(models.Model):
    """Abstract base: when a row was made (indexed, most lists sort by it) and last changed."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
