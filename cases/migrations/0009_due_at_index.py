from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0008_status_org_due_index"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="case",
            index=models.Index(fields=["due_at"], name="case_due"),
        ),
    ]
