"""``Authorization: Api-Key <key>`` for hotline systems that push orders to us.

Kept apart from the views: DRF imports authentication classes while its views module is
still loading."""

from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from exchange.models import HotlineApiKey

KEYWORD = "Api-Key"


class HotlineKeyAuthentication(BaseAuthentication):
    """Authenticates as the key's user; ``request.auth`` is the HotlineApiKey."""

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != KEYWORD.lower().encode():
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed("Api-Key 格式不对", code="invalid_key")
        try:
            raw = parts[1].decode()
        except UnicodeError:
            raise exceptions.AuthenticationFailed("Api-Key 格式不对", code="invalid_key") from None
        key = HotlineApiKey.objects.for_raw_key(raw).select_related("system", "user").first()
        if key is None or not key.user.is_active:
            raise exceptions.AuthenticationFailed("Api-Key 无效或已停用", code="invalid_key")
        key.touch()
        return key.user, key

    def authenticate_header(self, request):
        return KEYWORD
