from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "org"
    verbose_name = "组织与网格"

    def ready(self):
        from org import signals  # noqa: F401
        from org.preset import SECTIONS, check_org, do_load_org
        from presets.sections import register

        register(*SECTIONS, load=do_load_org, check=check_org)

        from idempotency.offline_pages import register_offline_page

        register_offline_page("org:home", lambda user: True)  # anyone logged in
