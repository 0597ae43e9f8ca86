"""The preset sections catalog owns: the case tiers with their deadlines, and which matter
catalogue (catalog/data/<name>.toml) the preset uses."""

from typing import Annotated

from pydantic import Field, model_validator

from catalog.loader import DATA_DIR, DEFAULT_RESPONSE_HOURS, do_load_catalog
from catalog.models import HandlerKind
from presets.schema import Array, Choice, Name, Positive, Slug, SlugOf, Table, unique
from presets.sections import Section


class Deadline(Table):
    """``hours = N``, or ``working_days = N`` (with ``min_working_days`` for a range)."""

    hours: Positive | None = None
    working_days: Positive | None = None
    min_working_days: Positive | None = None

    @model_validator(mode="after")
    def _one_unit(self):
        if (self.hours is None) == (self.working_days is None):
            raise ValueError("give hours or working_days (one of them)")
        if self.min_working_days is not None and (
            self.working_days is None or self.min_working_days > self.working_days
        ):
            raise ValueError("min_working_days needs working_days at least as large")
        return self


class Response(Table):
    hours: Positive = Field(
        DEFAULT_RESPONSE_HOURS, description="platform default: 受理/响应 within 24 hours"
    )


class TierSpec(Table):
    code: SlugOf(32)
    name: Name(50)
    handler: Choice(HandlerKind) = Field(description="who handles the tier's cases")
    deadline: Deadline
    # None: the platform's 24 hours, never longer than an hours deadline.
    response: Response | None = None
    whistle: bool = Field(False, description="the tier's cases are whistled (吹哨) to departments")
    deliberation: bool = Field(False, description="the tier's cases go to a deliberation meeting")


class ClassifierSettings(Table):
    """``[classifier]``: when a suggested category is taken without a person. No seed gives
    a figure; the default is the platform's, from the measurement below."""

    auto_category_probability: float = Field(
        0.5,
        gt=0,
        le=1,
        description=(
            "platform default: a case is categorised (and given its category's tier) "
            "without a dispatcher only when the classifier's probability is at least this; "
            "below it the case keeps no category and the safe default tier and goes to "
            "triage with the suggestions. At 0.5, 91 % of the auto-categorised real "
            "messages were right (330 labelled, catalog/data/labels, 5-fold)"
        ),
    )


SECTIONS = (
    Section(
        "catalog",
        Slug | None,
        None,
        doc="catalog/data/<name>.toml; default: the preset's key if that file exists, else base",
    ),
    Section("tiers", Annotated[Array[TierSpec], unique("code"), Field(min_length=1)]),
    Section("classifier", ClassifierSettings, ClassifierSettings(), doc="catalog.classify"),
)


def check_catalog(preset):
    if preset.catalog is not None and not (DATA_DIR / f"{preset.catalog}.toml").exists():
        yield ("catalog",), f"no catalogue {preset.catalog!r} in catalog/data/"


def load_catalog(preset, context) -> None:
    do_load_catalog(preset)
