"""API tokens moved from DRF's authtoken (one per user, kept in clear) to django-rest-knox
(one per login, hashed, expiring): drop the old table, and the clear-text tokens with it.
Clients log in again."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_report_throttle")]

    operations = [
        migrations.RunSQL("DROP TABLE IF EXISTS authtoken_token", migrations.RunSQL.noop),
    ]
