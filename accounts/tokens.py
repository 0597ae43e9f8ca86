"""API tokens (django-rest-knox): issued one per login, revoked by logout, and voided when
the account's password changes or the account is deactivated.

Every way a password changes goes through ``User.set_password`` and ``save`` (the admin's
password forms, ``manage.py changepassword``, a hash upgrade at login excepted: that one is
the same password), and every deactivation through a ``save`` of ``is_active`` (the admin,
the staff register import), so one ``post_save`` receiver covers them all. A bulk
``update(is_active=False)`` skips signals, but knox refuses an inactive user's tokens anyway.
"""

from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils import timezone
from knox.models import get_token_model


def do_issue_token(user) -> tuple[str, object]:
    """A new token for ``user``: the clear text, shown once, and its row (digest, expiry).
    The user's expired tokens go; beyond API_TOKENS_PER_USER live tokens the oldest end."""
    tokens = get_token_model().objects
    with transaction.atomic():
        tokens.filter(user=user, expiry__lt=timezone.now()).delete()
        row, text = tokens.create(user=user)
        older = tokens.filter(user=user).order_by("-created", "-pk")[settings.API_TOKENS_PER_USER :]
        stale = list(older.values_list("pk", flat=True))
        if stale:
            tokens.filter(pk__in=stale).delete()
    return text, row


def prune_expired() -> int:
    """Expired tokens of everyone (hourly, accounts.tasks): authentication only ever looks
    at the token it was given."""
    deleted, _ = get_token_model().objects.filter(expiry__lt=timezone.now()).delete()
    return deleted


def do_revoke_token(token) -> None:
    """Logout of one client: the token it authenticated with."""
    token.delete()


def do_revoke_tokens(user) -> int:
    """Logout everywhere: every token of ``user``; how many there were."""
    deleted, _ = get_token_model().objects.filter(user=user).delete()
    return deleted


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="accounts_void_tokens")
def void_tokens_on_password_change_or_deactivation(sender, instance, created, **kwargs):
    if created:
        return
    # set_password() keeps the new raw password in ``_password`` until save() has finished.
    password_changed = getattr(instance, "_password", None) is not None
    if password_changed or not instance.is_active:
        do_revoke_tokens(instance)
