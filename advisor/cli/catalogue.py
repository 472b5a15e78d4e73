"""`advisor seed`, `advisor check-data` and `advisor impact`: the catalogue data, its
database and what a change of it does to the answers."""

from pathlib import Path
from typing import Annotated

import typer


def seed() -> None:
    """Migrate the database schema and load the catalogue data files (idempotent)."""
    from advisor.settings import get_settings
    from catalogue.db import make_engine, migrate_and_seed

    engine = make_engine(get_settings().resolved_database_url())
    wrote = migrate_and_seed(engine)
    typer.echo("catalogue seeded" if wrote else "catalogue already at this revision")


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
