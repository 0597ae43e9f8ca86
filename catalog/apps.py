from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "catalog"
    verbose_name = "事项清单与时限"

    def ready(self):
        from catalog.preset import SECTIONS, check_catalog, load_catalog
        from presets.sections import register

        register(*SECTIONS, load=load_catalog, check=check_catalog)
