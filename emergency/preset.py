"""The ``[emergency]`` section (moved here from ``presets/preset.py`` when emergency was
built)."""

from presets.schema import Count, Table
from presets.sections import Section


class Emergency(Table):
    """The peacetime/emergency switch (福州: 平急转换)."""

    switch: bool = False
    teams: Count = 0
    registered_members: Count = 0


SECTIONS = (Section("emergency", Emergency | None, None),)
