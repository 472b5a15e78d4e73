"""`advisor serve`: the API in one or more worker processes."""

import os
from typing import Annotated

import typer


def serve(
    host: Annotated[str | None, typer.Option(help="interface to bind (ADVISOR_HOST)")] = None,
    port: Annotated[int | None, typer.Option(help="port (ADVISOR_PORT)")] = None,
    workers: Annotated[int, typer.Option(min=1, help="worker processes")] = 1,
) -> None:
    """Serve the API (migrates and seeds the database on first start).

    With --workers N a supervisor hands each connection to the process with the fewest open
    ones; a worker that exits is replaced; Ctrl-C or SIGTERM stops all.
    """
    from advisor.server import serve as run
    from advisor.settings import get_settings

    settings = get_settings()
    if host:  # the app (in every worker process) reads the host it serves: ADVISOR_AUTH=auto
        os.environ["ADVISOR_HOST"] = host
        get_settings.cache_clear()
    run(host or settings.host, port or settings.port, workers)
