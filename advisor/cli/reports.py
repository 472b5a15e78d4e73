"""`advisor report`: an advice's report as PDF or XLSX."""

from pathlib import Path
from typing import Annotated

import typer

from advisor.cli.matching import load_json
from advisor.errors import AdvisorError


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
        data = load_json(advice)
        if not isinstance(data, dict) or "options" not in data:
            raise typer.BadParameter(f"{advice}: not an advice (no options)")
        person = load_json(str(profile)) if profile else None
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
