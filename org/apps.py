from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "org"
    verbose_name = "组织与网格"

    def ready(self):
        from org import signals  # noqa: F401
