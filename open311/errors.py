"""Errors as GeoReport v2 lists them: one or more {code, description} with the HTTP status
(404 for a resource that does not exist, 403 for a missing or wrong api_key, 422 for an
Idempotency-Key already used with another request, 400 for any other request that cannot
be fulfilled)."""


class Open311Error(Exception):
    def __init__(self, status: int, *descriptions: str):
        super().__init__("; ".join(descriptions))
        self.status = status
        self.descriptions = list(descriptions)

    def as_list(self) -> list[dict]:
        return [{"code": self.status, "description": text} for text in self.descriptions]


def bad_request(*descriptions: str) -> Open311Error:
    return Open311Error(400, *descriptions)


def forbidden(*descriptions: str) -> Open311Error:
    return Open311Error(403, *descriptions)


def not_found(*descriptions: str) -> Open311Error:
    return Open311Error(404, *descriptions)
