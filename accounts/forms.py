from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import ValidationError

from accounts import throttle


class ThrottledAuthenticationForm(AuthenticationForm):
    """Django's login form behind the lockout: a locked username or address is refused
    before the password is checked, and each failure is counted."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "用户名或密码不正确，请重新输入。",
        "inactive": "该账号已停用。",
    }

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        ip = throttle.client_ip(self.request)
        lock = throttle.current_lock(username, ip)
        if lock:
            user_login_failed.send(
                sender=__name__, credentials={"username": username}, request=self.request
            )
            raise ValidationError(lock.message, code="locked")
        try:
            return super().clean()
        except ValidationError:
            lock = throttle.record_failure(username, ip)
            if lock:
                raise ValidationError(lock.message, code="locked") from None
            raise


class CodeForm(forms.Form):
    code = forms.CharField(
        label="验证码",
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )
