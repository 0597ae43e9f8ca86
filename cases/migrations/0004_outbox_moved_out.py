# The outbox, inbox, webhooks and idempotency records moved to the ``outbox`` and
# ``idempotency`` apps; their rows were copied there first (outbox.0002, idempotency.0002).

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0003_notification_times'),
        ('outbox', '0002_copy_from_cases'),
        ('idempotency', '0002_copy_from_cases'),
    ]

    operations = [
        migrations.DeleteModel(name='InboxMessage'),
        migrations.DeleteModel(name='Outbox'),
        migrations.DeleteModel(name='Webhook'),
        migrations.DeleteModel(name='IdempotentRequest'),
    ]
