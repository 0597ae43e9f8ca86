from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "org"
    verbose_name = "组织与网格"

    def ready(self):
        from org import signals  # noqa: F401
        from org.preset import SECTIONS, check_org, do_load_org
        from presets.sections import register

        register(*SECTIONS, load=do_load_org, check=check_org)
