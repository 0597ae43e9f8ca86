"""API tokens: django-rest-knox, sent as ``Authorization: Bearer <token>``.

A new token per login, stored as a SHA-512 digest (never in clear), expiring after
``REST_KNOX["TOKEN_TTL"]`` and renewed on use up to ``AUTO_REFRESH_MAX_TTL`` after the
login (settings.py, README "API tokens"). accounts.tokens voids a user's tokens when
their password changes or they are deactivated.

Kept apart from gridgov.api: DRF imports authentication classes while rest_framework.views
is still loading, so this module must not import views.
"""

from django.utils import timezone
from knox.auth import TokenAuthentication
from knox.signals import token_expired
from rest_framework import exceptions


class BearerTokenAuthentication(TokenAuthentication):
    """knox's authentication; the header's prefix is ``REST_KNOX["AUTH_HEADER_PREFIX"]``."""

    def authenticate_credentials(self, token: bytes):
        # knox decodes the token as UTF-8: a header with other bytes would be a 500.
        try:
            token.decode("utf-8")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed("令牌无效", code="invalid_token") from None
        return super().authenticate_credentials(token)

    def _cleanup_token(self, auth_token) -> bool:
        """Whether this token has expired (and is deleted now). knox's own also loads and
        deletes the user's other expired tokens on every request, one query more each
        time; accounts.tokens does that at login and hourly instead."""
        if auth_token.expiry is None or auth_token.expiry >= timezone.now():
            return False
        username = auth_token.user.get_username()
        auth_token.delete()
        token_expired.send(sender=type(self), username=username, source="auth_token")
        return True
