"""The ASGI application: `api.main:app`, built by `create_app()`.

On start it migrates the database schema and seeds the catalogue if the data files' revision is
not there yet, so the embedded SQLite default works on first start with no other step.
"""

import asyncio
import os
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager

from fastapi import FastAPI

from advisor import batchwork, heap, jobrunner, logs
from advisor.catalogue_service import SnapshotCache, prepare_database
from advisor.settings import Settings, get_settings
from api import errors, page
from api.bodies import BodyLimits
from api.compression import GZip
from api.routers import advice, catalogue, coverage, health, match
from api.routers import jobs as jobs_router
from api.served_by import ServedBy

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
            auth=app.state.auth,
        )  # fmt: skip
        app.state.db = prepare_database(url)
        app.state.snapshots = SnapshotCache(app.state.db, ttl=settings.snapshot_ttl_seconds)
        # engine work is CPU-bound: a few dedicated threads (each keeps its own engine) serve
        # it better than the event loop's large general pool
        app.state.engine_pool = ThreadPoolExecutor(
            settings.engine_threads, thread_name_prefix="advisor-engine"
        )
        # batches and job chunks: processes of their own (advisor/batchwork.py), so a batch
        # takes neither the engine thread nor the GIL from single matches
        app.state.batch_pool = batchwork.process_pool(settings.batch_processes)
        app.state.jobs = jobrunner.Dispatcher(
            url=url, db=app.state.db, work_here=settings.jobs_worker, state=app.state,
            lease=settings.job_lease_seconds, stalled_after=settings.job_stalled_seconds,
            retention_days=settings.job_retention_days,
        )  # fmt: skip
        await app.state.jobs.open()
        await asyncio.to_thread(app.state.snapshots.get)  # the catalogue, before settling
        previous = heap.settle()  # start-up's objects live as long as the server
        try:
            yield
        finally:
            heap.restore(previous)
            await app.state.jobs.close()
            if getattr(app.state, "keeper", None) is not None:
                await asyncio.to_thread(app.state.keeper.close)  # decisions still being written
            app.state.engine_pool.shutdown(wait=False, cancel_futures=True)
            batchwork.stop_pool(app.state.batch_pool)
            app.state.db.dispose()
            logs.event("server_stop", pid=os.getpid())

    app = FastAPI(
        title="Funding Advisor",
        version="0.1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,  # /docs and /redoc: api/page.py, with assets shipped in the package
        redoc_url=None,
        responses={422: {"model": errors.ErrorResponse}},
    )
    app.state.settings = settings
    app.state.auth = settings.resolved_auth()
    errors.install(app)
    app.add_middleware(
        BodyLimits,
        default=settings.max_body_bytes,
        by_path={
            "/v1/match/batch": settings.max_batch_body_bytes,
            "/v1/jobs": settings.max_job_body_bytes,
        },
    )
    app.add_middleware(ServedBy)
    app.add_middleware(
        GZip, minimum_size=settings.gzip_min_bytes, compresslevel=settings.gzip_level
    )
    app.include_router(health.router)
    app.include_router(catalogue.router)
    app.include_router(coverage.router)
    app.include_router(match.router)
    app.include_router(advice.router)
    app.include_router(jobs_router.router)
    page.install(app, settings)  # the page at /, offline /docs and /redoc, CORS (outermost)
    return app


app = create_app()
