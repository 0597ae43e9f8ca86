"""Second factor: who needs one, enrolment, and checking a code."""

import hashlib
import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts import totp
from accounts.models import RecoveryCode, TOTPDevice
from residents.masking import can_reveal

RECOVERY_CODE_COUNT = 10
ISSUER = "gridgov"


def totp_required(user) -> bool:
    """Roles that can reveal personal data must use a second factor (unless the
    TOTP_REQUIRED_FOR_REVEAL setting is off, as it is for the demo)."""
    return getattr(settings, "TOTP_REQUIRED_FOR_REVEAL", True) and can_reveal(user)


def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed_at__isnull=False).first()


def second_factor_step(user) -> str | None:
    """What the login still needs after the password: "verify", "enrol" or nothing."""
    if confirmed_device(user):
        return "verify"
    if totp_required(user):
        return "enrol"
    return None


def do_start_enrolment(user) -> tuple[TOTPDevice, bytes]:
    """The user's unconfirmed device and its secret, created on first call; reloading the
    enrolment page keeps the same secret so an already scanned code stays valid."""
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(user=user).first()
        if device is None:
            secret = totp.new_secret()
            device = TOTPDevice.objects.create(
                user=user, encrypted_secret=totp.encrypt_secret(secret)
            )
            return device, secret
    if device.confirmed:
        raise ValueError("already enrolled")
    return device, totp.decrypt_secret(device.encrypted_secret)


def provisioning_uri(user, secret: bytes) -> str:
    return totp.provisioning_uri(secret, account=user.get_username(), issuer=ISSUER)


def _accept_totp(device: TOTPDevice, code: str, now) -> bool:
    try:
        secret = totp.decrypt_secret(device.encrypted_secret)
    except ValueError:
        return False
    step = totp.matching_step(secret, code, now.timestamp(), after=device.last_step)
    if step is None:
        return False
    # A conditional UPDATE: of two requests with the same code, only one wins.
    return bool(TOTPDevice.objects.filter(pk=device.pk, last_step__lt=step).update(last_step=step))


def _new_recovery_code() -> str:
    raw = secrets.token_hex(5)  # 40 bits
    return f"{raw[:5]}-{raw[5:]}"


def _hash_recovery_code(code: str) -> str:
    normalised = "".join(code.split()).replace("-", "").lower()
    return hashlib.sha256(normalised.encode()).hexdigest()


def do_confirm_enrolment(user, code: str, *, now=None) -> list[str] | None:
    """Confirm the pending device with a code from the app; returns fresh recovery codes
    (shown once), or None when the code is wrong."""
    now = now or timezone.now()
    device = TOTPDevice.objects.filter(user=user, confirmed_at__isnull=True).first()
    if device is None or not _accept_totp(device, code, now):
        return None
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    with transaction.atomic():
        TOTPDevice.objects.filter(pk=device.pk).update(confirmed_at=now)
        RecoveryCode.objects.filter(user=user).delete()
        RecoveryCode.objects.bulk_create(
            RecoveryCode(user=user, code_hash=_hash_recovery_code(c)) for c in codes
        )
    return codes


def do_verify_second_factor(user, code: str, *, now=None) -> bool:
    """A 6-digit code from the app (±1 step, each step once) or an unused recovery code."""
    now = now or timezone.now()
    device = confirmed_device(user)
    if device is None:
        return False
    if _accept_totp(device, code, now):
        return True
    if not code or len(code.strip()) < 8:
        return False
    used = RecoveryCode.objects.filter(
        user=user, code_hash=_hash_recovery_code(code), used_at__isnull=True
    ).update(used_at=now)
    return used == 1


def remaining_recovery_codes(user) -> int:
    return RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()
