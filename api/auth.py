"""Who may call what: `require(scope)`, a dependency that answers with the Caller.

ADVISOR_AUTH (resolved once per app, see Settings.resolved_auth):

    none    no route needs a key
    keys    jobs and /v1/match/batch need a key with scope `jobs`; the rest is open
    all     everything under /v1 needs a key: `jobs` as above, `match` for /v1/match and
            catalogue reads
    /health, the OpenAPI page and schema are always open.

A route whose scope the mode does not ask for gets the anonymous Caller (key_id None) and the
Authorization header is not read. Errors (api/errors.py): no key, or an unknown or revoked one
-> 401 with `WWW-Authenticate: Bearer`; a key without the scope -> 403.
"""

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from advisor import keys
from advisor.keys import ANONYMOUS, Caller

__all__ = ["Caller", "JobsCaller", "MatchCaller", "require"]

# the modes in which each scope is asked for
NEEDED_IN = {"jobs": ("keys", "all"), "match": ("all",)}

bearer = HTTPBearer(
    auto_error=False,
    description="an API key from `advisor keys create`, when ADVISOR_AUTH asks for one",
)
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]


def require(scope: str) -> Callable[[Request, HTTPAuthorizationCredentials | None], Caller]:
    """A dependency: the caller, authenticated with `scope` when the app's mode needs it."""
    if scope not in NEEDED_IN:
        raise ValueError(f"unknown scope {scope!r}")
    modes = NEEDED_IN[scope]

    def caller(request: Request, credentials: Credentials) -> Caller:
        if request.app.state.auth not in modes:
            return ANONYMOUS
        return keys.authenticate(
            db=request.app.state.db,
            secret=credentials.credentials if credentials else None,
            scope=scope,
            settings=request.app.state.settings,
        )

    return caller


JobsCaller = Annotated[Caller, Depends(require("jobs"))]
MatchCaller = Annotated[Caller, Depends(require("match"))]
