"""The sections presets owns: the file's header (``key``, ``title``, ``seed``,
``mechanisms``), which describes the preset itself. Every other section belongs to the app
that reads it and is registered from its ``AppConfig.ready()``."""

from presets.schema import Name, Names, Slug, Text
from presets.sections import Section

SECTIONS = (
    Section("key", Slug, doc="the preset's name: presets/data/<key>.toml"),
    Section("title", Name(100)),
    Section("seed", Text, doc="the seed document in shared/seeds/ the preset comes from"),
    Section("mechanisms", Names, (), doc="the model's mechanisms (张掖: 5个机制)"),
)
