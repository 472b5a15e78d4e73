"""The `advisor` command: serve the API, match a profile, seed or check the catalogue, manage
API keys."""

import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from pydantic import ValidationError

from advisor.errors import AdvisorError

if TYPE_CHECKING:
    from sqlalchemy import Engine

app = typer.Typer(
    help="Funding Advisor: funding instruments and business models for smart-city projects.",
    no_args_is_help=True,
)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="interface to bind (ADVISOR_HOST)")] = None,
    port: Annotated[int | None, typer.Option(help="port (ADVISOR_PORT)")] = None,
    workers: Annotated[int, typer.Option(min=1, help="worker processes")] = 1,
) -> None:
    """Serve the API (migrates and seeds the database on first start).

    With --workers N each process has its own socket on the port (SO_REUSEPORT), so the kernel
    spreads connections evenly; a worker that exits is replaced; Ctrl-C or SIGTERM stops all.
    """
    from advisor.server import serve as run
    from advisor.settings import get_settings

    settings = get_settings()
    if host:  # the app (in every worker process) reads the host it serves: ADVISOR_AUTH=auto
        os.environ["ADVISOR_HOST"] = host
        get_settings.cache_clear()
    run(host or settings.host, port or settings.port, workers)


def _load_profile_json(path: str) -> object:
    text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise typer.BadParameter(f"{path}: not valid JSON: {exc}") from exc


@app.command()
def match(
    file: Annotated[str, typer.Argument(help="profile as JSON; '-' reads standard input")],
    indent: Annotated[int, typer.Option(help="JSON indentation (0 for one line)")] = 2,
) -> None:
    """Advise on one project profile and print the Advice as JSON."""
    from advisor.advice import advise
    from advisor.models import ProjectProfile
    from advisor.snapshots import local_snapshot

    data = _load_profile_json(file)
    try:
        profile = ProjectProfile.model_validate(data)
        advice = advise(profile, local_snapshot())
    except ValidationError as exc:
        for err in exc.errors():
            field = ".".join(str(p) for p in err["loc"]) or "(profile)"
            typer.echo(f"invalid profile: {field}: {err['msg']}", err=True)
        raise typer.Exit(2) from None
    except AdvisorError as exc:
        typer.echo(f"error: {exc.field + ': ' if exc.field else ''}{exc.message}", err=True)
        raise typer.Exit(2) from None
    typer.echo(advice.model_dump_json(indent=indent or None))


@app.command()
def batch(
    source: Annotated[
        Path, typer.Argument(help="profiles: .csv or .jsonl", exists=True, dir_okay=False)
    ],
    out: Annotated[Path, typer.Option("-o", "--out", help="results: .jsonl or .csv")],
    workers: Annotated[int, typer.Option(min=1, help="worker processes")] = 1,
    resume: Annotated[bool, typer.Option(help="keep rows already in OUT and skip them")] = True,
    progress: Annotated[bool, typer.Option(help="show a progress bar on stderr")] = True,
    naive: Annotated[
        bool, typer.Option(hidden=True, help="fresh engine per profile (benchmarks)")
    ] = False,
) -> None:
    """Match every profile of SOURCE; one record per input row in OUT (errors included)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    from advisor.batch import read_rows, rows_done, run_batch
    from advisor.settings import get_settings
    from advisor.snapshots import local_snapshot

    if out.suffix.lower() not in (".jsonl", ".csv"):
        raise typer.BadParameter("OUT must end in .jsonl or .csv", param_hint="--out")
    if source.suffix.lower() not in (".jsonl", ".csv", ".json"):
        raise typer.BadParameter("SOURCE must end in .csv or .jsonl", param_hint="SOURCE")
    local_snapshot()  # migrate and seed once, before any worker starts
    total = sum(1 for _ in read_rows(source))
    bar = Progress(
        "[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
        TimeRemainingColumn(), disable=not progress,
    )  # fmt: skip
    try:
        with bar:
            task = bar.add_task("matching", total=total)
            summary = run_batch(
                source, out, database_url=get_settings().resolved_database_url(),
                workers=workers, resume=resume, fresh=naive,
                progress=lambda n: bar.advance(task, n),
            )  # fmt: skip
    except KeyboardInterrupt:
        kept = rows_done(out)
        typer.echo(
            f"interrupted: {kept} of {total} rows are in {out}. Run the same command again to "
            f"resume: rows already in {out.name} are kept and not matched again.",
            err=True,
        )
        raise typer.Exit(130) from None
    typer.echo(
        f"{summary.written} written ({summary.failed} with errors), "
        f"{summary.skipped} already done, {summary.total} rows in {source.name}",
        err=True,
    )


@app.command()
def worker(
    concurrency: Annotated[int, typer.Option(min=1, help="chunks processed at once")] = 1,
) -> None:
    """Process portfolio jobs from the PostgreSQL queue (run on as many hosts as you like).

    A worker that dies mid-chunk is noticed by the others (its heartbeat stops) and its chunks
    are queued again; SIGTERM or Ctrl-C lets the chunks in hand finish first."""
    import asyncio

    from advisor import jobrunner, logs
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


@app.command("purge-jobs")
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


@app.command()
def seed() -> None:
    """Migrate the database schema and load the catalogue data files (idempotent)."""
    from advisor.settings import get_settings
    from catalogue.db import make_engine, migrate_and_seed

    engine = make_engine(get_settings().resolved_database_url())
    wrote = migrate_and_seed(engine)
    typer.echo("catalogue seeded" if wrote else "catalogue already at this revision")


@app.command("check-data")
def check_data(
    strict: Annotated[
        bool,
        typer.Option(
            "--strict",
            help="also fail a record that leaves a required limit unstated (Reach, not hope)",
        ),
    ] = False,
) -> None:
    """Validate the catalogue data files without touching any database."""
    from catalogue.datafiles import DataFileError, load
    from catalogue.datafiles import main as check

    code = check([])
    if code or not strict:
        raise typer.Exit(code)
    from catalogue.coverage import strict_problems
    from catalogue.strictness import report

    try:
        data = load()
        found = report(data.instruments) + strict_problems(data.coverage, data.instruments)
    except DataFileError as exc:  # pragma: no cover - check() above already loaded it
        typer.echo(f"invalid: {exc}", err=True)
        raise typer.Exit(1) from exc
    for line in found:
        typer.echo(f"strict: {line}", err=True)
    if found:
        typer.echo(f"strict: {len(found)} problems", err=True)
        raise typer.Exit(1)
    typer.echo(
        "strict: every required field of every record is stated; every national record with a "
        "coverage family is in its country's coverage"
    )


keys_app = typer.Typer(
    help="API keys (sent as `Authorization: Bearer KEY`): create, list, revoke.",
    no_args_is_help=True,
)
app.add_typer(keys_app, name="keys")


@contextmanager
def _keys_db() -> "Iterator[Engine]":
    from advisor.catalogue_service import prepare_database
    from advisor.settings import get_settings

    engine = prepare_database(get_settings().resolved_database_url())
    try:
        yield engine
    finally:
        engine.dispose()


def _limit(own: int | None, default: int) -> str:
    return str(own) if own is not None else f"{default} (default)"


@keys_app.command("create")
def keys_create(
    name: Annotated[str, typer.Option(help="who or what the key is for")],
    scope: Annotated[
        list[str],
        typer.Option(
            help="jobs (jobs and batch), advice (stored decisions: read, recheck, reports) or "
            "match (with ADVISOR_AUTH=all)"
        ),
    ],
    max_jobs: Annotated[
        int | None,
        typer.Option(min=1, help="jobs queued or running at once (ADVISOR_KEY_MAX_JOBS)"),
    ] = None,
    items_per_day: Annotated[
        int | None,
        typer.Option(min=1, help="profiles per UTC day (ADVISOR_KEY_ITEMS_PER_DAY)"),
    ] = None,
) -> None:
    """Create a key and print it once: only its hash is stored."""
    from advisor import keys

    try:
        with _keys_db() as db:
            key, secret = keys.create_key(
                db=db, name=name, scopes=scope, max_concurrent_jobs=max_jobs,
                max_items_per_day=items_per_day,
            )  # fmt: skip
    except AdvisorError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(2) from None
    typer.echo(secret)
    typer.echo(
        f"id {key.id}, name {key.name!r}, scopes {','.join(key.scopes)}. The key is shown "
        "only now: keep it somewhere safe.",
        err=True,
    )


@keys_app.command("list")
def keys_list() -> None:
    """The keys (id, prefix, name, scopes, limits, state); never their secrets."""
    from advisor import keys
    from advisor.settings import get_settings

    settings = get_settings()
    with _keys_db() as db:
        found = keys.list_keys(db=db)
    if not found:
        typer.echo("no API keys", err=True)
    for key in found:
        state = f"revoked {key.revoked_at:%Y-%m-%d}" if key.revoked_at else "active"
        typer.echo(
            f"{key.id}  {key.prefix}...  {key.name}  scopes={','.join(key.scopes)}  "
            f"max_jobs={_limit(key.max_concurrent_jobs, settings.key_max_jobs)}  "
            f"items_per_day={_limit(key.max_items_per_day, settings.key_items_per_day)}  "
            f"created {key.created_at:%Y-%m-%d}  {state}"
        )


@keys_app.command("revoke")
def keys_revoke(
    key_id: Annotated[str, typer.Argument(help="the key's id (`advisor keys list`)")],
) -> None:
    """Revoke a key: it is refused from now on (401)."""
    from advisor import keys

    try:
        with _keys_db() as db:
            key = keys.revoke_key(db=db, key_id=key_id)
    except AdvisorError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"revoked {key.id} ({key.prefix}..., {key.name})")


@app.command()
def report(
    advice: Annotated[
        str, typer.Argument(help="a stored advice id, or a file holding an advice as JSON")
    ],
    out: Annotated[Path, typer.Option("-o", "--out", help="the report: .pdf or .xlsx")],
    lang: Annotated[str, typer.Option(help="en or zh")] = "en",
    profile: Annotated[
        Path | None, typer.Option(help="the profile (JSON) of an advice read from a file")
    ] = None,
) -> None:
    """Write an advice's report (PDF or XLSX, English or Chinese)."""
    from advisor import reports
    from advisor.snapshots import local_snapshot

    fmt = out.suffix.lower().lstrip(".")
    if fmt not in ("pdf", "xlsx"):
        raise typer.BadParameter("OUT must end in .pdf or .xlsx", param_hint="--out")
    if lang not in ("en", "zh"):
        raise typer.BadParameter("en or zh", param_hint="--lang")
    snapshot = local_snapshot()
    if Path(advice).is_file():
        data = _load_profile_json(advice)
        if not isinstance(data, dict) or "options" not in data:
            raise typer.BadParameter(f"{advice}: not an advice (no options)")
        person = _load_profile_json(str(profile)) if profile else None
        content = reports.render(
            fmt,
            data,
            person,
            reports.snapshot_names(snapshot),
            lang,  # type: ignore[arg-type]
        )
    else:
        from advisor.settings import get_settings
        from catalogue.db import make_engine

        db = make_engine(get_settings().resolved_database_url())
        try:
            content = reports.advice_report(
                db=db,
                advice_id=advice,
                snapshot=snapshot,
                fmt=fmt,
                lang=lang,  # type: ignore[arg-type]
            )
        except AdvisorError as exc:
            typer.echo(f"error: {exc.message}", err=True)
            raise typer.Exit(2) from None
        finally:
            db.dispose()
    out.write_bytes(content)
    typer.echo(f"{out}: {len(content):,} bytes", err=True)


@app.command()
def impact(
    base: Annotated[str, typer.Option(help="catalogue data directory or git revision (before)")],
    head: Annotated[
        str, typer.Option(help="catalogue data directory or git revision (after)")
    ] = "catalogue/data",
    golden: Annotated[Path, typer.Option(help="folder of the golden cases")] = Path("tests/golden"),
    database: Annotated[
        str | None, typer.Option(help="also re-answer the decisions stored in this database URL")
    ] = None,
    repo: Annotated[Path, typer.Option(help="git repository for revisions")] = Path("."),
) -> None:
    """Which answers a catalogue change changes, and the records behind each change."""
    from advisor import impact as impacts

    profiles = impacts.golden_profiles(golden)
    if database:
        profiles += impacts.stored_profiles(database)
    try:
        with (
            impacts.catalogue_dir(base, repo=repo) as base_dir,
            impacts.catalogue_dir(head, repo=repo) as head_dir,
        ):
            result = impacts.compare(
                profiles, impacts.snapshot_of(base_dir), impacts.snapshot_of(head_dir)
            )
    except ValueError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    typer.echo(impacts.report(result))


if __name__ == "__main__":
    app()
