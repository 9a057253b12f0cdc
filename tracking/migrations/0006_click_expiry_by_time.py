"""A session has ended when expires_at < now: no job marks clicks expired any more, and retention drops whole clicks
instead of erasing their personal data (README, Data retention). The flag and its two partial indexes go;
click_session_end (every click enters it, as every click entered click_unexpired) lets retention find the sessions
still open among old clicks."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("tracking", "0005_partitioned_clicks"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="click", name="click_unexpired"),
        migrations.RemoveIndex(model_name="click", name="click_personal_data_kept"),
        migrations.RemoveField(model_name="click", name="expired"),
        migrations.AddIndex(model_name="click", index=models.Index(fields=["expires_at"], name="click_session_end")),
    ]
