from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from gridgov.env import env_bool
from open311.models import DEFAULT_SCOPES, ApiClient, configured_jurisdiction

DEMO_SLUG = "demo"
DEMO_KEY = "demo-open311-key"


class Command(BaseCommand):
    help = (
        "Create or update the demo Open311 client (slug demo, key demo-open311-key, the "
        "configured jurisdiction, gridgov.local by default). Only for demo installations."
    )

    def handle(self, *args, **options):
        if not (settings.DEBUG or env_bool("GRIDGOV_DEMO", False)):
            raise CommandError("演示客户端的密钥是公开的，只能在演示环境（GRIDGOV_DEMO=1）中创建")
        client, created = ApiClient.objects.update_or_create(
            slug=DEMO_SLUG,
            defaults={
                "name": "演示 Open311 客户端",
                "jurisdictions": [configured_jurisdiction()],
                "scopes": list(DEFAULT_SCOPES),
                "requests_public": True,
                "is_active": True,
            },
        )
        client.set_key(DEMO_KEY)
        client.save(update_fields=["key_hash", "key_hint", "updated_at"])
        verb = "已创建" if created else "已更新"
        self.stdout.write(
            f"Open311 演示客户端{verb}: api_key={DEMO_KEY} "
            f"jurisdiction_id={configured_jurisdiction()} (/open311/v2/discovery.json)"
        )
