"""Each part of the app keeps its models in a module of its own here, imported below."""

from patrol.models.patrols import *  # noqa: F403
