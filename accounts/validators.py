"""Password rules, with messages in Chinese."""

import string

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

CLASSES = {
    "lower": set(string.ascii_lowercase),
    "upper": set(string.ascii_uppercase),
    "digit": set(string.digits),
}


def character_classes(password: str) -> int:
    """How many of: lowercase, uppercase, digits, anything else (symbols, CJK…)."""
    found = {name for name, chars in CLASSES.items() if any(c in chars for c in password)}
    if any(not c.isascii() or c in string.punctuation or c == " " for c in password):
        found.add("other")
    return len(found)


class PasswordStrengthValidator:
    """At least ``min_length`` characters, from at least ``min_classes`` of the four kinds
    (lowercase, uppercase, digits, symbols)."""

    def __init__(self, min_length: int = 10, min_classes: int = 3):
        self.min_length = min_length
        self.min_classes = min_classes

    def validate(self, password, user=None):
        errors = []
        if len(password) < self.min_length:
            errors.append(
                ValidationError(
                    _("密码太短，至少需要 %(min_length)d 个字符。"),
                    code="password_too_short",
                    params={"min_length": self.min_length},
                )
            )
        if character_classes(password) < self.min_classes:
            errors.append(
                ValidationError(
                    _("密码需包含小写字母、大写字母、数字、符号中的至少 %(min_classes)d 类。"),
                    code="password_too_simple",
                    params={"min_classes": self.min_classes},
                )
            )
        if errors:
            raise ValidationError(errors)

    def get_help_text(self):
        return _(
            "密码至少 %(min_length)d 个字符，并包含小写字母、大写字母、数字、符号中的至少 "
            "%(min_classes)d 类。"
        ) % {"min_length": self.min_length, "min_classes": self.min_classes}
