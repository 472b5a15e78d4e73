"""The advisor's one family of domain errors. Services raise these, never HTTP errors.

    AdvisorError                 base: code + message (+ field)
     +-- NotFound                an id the catalogue does not hold            -> 404
     +-- InvalidInput            input that parsed but cannot be advised on   -> 422
     +-- CatalogueUnavailable    the database cannot be reached or is empty   -> 503
     +-- NotAuthenticated        no API key, or one unknown or revoked        -> 401
     +-- Forbidden               a valid key without the scope the route needs -> 403
     +-- LimitExceeded           over a key's limit (+ retry_after seconds)   -> 429

api/errors.py maps each to one JSON error shape.
"""


class AdvisorError(Exception):
    code = "advisor_error"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(AdvisorError):
    code = "not_found"


class InvalidInput(AdvisorError):
    code = "invalid_input"


class CatalogueUnavailable(AdvisorError):
    code = "catalogue_unavailable"


class NotAuthenticated(AdvisorError):
    code = "unauthorized"


class Forbidden(AdvisorError):
    code = "forbidden"


class LimitExceeded(AdvisorError):
    """`retry_after`: seconds until the request can succeed, or None when it never can."""

    code = "limit_exceeded"

    def __init__(self, message: str, *, retry_after: int | None, field: str | None = None) -> None:
        super().__init__(message, field=field)
        self.retry_after = retry_after
