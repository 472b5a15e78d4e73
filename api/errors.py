"""One JSON error shape for every error the API returns:

    {"error": {"code": "...", "message": "...", "field": "capex.amount" | null,
               "details": [{"field": ..., "message": ..., "type": ...}]}}

Domain errors (advisor/errors.py) map to 401 (with `WWW-Authenticate: Bearer`) / 403 / 404 / 422 /
429 (with `Retry-After` when waiting helps) / 503; request validation to 422, or 400 when
the body is not strict JSON (api/bodies.py); a body over its limit to 413 and one that is not
JSON to 415; unknown routes to 404; anything unexpected to 500 with no internals.
"""

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from advisor.errors import (
    AdvisorError,
    CatalogueUnavailable,
    Forbidden,
    InvalidInput,
    LimitExceeded,
    NotAuthenticated,
    NotFound,
)

log = logging.getLogger("advisor.api")

STATUS = {
    NotAuthenticated: 401,
    Forbidden: 403,
    NotFound: 404,
    InvalidInput: 422,
    LimitExceeded: 429,
    CatalogueUnavailable: 503,
}
CODES = {
    400: "bad_request",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
}


def _headers(exc: AdvisorError) -> dict[str, str] | None:
    if isinstance(exc, NotAuthenticated):
        return {"WWW-Authenticate": "Bearer"}
    if isinstance(exc, LimitExceeded) and exc.retry_after is not None:
        return {"Retry-After": str(exc.retry_after)}
    return None


class ErrorDetail(BaseModel):
    field: str | None = None
    message: str
    type: str | None = None


class ErrorBody(BaseModel):
    code: str
    message: str
    field: str | None = None
    details: list[ErrorDetail] = []


class ErrorResponse(BaseModel):
    error: ErrorBody


def error_response(
    status: int,
    code: str,
    message: str,
    field: str | None = None,
    details: list | None = None,  # type: ignore[type-arg]
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body = ErrorResponse(
        error=ErrorBody(code=code, message=message, field=field, details=details or [])
    )
    return JSONResponse(status_code=status, content=body.model_dump(), headers=headers)


def _field(loc: tuple) -> str | None:  # type: ignore[type-arg]
    parts = [str(p) for p in loc if p not in ("body", "query", "path")]
    return ".".join(parts) or None


def _clean(message: str) -> str:
    return message.removeprefix("Value error, ")


def install(app: FastAPI) -> None:
    @app.exception_handler(AdvisorError)
    async def _advisor_error(_: Request, exc: AdvisorError) -> JSONResponse:
        return error_response(
            STATUS.get(type(exc), 422), exc.code, exc.message, exc.field, headers=_headers(exc)
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        if any(e.get("type") == "json_invalid" for e in errors):
            first = next(e for e in errors if e.get("type") == "json_invalid")
            ctx = first.get("ctx") or {}
            return error_response(
                400, "invalid_json", f"request body is not valid JSON: {ctx.get('error', '')}"
            )
        details = [
            ErrorDetail(field=_field(tuple(e["loc"])), message=_clean(e["msg"]), type=e["type"])
            for e in errors
        ]
        first = details[0]
        message = f"{first.field}: {first.message}" if first.field else first.message
        return error_response(422, "validation_error", message, first.field, details)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = CODES.get(exc.status_code, "http_error")
        # keep the exception's headers: a 405 names the allowed methods in `Allow`
        return error_response(exc.status_code, code, str(exc.detail), headers=exc.headers)

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", exc_info=exc)
        return error_response(
            500, "internal_error", "internal error; the request was not processed"
        )
