# Joins the patrols' and the visits' first migrations so the offline branch runs both
# parts; replaced when the lead regenerates patrol's migrations as one 0001 at merge.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("patrol", "0001_patrols"),
        ("patrol", "0001_visits_needs_care"),
    ]

    operations = []
