"""Each part of the app keeps its models in a module of its own here, imported below."""

from members.models.registrations import (  # noqa: F401
    Registration,
    RegistrationKind,
    RegistrationStatus,
)
