"""The postback log becomes range-partitioned by received_at on PostgreSQL (docs/storage.md), every row kept.

First the foreign keys that a partitioned table cannot be the target of lose their database constraint:
Conversion.click (clicks are partitioned next, by tracking 0005, and retention drops old clicks while their
conversions stay) and PostbackLog.replay_of. Elsewhere (SQLite) the tables stay plain.
"""

import django.db.models.deletion
from django.db import migrations, models

from core import partitions


class Migration(migrations.Migration):
    dependencies = [
        ("conversions", "0008_conversion_flags_and_time_to_convert"),
        ("tracking", "0004_click_country_device_os"),
    ]

    operations = [
        migrations.AlterField(
            model_name="conversion",
            name="click",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="conversions",
                to="tracking.click",
            ),
        ),
        migrations.AlterField(
            model_name="postbacklog",
            name="replay_of",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="replays",
                to="conversions.postbacklog",
            ),
        ),
        partitions.partitioning("conversions", "PostbackLog", "received_at"),
    ]
