"""Each part of the app keeps its models in a module of its own here, imported below."""

from emergency.models.switch import (  # noqa: F401
    Activation,
    ActivationEvent,
    ActivationStatus,
    CallUp,
    CallUpEvent,
    CallUpStatus,
    Task,
    Team,
)
