"""Who may call what: `require(scope)`, a dependency that answers with the Caller.

ADVISOR_AUTH (resolved once per app, see Settings.resolved_auth):

    none    no route needs a key
    keys    jobs and /v1/match/batch need a key with scope `jobs`, stored decisions
            (/v1/advice/...) one with scope `advice`; the rest is open
    all     everything under /v1 needs a key: `jobs` and `advice` as above, `match` for
            /v1/match and catalogue reads
    /health, the OpenAPI page and schema are always open.

A route whose scope the mode does not ask for gets the anonymous Caller (key_id None) and the
Authorization header is not read. `KeyHolder` is for a route that is open but keeps what it
makes under the caller's key (/v1/match: its decision record): under keys or all, a key sent
must be live (whatever its scopes), no key is the anonymous Caller.

Errors (api/errors.py): no key, or an unknown or revoked one -> 401 with `WWW-Authenticate:
Bearer`; a key without the scope -> 403. Routes with a body use `KeyFirstRoute`, which checks the
key before the body is read: a refused request costs no parsing.
"""

from collections.abc import Callable, Coroutine, Iterator
from functools import partial
from typing import Annotated, Any

from fastapi import Depends, Request, Response
from fastapi.dependencies.models import Dependant
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from advisor import keys
from advisor.keys import ANONYMOUS, Caller
from api.bodies import StrictJSONRoute

__all__ = [
    "AdviceCaller",
    "Caller",
    "JobsCaller",
    "KeyFirstRoute",
    "KeyHolder",
    "MatchCaller",
    "require",
]

# the modes in which each scope is asked for
NEEDED_IN = {"jobs": ("keys", "all"), "match": ("all",), "advice": ("keys", "all")}
ANY_SCOPE = "*"  # the name under which KeyFirstRoute keeps `key_holder`'s answer

bearer = HTTPBearer(
    auto_error=False,
    description="an API key from `advisor keys create`, when ADVISOR_AUTH asks for one",
)
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]


def require(
    scope: str,
) -> Callable[[Request, HTTPAuthorizationCredentials | None], Coroutine[Any, Any, Caller]]:
    """A dependency: the caller, authenticated with `scope` when the app's mode needs it."""
    if scope not in NEEDED_IN:
        raise ValueError(f"unknown scope {scope!r}")
    modes = NEEDED_IN[scope]

    async def caller(request: Request, credentials: Credentials) -> Caller:
        if request.app.state.auth not in modes:
            return ANONYMOUS
        checked = getattr(request.state, "callers", {})  # by KeyFirstRoute, before the body
        if scope in checked:
            return checked[scope]  # type: ignore[no-any-return]
        return await run_in_threadpool(  # reads the database
            partial(
                keys.authenticate,
                db=request.app.state.db,
                secret=credentials.credentials if credentials else None,
                scope=scope,
                settings=request.app.state.settings,
            )
        )

    caller.scope = scope  # type: ignore[attr-defined]
    return caller


async def key_holder(request: Request, credentials: Credentials) -> Caller:
    """A dependency: whose key the request carries, where keys are on (keys, all), whatever the
    key's scopes; the anonymous Caller when it carries none. A key that is sent must be live
    (else 401): a caller who meant to keep a record to themselves is not silently given an
    open one. Under `none` the header is not read."""
    if request.app.state.auth == "none" or credentials is None:
        return ANONYMOUS
    checked = getattr(request.state, "callers", {})
    known = [c for c in checked.values() if c.key_id is not None]
    if known:  # the route's own check (scope `match` under all) has read this header already
        return known[0]  # type: ignore[no-any-return]
    return await run_in_threadpool(  # reads the database
        partial(
            keys.authenticate,
            db=request.app.state.db,
            secret=credentials.credentials,
            scope=None,
            settings=request.app.state.settings,
        )
    )


key_holder.scope = ANY_SCOPE  # type: ignore[attr-defined]


def _checks(
    dependant: Dependant,
) -> Iterator[tuple[str, Callable[..., Coroutine[Any, Any, Caller]]]]:
    """The key checks among a route's dependencies, in their order, by scope."""
    for sub in dependant.dependencies:
        scope = getattr(sub.call, "scope", None)
        if isinstance(scope, str):
            yield scope, sub.call  # type: ignore[misc]
        yield from _checks(sub)


class KeyFirstRoute(StrictJSONRoute):
    """A strict-JSON route that authenticates before FastAPI reads and parses the body (its
    dependencies run only after), so a caller without a valid key cannot make the server parse
    megabytes."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        checks = dict(_checks(self.dependant))
        if not checks:
            return handler

        async def key_first(request: Request) -> Response:
            credentials = await bearer(request)
            request.state.callers = {}
            for scope, check in checks.items():  # in order: KeyHolder may reuse the one before
                caller = await check(request, credentials)
                request.state.callers[scope] = caller
            return await handler(request)

        return key_first


JobsCaller = Annotated[Caller, Depends(require("jobs"))]
MatchCaller = Annotated[Caller, Depends(require("match"))]
AdviceCaller = Annotated[Caller, Depends(require("advice"))]
KeyHolder = Annotated[Caller, Depends(key_holder)]
