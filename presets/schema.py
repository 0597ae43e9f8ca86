"""Building blocks of the typed preset sections (pydantic v2).

Every table of a preset file is a ``Table``: strict types (a string is never read as a
number, nor a number as a boolean), no unknown keys, and immutable once read, because the
validated preset is shared by every request of a process. Arrays are tuples for the same
reason (``Array[Tier]``); TOML gives lists, which ``Array`` takes as they are.

A field with a default says where the default comes from in its description: the seed's
sentence, or "platform default" where no seed gives the figure.
"""

from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainValidator,
    Strict,
    StringConstraints,
)

T = TypeVar("T")


class Table(BaseModel):
    """One table of a preset file."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


def _list_as_tuple(value):
    return tuple(value) if isinstance(value, list) else value


Array = Annotated[tuple[T, ...], BeforeValidator(_list_as_tuple)]


def SlugOf(max_length: int):  # noqa: N802 (used as a type: SlugOf(32))
    """A code, key or duty: what URLs, logs and code compare against."""
    return Annotated[str, StringConstraints(pattern=r"^[-a-zA-Z0-9_]+$", max_length=max_length)]


Slug = SlugOf(40)
Text = Annotated[str, StringConstraints(min_length=1)]
Count = Annotated[int, Field(ge=0)]
Positive = Annotated[int, Field(gt=0)]


def Choice(enum):  # noqa: N802 (used as a type: Choice(LevelKind))
    """One of a Django ``TextChoices``' values, kept as its member."""
    return Annotated[enum, Strict(False)]


def Name(max_length: int):  # noqa: N802 (used as a type: Name(50))
    """A display name that must fit its column."""
    return Annotated[str, StringConstraints(min_length=1, max_length=max_length)]


def unique(field: str) -> AfterValidator:
    """An array whose items differ in ``field`` (role codes, level keys…)."""

    def check(items: tuple) -> tuple:
        seen: dict[Any, int] = {}
        for index, item in enumerate(items):
            value = getattr(item, field)
            if value in seen:
                raise ValueError(
                    f"{field} {value!r} is given twice (items {seen[value]} and {index})"
                )
            seen[value] = index
        return items

    return AfterValidator(check)


class Named(Table):
    """An item of a list the seed names (mechanisms, methods, forms, steps…)."""

    key: Slug
    name: Text


Names = Annotated[Array[Named], unique("key")]


def _figure(value):
    if isinstance(value, bool) or not isinstance(value, int | float | list | tuple):
        kind = {bool: "a boolean", str: "a string", dict: "a table"}.get(type(value), "that")
        raise ValueError(f"should be a number or an array of names, not {kind}")
    if isinstance(value, list | tuple):
        if not all(isinstance(item, str) for item in value):
            raise ValueError("an array of names holds strings only")
        return tuple(value)
    return value


# A figure of the seed's own, for reports: a number, or the names it counts.
Figure = Annotated[Any, PlainValidator(_figure)]


def checked(function: Callable[[Any], None]) -> AfterValidator:
    """A check of a whole value that raises ``ValueError`` with the reason."""

    def check(value):
        function(value)
        return value

    return AfterValidator(check)
