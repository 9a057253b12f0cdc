from django.db import models


class Hit(models.Model):
    """One request to the reference view: the single row it stores."""

    offer_id = models.BigIntegerField()
    aff_id = models.BigIntegerField()
    transaction_id = models.CharField(max_length=64)
    created_at = models.DateTimeField()

    def __str__(self):
        return self.transaction_id
