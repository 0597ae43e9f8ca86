"""Errors of business actions (cases, credit, volunteer orders), each with the HTTP status
and machine-readable code the API and the pages use."""


class ActionError(Exception):
    status = 400
    code = "invalid"

    def __init__(self, detail: str, *, code: str | None = None, errors: dict | None = None):
        super().__init__(detail)
        self.detail = detail
        if code:
            self.code = code
        self.errors = errors or {}

    def body(self) -> dict:
        """The JSON answer's body: ``{"code", "detail"}`` and ``errors`` by field if any."""
        body = {"code": self.code, "detail": self.detail}
        if self.errors:
            body["errors"] = self.errors
        return body


class InvalidInput(ActionError):
    status = 400
    code = "invalid"


class NotPermitted(ActionError):
    status = 403
    code = "not_permitted"


class Conflict(ActionError):
    status = 409
    code = "invalid_transition"


class StaleVersion(Conflict):
    code = "stale_version"
