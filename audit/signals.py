"""Logins (success and failure) and logouts, from django.contrib.auth's signals.

Inside a request that the middleware records, the signal only names the action and the
account, so the request still costs one row; outside one (a test client's login, a shell)
the receiver writes the row itself.
"""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from audit import record
from audit.models import Outcome


@receiver(user_logged_in, dispatch_uid="audit_login")
def on_login(sender, request, user, **kwargs):
    _log(request, "login", Outcome.SUCCESS, actor=user)


@receiver(user_logged_out, dispatch_uid="audit_logout")
def on_logout(sender, request, user, **kwargs):
    _log(request, "logout", Outcome.SUCCESS, actor=user)


@receiver(user_login_failed, dispatch_uid="audit_login_failed")
def on_login_failed(sender, credentials, request=None, **kwargs):
    # ``credentials`` arrives with the password already masked by Django.
    username = str(credentials.get("username", ""))[:150]
    _log(request, "login_failed", Outcome.DENIED, username=username)


def _log(request, action, outcome, *, actor=None, username=""):
    if request is not None and record.note(
        request, action=action, actor=actor, username=username or None, outcome=outcome
    ):
        return
    record.write(action=action, outcome=outcome, actor=actor, username=username, request=request)
