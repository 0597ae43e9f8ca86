import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from accounts.validators import PasswordStrengthValidator, character_classes


def _messages(password, **kwargs):
    try:
        PasswordStrengthValidator(**kwargs).validate(password)
    except ValidationError as error:
        return error.messages
    return []


def test_a_short_password_is_refused_in_chinese():
    assert _messages("Ab1!xyz") == ["密码太短，至少需要 10 个字符。"]


def test_a_password_of_one_kind_of_character_is_refused():
    assert _messages("abcdefghijkl") == ["密码需包含小写字母、大写字母、数字、符号中的至少 3 类。"]


def test_a_long_mixed_password_passes():
    assert _messages("Grid-gov-2026") == []
    assert _messages("网格治理pass2026") == []  # CJK counts as a symbol class


def test_character_classes_are_counted():
    assert character_classes("abc") == 1
    assert character_classes("aB3") == 3
    assert character_classes("aB3!") == 4


def test_the_project_validators_include_the_rules():
    with pytest.raises(ValidationError) as error:
        validate_password("demo12345")
    assert "密码太短，至少需要 10 个字符。" in error.value.messages
    validate_password("Wangge-Zhili-2026")


def test_argon2_hashes_new_passwords(settings):
    from django.contrib.auth.hashers import get_hasher, make_password

    assert settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    assert get_hasher().algorithm == "argon2"
    assert make_password("Wangge-Zhili-2026").startswith("argon2$")
