"""`advisor match` and `advisor batch`: advice on profiles read from files."""

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError

from advisor.errors import AdvisorError


def load_json(path: str) -> object:
    """The JSON in the file at PATH (standard input for "-"); a usage error if it is not JSON."""
    text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise typer.BadParameter(f"{path}: not valid JSON: {exc}") from exc


def match(
    file: Annotated[str, typer.Argument(help="profile as JSON; '-' reads standard input")],
    indent: Annotated[int, typer.Option(help="JSON indentation (0 for one line)")] = 2,
) -> None:
    """Advise on one project profile and print the Advice as JSON."""
    from advisor.advice import advise
    from advisor.models import ProjectProfile
    from advisor.snapshots import local_snapshot

    data = load_json(file)
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
    detail: Annotated[
        str,
        typer.Option(help="full (every criterion an excluded instrument failed) or lean"),
    ] = "full",
) -> None:
    """Match every profile of SOURCE; one record per input row in OUT (errors included)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    from advisor.batch import read_rows, rows_done, run_batch
    from advisor.settings import get_settings
    from advisor.snapshots import local_snapshot

    if out.suffix.lower() not in (".jsonl", ".csv"):
        raise typer.BadParameter("OUT must end in .jsonl or .csv", param_hint="--out")
    if detail not in ("full", "lean"):
        raise typer.BadParameter("full or lean", param_hint="--detail")
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
                progress=lambda n: bar.advance(task, n), detail=detail,  # type: ignore[arg-type]
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
