"""The officer's page at `/`, the offline API documentation and CORS.

The page (api/static/) is plain JavaScript modules and CSS shipped in the package: no build step,
nothing loaded from another host, and it calls the service only through the public v1 JSON API,
as a third-party front end would. `/docs` (Swagger UI) and `/redoc` (ReDoc) load their scripts
from api/static/vendor/ (npm packages swagger-ui-dist and redoc, with their licences), so they
work without internet. `ADVISOR_CORS_ORIGINS` (comma-separated; default none) lets pages on those
origins call the API from a browser: preflights answer 200 with the CORS headers; an origin not
listed gets none.
"""

from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import Headers, MutableHeaders
from starlette.responses import Response
from starlette.types import Message, Receive, Scope, Send

from advisor.settings import Settings
from api.errors import error_response

STATIC = Path(__file__).parent / "static"
VENDOR = "/static/vendor"
FAVICON = f"{VENDOR}/swagger-ui/favicon-32x32.png"
# The browser itself refuses to load anything from another host (belt and braces: the page and
# the vendored documentation ask for nothing outside this server, tests/page checks it).
_COMMON = "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'self'"
PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    f"connect-src 'self'; {_COMMON}"
)
# FastAPI's documentation pages start their viewer with an inline script; ReDoc styles inline
# and runs its search in a worker made from a blob
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    f"img-src 'self' data:; font-src 'self' data:; worker-src 'self' blob:; {_COMMON}"
)


class ListedOriginsCORS(CORSMiddleware):
    """Starlette's CORS, except that an origin not listed gets no CORS header at all (Starlette
    still sends the allowed methods and headers with its refusal, and expose-headers on simple
    requests): a preflight from it answers 400 in the API's error shape, anything else passes
    through untouched."""

    def preflight_response(self, request_headers: Headers) -> Response:
        origin = request_headers["origin"]
        if not self.is_allowed_origin(origin):
            return error_response(400, "cors_origin_not_allowed", "origin not allowed")
        return super().preflight_response(request_headers)

    async def simple_response(
        self, scope: Scope, receive: Receive, send: Send, request_headers: Headers
    ) -> None:
        origin = request_headers.get("origin")
        if origin is None or self.is_allowed_origin(origin):
            await super().simple_response(scope, receive, send, request_headers)
            return

        async def vary_only(message: Message) -> None:  # caches keep answers apart by origin
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message).add_vary_header("Origin")
            await send(message)

        await self.app(scope, receive, vary_only)


def install(app: FastAPI, settings: Settings) -> None:
    """Serve the page and the offline docs; add CORS when origins are configured. Call after
    the other middleware so that CORS is outermost (a preflight is answered before any other)."""
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.api_route("/", methods=["GET", "HEAD"], include_in_schema=False)
    def page() -> FileResponse:
        return FileResponse(
            STATIC / "index.html",
            media_type="text/html; charset=utf-8",
            headers={"Content-Security-Policy": PAGE_CSP},
        )

    _docs_page(
        app, "/docs", "swagger_ui", get_swagger_ui_html, "Swagger UI",
        swagger_js_url=f"{VENDOR}/swagger-ui/swagger-ui-bundle.js",
        swagger_css_url=f"{VENDOR}/swagger-ui/swagger-ui.css",
        swagger_favicon_url=FAVICON,
        # no schema validator badge: it would send the schema to another host
        swagger_ui_parameters={"validatorUrl": None},
    )  # fmt: skip
    _docs_page(
        app, "/redoc", "redoc", get_redoc_html, "ReDoc",
        redoc_js_url=f"{VENDOR}/redoc/redoc.standalone.js",
        redoc_favicon_url=FAVICON,
        with_google_fonts=False,
    )  # fmt: skip

    origins = settings.cors_origin_list()
    if origins:
        app.add_middleware(
            ListedOriginsCORS,
            allow_origins=origins,
            allow_methods=["GET", "HEAD", "POST", "OPTIONS"],
            allow_headers=["Content-Type", "Authorization", "Accept"],
            expose_headers=["X-Job-Status", "Content-Disposition"],
            max_age=600,
        )


def _docs_page(
    app: FastAPI,
    path: str,
    name: str,
    render: Callable[..., HTMLResponse],
    viewer: str,
    **options: Any,
) -> None:
    """Serve at PATH the documentation VIEWER renders (FastAPI's `render`) for the app's OpenAPI
    schema, with the viewer's OPTIONS (its vendored scripts), under the docs' security policy."""

    @app.get(path, include_in_schema=False, name=name)
    def docs() -> HTMLResponse:
        html = render(
            openapi_url=app.openapi_url or "/openapi.json",
            title=f"{app.title} - {viewer}",
            **options,
        )
        html.headers["Content-Security-Policy"] = DOCS_CSP
        return html
