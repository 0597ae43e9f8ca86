"""Reading, checking and loading the preset files in presets/data/.

A preset is one seed's model as data: levels, roles, departments, channels, tiers and
deadlines, deliberation steps, reporting rhythm, patrol standards, credit subjects. Each
top-level key of the file is a section that an app registered (``presets.sections``) with
its schema; ``parse_preset`` validates the whole file against them, so an unknown key or a
wrong type fails with the file, the key's path (``tiers[2].deadline.hours``) and the reason.

``do_load_preset`` runs every registered loader (each app writes its own rows) and keeps the
file in ``PresetRecord``; features read their validated section with ``active_section``.
"""

import difflib
import tomllib
import types
import typing
from pathlib import Path
from typing import Any

from django.db import transaction
from pydantic import BaseModel, ValidationError

from presets.models import PresetRecord
from presets.sections import LoadContext, preset_model, registrations, section_keys

ROOT_DIR = Path(__file__).resolve().parents[1]
DATA_DIR = ROOT_DIR / "presets" / "data"
PRESET_KEYS = ("zhangye", "wugong", "jizhou", "rongcheng", "fuzhou")


class PresetError(ValueError):
    """A preset that cannot be read or loaded. ``problems`` holds ``(path, reason)``
    pairs when the file breaks its schema; ``source`` names the file."""

    def __init__(self, message: str, *, source: str = "", problems=()):
        self.source = source
        self.problems = list(problems)
        if self.problems:
            lines = [f"{source}: {path}: {reason}" for path, reason in self.problems]
            message = "\n".join([message, *lines])
        super().__init__(message)


def available_presets() -> list[str]:
    return sorted(path.stem for path in DATA_DIR.glob("*.toml"))


def preset_path(key: str) -> Path:
    path = DATA_DIR / f"{key}.toml"
    if not path.exists():
        raise PresetError(f"no preset {key!r}; available: {', '.join(available_presets())}")
    return path


def _source(path: Path) -> str:
    try:
        return str(path.relative_to(ROOT_DIR))
    except ValueError:
        return str(path)


def read_preset_data(key: str) -> dict:
    """The file as TOML gives it, unchecked (what ``PresetRecord.data`` keeps)."""
    path = preset_path(key)
    with path.open("rb") as handle:
        try:
            return tomllib.load(handle)
        except tomllib.TOMLDecodeError as error:
            raise PresetError(f"{_source(path)}: not valid TOML: {error}") from None


def read_preset(key: str):
    """The preset file ``key``, validated: a ``Preset`` whose attributes are the sections."""
    return _read(key)[1]


def _read(key: str):
    source = _source(preset_path(key))
    data = read_preset_data(key)
    preset = parse_preset(data, source=source)
    if preset.key != key:
        raise PresetError(
            f"{source} breaks its schema",
            source=source,
            problems=[("key", f"is {preset.key!r}, but the file is {key}.toml")],
        )
    return data, preset


def parse_preset(data: dict, *, source: str = "preset"):
    """Validate a whole preset against the registered sections and their checks."""
    model = preset_model()
    try:
        preset = model.model_validate(data)
    except ValidationError as error:
        problems = [(_path(e["loc"]), _reason(e, model)) for e in error.errors()]
        raise PresetError(f"{source} breaks its schema", source=source, problems=problems) from None
    problems = []
    for registration in registrations():
        if registration.check is not None:
            problems += [(_path(loc), reason) for loc, reason in registration.check(preset)]
    if problems:
        raise PresetError(f"{source} breaks its schema", source=source, problems=problems)
    return preset


# -- the messages ----------------------------------------------------------------------------

TOML_TYPES = {
    str: "a string",
    int: "an integer",
    float: "a float",
    bool: "a boolean",
    list: "an array",
    tuple: "an array",
    dict: "a table",
}


def _path(loc) -> str:
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        elif part == "[key]":
            text += " (the key)"
        else:
            text += f".{part}" if text else str(part)
    return text or "(the file)"


def _got(value) -> str:
    kind = TOML_TYPES.get(type(value), type(value).__name__)
    if isinstance(value, dict | list | tuple):
        return kind
    return f"{value!r} ({kind})"


def _reason(error: dict, model: type[BaseModel]) -> str:
    kind, value = error["type"], error.get("input")
    if kind == "extra_forbidden":
        known = _keys_at(model, error["loc"][:-1])
        close = difflib.get_close_matches(str(error["loc"][-1]), known, n=1)
        return "unknown key" + (f" (did you mean {close[0]!r}?)" if close else "")
    if kind == "missing":
        return "missing: this key is required"
    if kind in ("tuple_type", "list_type"):
        return f"should be an array, not {_got(value)}"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return f"should be a table, not {_got(value)}"
    if kind == "value_error":
        return str(error["ctx"]["error"])
    message = error["msg"].replace("Input should be", "should be")
    return f"{message}, not {_got(value)}"


def _keys_at(model, loc) -> list[str]:
    """The keys a table at ``loc`` may have, for "did you mean" (best effort)."""
    annotation: Any = model
    for part in loc:
        annotation = _unwrap(annotation)
        if isinstance(part, int):
            args = typing.get_args(annotation)
            annotation = args[0] if args else None
        elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
            field = annotation.model_fields.get(part)
            annotation = field.annotation if field else None
        else:
            return []
    annotation = _unwrap(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return list(annotation.model_fields)
    return []


def _unwrap(annotation):
    """Through ``Annotated[…]`` and ``X | None`` to the type itself."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            arms = [a for a in typing.get_args(annotation) if a is not type(None)]
            annotation = arms[0]
        else:
            return annotation


# -- loading ---------------------------------------------------------------------------------


@transaction.atomic
def do_load_preset(key: str) -> PresetRecord:
    """Make ``key`` the active preset: every registered loader writes its rows. Loading the
    same preset again changes nothing."""
    data, preset = _read(key)
    active = PresetRecord.objects.filter(is_active=True).exclude(key=key).first()
    context = LoadContext(replacing=active.key if active else None)
    PresetRecord.objects.filter(is_active=True).exclude(key=key).update(is_active=False)
    for registration in registrations():
        if registration.load is not None:
            registration.load(preset, context)
    record, _ = PresetRecord.objects.update_or_create(
        key=key, defaults={"title": preset.title, "data": data, "is_active": True}
    )
    _cache.clear()
    return record


_cache: dict = {}


def active_preset():
    """The active preset, validated (a ``Preset``: one attribute per section). Features read
    it on hot paths (every case intake), so the validated object is kept per process and
    rebuilt only when the active record, its load time or the registered sections change:
    one small indexed read per call instead of parsing the preset each time. The object is
    immutable, so no caller can change it for the others."""
    stamp = (
        PresetRecord.objects.filter(is_active=True).values_list("pk", "key", "loaded_at").first()
    )
    if stamp is None:
        raise PresetError("no preset is loaded; run manage.py load_preset NAME")
    model = preset_model()
    if _cache.get("stamp") != stamp or _cache.get("model") is not model:
        data = PresetRecord.objects.values_list("data", flat=True).get(pk=stamp[0])
        try:
            preset = parse_preset(data, source=f"the active preset {stamp[1]!r}")
        except PresetError as error:
            raise PresetError(f"{error}\nreload it with manage.py load_preset {stamp[1]}") from None
        _cache.clear()
        _cache.update(stamp=stamp, model=model, preset=preset)
    return _cache["preset"]


def active_section(key: str):
    """One section of the active preset, validated: ``active_section("cases").reopen_limit``."""
    if key not in section_keys():
        raise LookupError(f"no preset section {key!r}; registered: {', '.join(section_keys())}")
    return getattr(active_preset(), key)
