"""The preset section residents owns: the tags residents can carry."""

from typing import Annotated

from presets.schema import Array, Name, SlugOf, Table, unique
from presets.sections import Section
from residents.models import Tag


class TagSpec(Table):
    code: SlugOf(32)
    name: Name(32)
    key_population: bool = False  # 重点人群: listed and counted apart


# Platform default: the tags every preset shares (the mission's vulnerable and key groups).
DEFAULT_TAGS = (
    TagSpec(code="living-alone", name="独居"),
    TagSpec(code="elderly", name="高龄"),
    TagSpec(code="disabled", name="残疾"),
    TagSpec(code="child", name="儿童"),
    TagSpec(code="left-behind", name="留守"),
    TagSpec(code="key-population", name="重点人群", key_population=True),
    TagSpec(code="party-member", name="党员"),
)

SECTIONS = (Section("tags", Annotated[Array[TagSpec], unique("code")], DEFAULT_TAGS),)


def do_load_tags(preset, context) -> None:
    """Tags are created once; an administrator's changes to them stay."""
    for spec in preset.tags:
        Tag.objects.get_or_create(
            code=spec.code, defaults={"name": spec.name, "is_key_population": spec.key_population}
        )
