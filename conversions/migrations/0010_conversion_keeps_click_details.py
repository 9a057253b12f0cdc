"""Conversions keep what they read of their click (conversions.models.click_details), so that retention may drop
the click (README, Data retention); existing conversions are filled from their clicks."""

from django.db import migrations, models

COPIED = {
    "aff_sub": "aff_sub",
    "aff_sub2": "aff_sub2",
    "aff_sub3": "aff_sub3",
    "aff_sub4": "aff_sub4",
    "aff_sub5": "aff_sub5",
    "source": "source",
    "aff_click_id": "aff_click_id",
    "clicked_at": "created_at",
    "click_country": "country",
}


def backfill(apps, schema_editor):
    Conversion = apps.get_model("conversions", "Conversion")
    Click = apps.get_model("tracking", "Click")
    pending = Conversion.objects.filter(click_id__isnull=False).order_by("pk")
    last = 0
    # A thousand conversions at a time: one query for their clicks, one UPDATE per batch. A conversion whose click is
    # already gone keeps the empty values.
    while batch := list(pending.filter(pk__gt=last).only("pk", "click_id")[:1000]):
        last = batch[-1].pk
        clicks = Click.objects.in_bulk({conversion.click_id for conversion in batch})
        changed = []
        for conversion in batch:
            click = clicks.get(conversion.click_id)
            if click is not None:
                for to, source in COPIED.items():
                    setattr(conversion, to, getattr(click, source))
                changed.append(conversion)
        Conversion.objects.bulk_update(changed, list(COPIED))


class Migration(migrations.Migration):
    dependencies = [
        ("conversions", "0009_partitioned_postback_log"),
        ("tracking", "0004_click_country_device_os"),
    ]

    operations = [
        *(
            migrations.AddField(
                model_name="conversion",
                name=name,
                field=models.TextField(blank=True, default=""),
                preserve_default=False,
            )
            for name in ("aff_sub", "aff_sub2", "aff_sub3", "aff_sub4", "aff_sub5", "source", "aff_click_id")
        ),
        migrations.AddField(
            model_name="conversion", name="clicked_at", field=models.DateTimeField(blank=True, null=True)
        ),
        migrations.AddField(
            model_name="conversion",
            name="click_country",
            field=models.CharField(blank=True, default="", max_length=2),
            preserve_default=False,
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True),
    ]
