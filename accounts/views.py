"""Login with lockout, the second-factor prompt and TOTP enrolment."""

import segno
from django.contrib.auth import get_user_model
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters

from accounts import actions, throttle, totp
from accounts.forms import CodeForm, ThrottledAuthenticationForm

PENDING = "accounts_pending_login"
PENDING_SECONDS = 5 * 60
WRONG_CODE = "验证码不正确或已使用，请重新输入。"


class LoginView(auth_views.LoginView):
    """Password first; users with a device (or whose role requires one) then go to the
    code prompt (or enrolment) before they are logged in."""

    form_class = ThrottledAuthenticationForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        user = form.get_user()
        step = actions.second_factor_step(user)
        if step is None:
            throttle.record_success(user.get_username())
            return super().form_valid(form)
        # A new session key, so a session planted before the login cannot see the
        # enrolment secret or try codes.
        self.request.session.cycle_key()
        self.request.session[PENDING] = {
            "user": user.pk,
            "backend": user.backend,
            "at": throttle.clock().timestamp(),
            "next": self.get_success_url(),
        }
        return redirect("accounts:verify" if step == "verify" else "accounts:enrol")


def _pending_user(request):
    pending = request.session.get(PENDING)
    if not pending or throttle.clock().timestamp() - pending["at"] > PENDING_SECONDS:
        request.session.pop(PENDING, None)
        return None
    return get_user_model().objects.filter(pk=pending["user"], is_active=True).first()


def _finish_login(request, user):
    pending = request.session.pop(PENDING)
    auth_login(request, user, backend=pending["backend"])
    throttle.record_success(user.get_username())
    return pending["next"]


def _refuse(request, user) -> str:
    """Count a wrong code like a wrong password; returns the message to show."""
    user_login_failed.send(
        sender=__name__, credentials={"username": user.get_username()}, request=request
    )
    lock = throttle.record_failure(user.get_username(), throttle.client_ip(request))
    if lock:
        request.session.pop(PENDING, None)
        return lock.message
    return WRONG_CODE


@sensitive_post_parameters()
@csrf_protect
@never_cache
def verify(request):
    """The 6-digit code (or a recovery code) after the password."""
    user = _pending_user(request)
    if user is None:
        return redirect("login")
    form = CodeForm(request.POST or None)
    error = None
    if request.method == "POST" and form.is_valid():
        lock = throttle.current_lock(user.get_username(), throttle.client_ip(request))
        if lock:
            request.session.pop(PENDING, None)
            error = lock.message
        elif actions.do_verify_second_factor(user, form.cleaned_data["code"]):
            return redirect(_finish_login(request, user))
        else:
            error = _refuse(request, user)
    return render(request, "accounts/verify.html", {"form": form, "error": error})


@sensitive_post_parameters()
@csrf_protect
@never_cache
def enrol(request):
    """Scan a QR code, confirm one code, receive recovery codes. Reached during a login
    that requires a second factor, or by a logged-in user choosing to add one."""
    user = _pending_user(request)
    logging_in = user is not None
    if user is None:
        if not request.user.is_authenticated:
            return redirect("login")
        user = request.user
    if actions.confirmed_device(user):
        return redirect("accounts:verify" if logging_in else "accounts:two_factor")
    _, secret = actions.do_start_enrolment(user)
    form = CodeForm(request.POST or None)
    error = None
    if request.method == "POST" and form.is_valid():
        codes = actions.do_confirm_enrolment(user, form.cleaned_data["code"])
        if codes:
            next_url = _finish_login(request, user) if logging_in else None
            return render(
                request,
                "accounts/recovery_codes.html",
                {"codes": codes, "next_url": next_url or reverse("accounts:two_factor")},
            )
        error = _refuse(request, user) if logging_in else WRONG_CODE
        if logging_in and PENDING not in request.session:
            return render(request, "accounts/verify.html", {"form": None, "error": error})
    uri = actions.provisioning_uri(user, secret)
    context = {
        "form": form,
        "error": error,
        "qr": segno.make(uri, error="m").svg_data_uri(scale=5, border=2),
        "secret": " ".join(totp.base32(secret)[i : i + 4] for i in range(0, 32, 4)),
        "required": actions.totp_required(user),
    }
    return render(request, "accounts/enrol.html", context)


@login_required
def two_factor(request):
    """Whether the account has a second factor, and how many recovery codes are left."""
    device = actions.confirmed_device(request.user)
    return render(
        request,
        "accounts/two_factor.html",
        {
            "device": device,
            "recovery_left": actions.remaining_recovery_codes(request.user) if device else 0,
            "required": actions.totp_required(request.user),
        },
    )
