"""Request bodies: bounded while they are read, JSON only, and strict JSON.

`BodyLimits` is a pure ASGI middleware that runs before any parsing:

- a declared `Content-Length` over the endpoint's limit answers 413 at once, body unread;
- a body sent without a length (chunked) is counted message by message and refused with 413
  as soon as it passes the limit, so the server never holds more than the limit;
- a body whose `Content-Type` is not JSON (`application/json` or `application/*+json`)
  answers 415.

`StrictJSONRoute` (the routers' route class) parses bodies as RFC 8259 JSON in UTF-8 with no
duplicate keys, no `NaN`/`Infinity` and no number that overflows a double; a body that breaks
any of these answers 400 `invalid_json` with the reason.
"""

import json
import math
import re
from collections.abc import Callable, Coroutine, Mapping
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import error_response

BODY_METHODS = {"POST", "PUT", "PATCH"}


class BodyTooLarge(HTTPException):
    """Raised from `receive` when the body passes its limit (FastAPI lets HTTP errors through
    its body reading, so the app's handler answers it in the one error shape)."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, detail=_too_large(limit), headers={"Connection": "close"})


def _too_large(limit: int) -> str:
    return f"request body over {limit} bytes, the limit for this endpoint"


def is_json(content_type: str | None) -> bool:
    media = (content_type or "").split(";", 1)[0].strip().lower()
    return media == "application/json" or (
        media.startswith("application/") and media.endswith("+json")
    )


class BodyLimits:
    """Per-path body limits (exact path, trailing slash ignored), `default` elsewhere."""

    def __init__(self, app: ASGIApp, *, default: int, by_path: Mapping[str, int]) -> None:
        self.app = app
        self.default = default
        self.by_path = {path.rstrip("/"): limit for path, limit in by_path.items()}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.by_path.get(scope["path"].rstrip("/"), self.default)
        headers = Headers(scope=scope)
        declared = headers.get("content-length")
        length = None
        if declared is not None:
            length = int(declared) if declared.isdigit() else -1
            if length < 0:
                await _reply(scope, receive, send, 400, "bad_request", "invalid Content-Length")
                return
            if length > limit:
                await _reply(scope, receive, send, 413, "payload_too_large", _too_large(limit))
                return
        has_body = bool(length) or "transfer-encoding" in headers
        content_type = headers.get("content-type")
        if has_body and scope["method"] in BODY_METHODS and not is_json(content_type):
            message = (
                f"send the body as JSON with Content-Type: application/json "
                f"(got {content_type or 'no Content-Type'})"
            )
            await _reply(scope, receive, send, 415, "unsupported_media_type", message)
            return

        received = 0
        started = False

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        async def tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited, tracked)
        except BodyTooLarge:
            if started:
                raise
            await _reply(scope, receive, send, 413, "payload_too_large", _too_large(limit))


async def _reply(
    scope: Scope, receive: Receive, send: Send, status: int, code: str, message: str
) -> None:
    # the body is left unread: closing the connection spares reading the rest of it
    response = error_response(status, code, message, headers={"Connection": "close"})
    await response(scope, receive, send)


def first_oversized(items: list[Any], limit: int) -> int | None:
    """The index of the first item whose compact JSON passes `limit` bytes, if any."""
    for index, item in enumerate(items):
        if len(json.dumps(item, separators=(",", ":")).encode()) > limit:
            return index
    return None


# --- strict JSON ---------------------------------------------------------------------------


def _refuse(reason: str) -> json.JSONDecodeError:
    return json.JSONDecodeError(reason, "", 0)


def _unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        duplicate = next(key for key, _ in pairs if key in seen or seen.add(key))  # type: ignore[func-returns-value]
        raise _refuse(f"duplicate key {duplicate!r}")
    return obj


def _constant(name: str) -> Any:
    raise _refuse(f"{name} is not a JSON number")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _refuse(f"number {text[:40]} is out of range")
    return value


SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def strict_loads(body: bytes) -> Any:
    """JSON as RFC 8259 and I-JSON (RFC 7493) have it: UTF-8, unique keys, finite numbers, no
    unpaired surrogates; JSONDecodeError otherwise."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _refuse(f"body is not UTF-8 (byte {exc.start})") from None
    try:
        value = json.loads(
            text, object_pairs_hook=_unique, parse_constant=_constant, parse_float=_finite
        )
    except json.JSONDecodeError:
        raise
    except RecursionError:
        raise _refuse("nested too deeply") from None
    except ValueError as exc:  # e.g. an integer of more than 4,300 digits
        raise _refuse(str(exc)) from None
    if SURROGATE_ESCAPE.search(text):  # a pair is one character; a lone half is no text at all
        try:
            json.dumps(value, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            raise _refuse("a string holds an unpaired surrogate (RFC 7493 section 2.1)") from None
    return value


class StrictJSONRequest(Request):
    async def json(self) -> Any:
        if not hasattr(self, "_strict_json"):
            self._strict_json = strict_loads(await self.body())
        return self._strict_json


class StrictJSONRoute(APIRoute):
    """A route whose JSON body goes through `strict_loads`."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def strict(request: Request) -> Response:
            return await handler(StrictJSONRequest(request.scope, request.receive))

        return strict
