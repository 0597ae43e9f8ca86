from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "exchange"
    verbose_name = "数据交换（12345 热线、Excel）"

    def ready(self):
        from exchange.preset import SECTIONS, check_hotline, do_load_hotline_systems
        from presets.sections import register

        register(*SECTIONS, load=do_load_hotline_systems, check=check_hotline)
