"""Clicks become range-partitioned by created_at on PostgreSQL (docs/storage.md), every row kept.

The transaction ID's unique constraint takes created_at in (PostgreSQL wants the partition column in every unique
constraint); created_at is the time a v7 ID carries, so it is still one click per ID. After conversions 0009, which
took the database constraint off Conversion.click: no foreign key may point at a partitioned table's id alone.
Elsewhere (SQLite) the table stays plain.
"""

from django.db import migrations, models

from core import partitions


class Migration(migrations.Migration):
    dependencies = [
        ("tracking", "0004_click_country_device_os"),
        ("conversions", "0009_partitioned_postback_log"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="click", name="click_transaction_id_unique"),
        migrations.AddConstraint(
            model_name="click",
            constraint=models.UniqueConstraint(
                fields=("transaction_id", "created_at"), name="click_transaction_id_time_unique"
            ),
        ),
        partitions.partitioning("tracking", "Click", "created_at"),
    ]
