"""`advisor worker` and `advisor purge-jobs`: the portfolio job queue."""

from typing import Annotated

import typer


def worker(
    concurrency: Annotated[int, typer.Option(min=1, help="chunks processed at once")] = 1,
) -> None:
    """Process portfolio jobs from the PostgreSQL queue (run on as many hosts as you like).

    A worker that dies mid-chunk is noticed by the others (its heartbeat stops) and its chunks
    are queued again; SIGTERM or Ctrl-C lets the chunks in hand finish first."""
    import asyncio

    from advisor import heap, jobrunner, logs
    from advisor.settings import get_settings
    from catalogue.db import make_engine, prepare

    logs.configure()
    settings = get_settings()
    url = settings.resolved_database_url()
    if not jobrunner.is_postgres(url):
        typer.echo(
            "error: with the embedded SQLite database, jobs run inside `advisor serve`; "
            "separate workers need ADVISOR_DATABASE_URL=postgresql://...",
            err=True,
        )
        raise typer.Exit(2)
    prepare(url).dispose()  # migrations (queue schema included) before taking work
    db = make_engine(url)

    async def work() -> None:
        dispatcher = jobrunner.Dispatcher(
            url=url, db=db, work_here=True, stalled_after=settings.job_stalled_seconds,
            retention_days=settings.job_retention_days, concurrency=concurrency,
        )  # fmt: skip
        await dispatcher.open(install_signal_handlers=True)
        heap.settle()  # a long-lived process: what start-up built leaves the collector's passes
        logs.event(
            "worker_start", database=logs.safe_url(url), concurrency=concurrency,
            worker=dispatcher.name,
        )  # fmt: skip
        try:
            await dispatcher.wait()
        finally:
            await dispatcher.close()

    asyncio.run(work())
    db.dispose()
    logs.event("worker_stop")


def purge_jobs(
    days: Annotated[
        float | None,
        typer.Option(min=0, help="age in days (default: ADVISOR_JOB_RETENTION_DAYS)"),
    ] = None,
) -> None:
    """Delete jobs that ended more than DAYS days ago, with their rows and results."""
    from advisor import jobs
    from advisor.settings import get_settings
    from catalogue.db import prepare

    settings = get_settings()
    if days is None and not settings.job_retention_days:
        typer.echo("ADVISOR_JOB_RETENTION_DAYS is 0: jobs are kept; name an age with --days")
        return
    days = settings.job_retention_days if days is None else days
    db = prepare(settings.resolved_database_url())
    gone = jobs.purge(db=db, older_than_days=days)
    db.dispose()
    typer.echo(f"{gone} jobs deleted (ended more than {days:g} days ago)")
