"""The registry of preset sections: each app declares the sections it owns.

A preset file is a set of top-level keys (``[whistle]``, ``[[tiers]]``, ``key = …``); each
key is a *section*, owned by the app that reads it. The app declares the section's schema in
``<app>/preset.py`` and registers it from ``AppConfig.ready()``::

    register(*SECTIONS, load=do_load_credit, check=check_credit)

``presets`` builds the whole file's schema from what is registered, so it imports no feature
app, and an unknown top-level key is one nobody registered.

- ``load(preset, context)`` writes the app's rows from the validated preset; it runs inside
  ``do_load_preset``'s transaction, after every loader registered before it (registration
  follows ``INSTALLED_APPS``), and must be idempotent: loading twice changes nothing.
- ``check(preset)`` yields ``(path, reason)`` for what types cannot say (a role naming a
  level the file does not have); ``path`` is a tuple like ``("roles", 3, "level")``.
"""

import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, Field, create_model

from presets.schema import Table

REQUIRED: Any = ...

Path = tuple[str | int, ...]
Loader = Callable[[Any, "LoadContext"], None]
Checker = Callable[[Any], Iterable[tuple[Path, str]]]


@dataclass(frozen=True)
class Section:
    """One top-level key of a preset file and the type of its value."""

    key: str
    schema: Any
    default: Any = REQUIRED
    # Where the section comes from and what reads it, shown in the schema's description.
    doc: str = ""


@dataclass(frozen=True)
class LoadContext:
    """What a loader may need besides the preset: the key of the active preset this load
    replaces (None when the database has none, or when the same preset is reloaded)."""

    replacing: str | None = None


@dataclass(frozen=True)
class Registration:
    owner: str
    sections: tuple[Section, ...]
    load: Loader | None = None
    check: Checker | None = None


@dataclass
class _Registry:
    registrations: list[Registration] = field(default_factory=list)
    model: type[BaseModel] | None = None


_registry = _Registry()


class SectionConflict(ValueError):
    pass


def register(
    *sections: Section,
    load: Loader | None = None,
    check: Checker | None = None,
    owner: str = "",
) -> None:
    """Register an app's preset sections, with the loader that writes their rows and a
    check across them. Registering the same keys again (a second ``ready()``) replaces
    the earlier registration; a key another registration holds is a conflict."""
    keys = {section.key for section in sections}
    if len(keys) != len(sections):
        raise SectionConflict(f"a preset section is given twice in {sorted(keys)}")
    for key in keys:
        if hasattr(BaseModel, key):
            raise SectionConflict(f"preset section {key!r} shadows a pydantic attribute")
    registration = Registration(
        owner or sys._getframe(1).f_globals["__name__"].split(".")[0],
        tuple(sections),
        load,
        check,
    )
    current = _registry.registrations
    overlapping = [i for i, r in enumerate(current) if _keys(r) & keys]
    if any(_keys(current[i]) != keys for i in overlapping):
        taken = sorted(key for i in overlapping for key in _keys(current[i]) & keys)
        raise SectionConflict(f"preset sections already registered by another app: {taken}")
    if overlapping:
        current[overlapping[0]] = registration
    else:
        current.append(registration)
    _registry.model = None


def _keys(registration: Registration) -> set[str]:
    return {section.key for section in registration.sections}


def registrations() -> list[Registration]:
    return list(_registry.registrations)


def section_keys() -> list[str]:
    return [section.key for r in _registry.registrations for section in r.sections]


def preset_model() -> type[Table]:
    """The schema of a whole preset file: one field per registered section."""
    if _registry.model is None:
        fields = {}
        for registration in _registry.registrations:
            for section in registration.sections:
                description = f"[{registration.owner}] {section.doc}".strip()
                fields[section.key] = (
                    section.schema,
                    Field(section.default, description=description),
                )
        _registry.model = create_model("Preset", __base__=Table, **fields)
    return _registry.model
