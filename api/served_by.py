"""`X-Advisor-Worker: <pid>` on every response: which server process answered.

With `advisor serve --workers N` it shows how the connections are spread over the processes
(bench/worker_share.py, tests/ops/test_worker_share.py). A pid tells a client nothing it could
use against the server beyond what the process count already says.
"""

import os

from starlette.types import ASGIApp, Message, Receive, Scope, Send

HEADER = b"x-advisor-worker"


class ServedBy:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        pid = str(os.getpid()).encode()  # read per request: the same app object may be forked

        async def send_with_pid(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), (HEADER, pid)]
            await send(message)

        await self.app(scope, receive, send_with_pid)
