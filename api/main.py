"""The ASGI application: `api.main:app`, built by `create_app()`.

On start it migrates the database schema and seeds the catalogue if the data files' revision is
not there yet, so the embedded SQLite default works on first start with no other step.
"""

import asyncio
import os
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager, suppress

from fastapi import FastAPI
from fastapi.middleware.gzip import GZipMiddleware

from advisor import jobs, logs
from advisor.catalogue_service import SnapshotCache, prepare_database
from advisor.settings import Settings, get_settings
from api import errors
from api.bodies import BodyLimits
from api.routers import advice, catalogue, health, match
from api.routers import jobs as jobs_router

DESCRIPTION = (
    "Which funding instruments and business models fit a smart-city project, why, and in what "
    "mix. Every reason carries its source; every answer its catalogue revision, ruleset version "
    "and as-of date."
)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        logs.configure()
        url = settings.resolved_database_url()
        logs.event(
            "server_start", pid=os.getpid(), database=logs.safe_url(url),
            jobs_worker=settings.jobs_worker, engine_threads=settings.engine_threads,
        )  # fmt: skip
        app.state.db = prepare_database(url)
        app.state.snapshots = SnapshotCache(app.state.db, ttl=settings.snapshot_ttl_seconds)
        # engine work is CPU-bound: a few dedicated threads (each keeps its own engine) serve
        # it better than the event loop's large general pool
        app.state.engine_pool = ThreadPoolExecutor(
            settings.engine_threads, thread_name_prefix="advisor-engine"
        )
        app.state.queue = jobs.queue_app(settings.resolved_database_url())
        await app.state.queue.open_async()
        worker = None
        if settings.jobs_worker:
            options = jobs.worker_options(settings.resolved_database_url())
            worker = asyncio.create_task(
                app.state.queue.run_worker_async(**options, install_signal_handlers=False)
            )
            if not jobs.is_postgres(settings.resolved_database_url()):
                for job in jobs.unfinished(db=app.state.db):  # the in-memory queue was lost
                    await jobs.enqueue(queue=app.state.queue, job=job)
        try:
            yield
        finally:
            if worker is not None:
                worker.cancel()
                with suppress(asyncio.CancelledError):
                    await worker
            await app.state.queue.close_async()
            if getattr(app.state, "keeper", None) is not None:
                await asyncio.to_thread(app.state.keeper.close)  # decisions still being written
            app.state.engine_pool.shutdown(wait=False, cancel_futures=True)
            app.state.db.dispose()
            logs.event("server_stop", pid=os.getpid())

    app = FastAPI(
        title="Funding Advisor",
        version="0.1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        responses={422: {"model": errors.ErrorResponse}},
    )
    app.state.settings = settings
    errors.install(app)
    app.add_middleware(
        BodyLimits,
        default=settings.max_body_bytes,
        by_path={
            "/v1/match/batch": settings.max_batch_body_bytes,
            "/v1/jobs": settings.max_job_body_bytes,
        },
    )
    app.add_middleware(
        GZipMiddleware, minimum_size=settings.gzip_min_bytes, compresslevel=settings.gzip_level
    )
    app.include_router(health.router)
    app.include_router(catalogue.router)
    app.include_router(match.router)
    app.include_router(advice.router)
    app.include_router(jobs_router.router)
    return app


app = create_app()
