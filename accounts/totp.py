"""RFC 6238 time-based one-time passwords, and the secret's encryption at rest."""

import base64
import hashlib
import hmac
import secrets
import struct
from urllib.parse import quote, urlencode

from django.utils.crypto import salted_hmac

STEP_SECONDS = 30
DIGITS = 6
SECRET_BYTES = 20  # 160 bits, as RFC 4226 recommends for SHA-1


def new_secret() -> bytes:
    return secrets.token_bytes(SECRET_BYTES)


def hotp(key: bytes, counter: int, *, digits: int = DIGITS, digest=hashlib.sha1) -> str:
    """RFC 4226: HMAC over the 8-byte counter, dynamically truncated to ``digits``."""
    mac = hmac.new(key, struct.pack(">Q", counter), digest).digest()
    offset = mac[-1] & 0x0F
    value = struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(value % 10**digits).zfill(digits)


def time_step(unix_time: float, *, step: int = STEP_SECONDS) -> int:
    return int(unix_time // step)


def totp(key: bytes, unix_time: float, *, digits: int = DIGITS, digest=hashlib.sha1) -> str:
    return hotp(key, time_step(unix_time), digits=digits, digest=digest)


def matching_step(key: bytes, code: str, unix_time: float, *, window: int = 1, after: int = 0):
    """The time step (within ±``window`` steps of now) whose code is ``code``, or None.
    Steps at or before ``after`` are refused, so each code works once."""
    code = (code or "").strip().replace(" ", "")
    if len(code) != DIGITS or not code.isdigit():
        return None
    now_step = time_step(unix_time)
    for step in range(now_step - window, now_step + window + 1):
        if step > after and hmac.compare_digest(hotp(key, step), code):
            return step
    return None


def base32(key: bytes) -> str:
    return base64.b32encode(key).decode().rstrip("=")


def provisioning_uri(key: bytes, *, account: str, issuer: str) -> str:
    """The otpauth:// URI authenticator apps read from the QR code."""
    label = quote(f"{issuer}:{account}")
    query = urlencode({"secret": base32(key), "issuer": issuer, "digits": DIGITS, "period": 30})
    return f"otpauth://totp/{label}?{query}"


# -- at rest --------------------------------------------------------------------------------
# No crypto library is installed, so the secret is XORed with an HMAC-SHA256 keystream
# (key derived from SECRET_KEY, a fresh nonce per secret) and authenticated with a second
# HMAC. Rotating SECRET_KEY invalidates enrolled devices: users enrol again.

_NONCE_BYTES = 16


def _keystream(nonce: bytes, length: int) -> bytes:
    return salted_hmac("accounts.totp.stream", nonce, algorithm="sha256").digest()[:length]


def _tag(nonce: bytes, ciphertext: bytes) -> bytes:
    return salted_hmac("accounts.totp.tag", nonce + ciphertext, algorithm="sha256").digest()[:16]


def encrypt_secret(key: bytes) -> str:
    if len(key) > 32:
        raise ValueError("secret too long")
    nonce = secrets.token_bytes(_NONCE_BYTES)
    ciphertext = bytes(a ^ b for a, b in zip(key, _keystream(nonce, len(key)), strict=True))
    return base64.urlsafe_b64encode(nonce + ciphertext + _tag(nonce, ciphertext)).decode()


def decrypt_secret(token: str) -> bytes:
    raw = base64.urlsafe_b64decode(token.encode())
    nonce, ciphertext, tag = raw[:_NONCE_BYTES], raw[_NONCE_BYTES:-16], raw[-16:]
    if not hmac.compare_digest(tag, _tag(nonce, ciphertext)):
        raise ValueError("the TOTP secret does not match this SECRET_KEY")
    return bytes(a ^ b for a, b in zip(ciphertext, _keystream(nonce, len(ciphertext)), strict=True))
