"""Each part registers its models in its own module, imported here."""

import alerts.sos.admin  # noqa: F401
