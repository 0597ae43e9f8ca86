# The order's timeline on the shared workflow engine's event model (gridgov.workflow.TimelineEvent).

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("participation", "0003_system_events"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RenameField("orderevent", "created_at", "at"),
        migrations.AlterField(
            model_name="orderevent", name="at", field=models.DateTimeField(db_index=True)
        ),
        migrations.AlterField(
            model_name="orderevent", name="action", field=models.SlugField(max_length=32)
        ),
        migrations.AlterField(
            model_name="orderevent",
            name="from_status",
            field=models.CharField(blank=True, max_length=16),
        ),
        migrations.AlterField(
            model_name="orderevent", name="to_status", field=models.CharField(max_length=16)
        ),
        migrations.AlterField(
            model_name="orderevent", name="note", field=models.TextField(blank=True)
        ),
        migrations.AlterField(
            model_name="orderevent",
            name="actor",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="orderevent",
            name="data",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.AlterModelOptions(
            name="orderevent",
            options={
                "ordering": ["at", "pk"],
                "verbose_name": "订单动态",
                "verbose_name_plural": "订单动态",
            },
        ),
    ]
