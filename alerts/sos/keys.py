"""Vendor API keys: ``sos_<prefix>_<secret>``, shown once, kept as a SHA-256 digest.

The secret has 192 random bits (``secrets.token_urlsafe(24)``), so a fast digest cannot be
brute-forced and costs nothing per press, as knox keeps its tokens; Django's slow password
hashers are for guessable human passwords. The prefix (8 hex digits, unique) finds the row,
the digest is compared in constant time. A key opens ``POST /api/v1/sos/`` only: it is no
user token, so every other endpoint answers it 401.
"""

import hashlib
import hmac
import secrets

from django.db import transaction

from alerts.models import Vendor
from gridgov.errors import InvalidInput, NotPermitted
from org.permissions import has

HEADER = "HTTP_X_VENDOR_KEY"  # X-Vendor-Key
PREFIX = "sos_"


def digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def new_key() -> tuple[str, str]:
    """(prefix, key) of a fresh key."""
    prefix = secrets.token_hex(4)
    return prefix, f"{PREFIX}{prefix}_{secrets.token_urlsafe(24)}"


def vendor_for(key: str) -> Vendor | None:
    """The active vendor whose key this is, else None (unknown, malformed, revoked)."""
    if not key.startswith(PREFIX) or key.count("_") < 2:
        return None
    prefix = key[len(PREFIX) :].split("_", 1)[0]
    vendor = Vendor.objects.filter(key_prefix=prefix, is_active=True).first()
    if vendor is None or not hmac.compare_digest(vendor.key_digest, digest(key)):
        return None
    return vendor


def _check(actor):
    if not has(actor, "alerts.manage_devices"):
        raise NotPermitted("只有管理求助设备的工作人员可以管理厂商")


@transaction.atomic
def do_create_vendor(name: str, *, actor) -> tuple[Vendor, str]:
    """A new vendor and its key, returned in clear this once (never stored)."""
    _check(actor)
    name = name.strip()[:100]
    if not name:
        raise InvalidInput("请填写厂商名称", errors={"name": ["不能为空"]})
    if Vendor.objects.filter(name=name).exists():
        raise InvalidInput("已有同名厂商", errors={"name": ["重复"]})
    prefix, key = new_key()
    vendor = Vendor.objects.create(name=name, key_prefix=prefix, key_digest=digest(key))
    return vendor, key


@transaction.atomic
def do_rotate_vendor_key(vendor_id: int, *, actor) -> tuple[Vendor, str]:
    """A new key for the vendor; the old one stops working at once."""
    _check(actor)
    vendor = Vendor.objects.select_for_update().get(pk=vendor_id)
    vendor.key_prefix, key = new_key()
    vendor.key_digest = digest(key)
    vendor.save(update_fields=["key_prefix", "key_digest"])
    return vendor, key
