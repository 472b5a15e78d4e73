"""gzip for the responses that are not compressed where they are made (advisor/encoding.py)."""

from starlette.datastructures import Headers
from starlette.middleware.gzip import GZipMiddleware, IdentityResponder
from starlette.types import Receive, Scope, Send

from advisor import encoding


class GZip(GZipMiddleware):
    """Starlette's GZipMiddleware, which compresses when "gzip" appears anywhere in
    Accept-Encoding, even as `gzip;q=0` ("not acceptable", RFC 9110 section 12.5.3). Here a
    client that does not accept gzip gets the response as it is; the rest is Starlette's."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not encoding.acceptable(
            Headers(scope=scope).get("accept-encoding"), encoding.GZIP
        ):
            responder = IdentityResponder(
                self.app, self.minimum_size, exclude_content_types=self.exclude_content_types
            )
            await responder(scope, receive, send)
            return
        await super().__call__(scope, receive, send)
