from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "账号安全"

    def ready(self):
        from accounts import tokens  # noqa: F401 (connects the receiver that voids tokens)
