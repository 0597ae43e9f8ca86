import hashlib

import pytest

from accounts import totp

RFC_KEY = b"12345678901234567890"


@pytest.mark.parametrize(
    ("unix_time", "expected"),
    [
        (59, "94287082"),
        (1111111109, "07081804"),
        (1111111111, "14050471"),
        (1234567890, "89005924"),
        (2000000000, "69279037"),
        (20000000000, "65353130"),
    ],
)
def test_rfc6238_sha1_vectors(unix_time, expected):
    assert totp.totp(RFC_KEY, unix_time, digits=8, digest=hashlib.sha1) == expected


def test_six_digit_codes_are_the_last_six_of_the_rfc_values():
    assert totp.totp(RFC_KEY, 59) == "287082"


def test_codes_one_step_either_side_are_accepted_but_not_two():
    now = 1_700_000_000
    step = totp.time_step(now)
    for delta in (-1, 0, 1):
        code = totp.hotp(RFC_KEY, step + delta)
        assert totp.matching_step(RFC_KEY, code, now) == step + delta
    for delta in (-2, 2):
        assert totp.matching_step(RFC_KEY, totp.hotp(RFC_KEY, step + delta), now) is None


def test_a_step_already_used_is_refused():
    now = 1_700_000_000
    code = totp.totp(RFC_KEY, now)
    step = totp.matching_step(RFC_KEY, code, now)
    assert totp.matching_step(RFC_KEY, code, now, after=step) is None


def test_malformed_codes_are_refused():
    for code in ["", "12345", "abcdef", "1234567"]:
        assert totp.matching_step(RFC_KEY, code, 59) is None


def test_the_secret_round_trips_encrypted_and_tampering_is_detected():
    secret = totp.new_secret()
    stored = totp.encrypt_secret(secret)
    assert totp.base32(secret) not in stored
    assert totp.decrypt_secret(stored) == secret
    assert totp.encrypt_secret(secret) != stored  # a fresh nonce each time
    raw = bytearray(totp.base64.urlsafe_b64decode(stored))
    raw[20] ^= 1
    with pytest.raises(ValueError):
        totp.decrypt_secret(totp.base64.urlsafe_b64encode(bytes(raw)).decode())


def test_provisioning_uri_names_issuer_and_account():
    uri = totp.provisioning_uri(RFC_KEY, account="demo-grid", issuer="gridgov")
    assert uri.startswith("otpauth://totp/gridgov%3Ademo-grid?secret=")
    assert "issuer=gridgov" in uri
