"""`advisor keys create|list|revoke`: API keys."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated

import typer

from advisor.errors import AdvisorError

if TYPE_CHECKING:
    from sqlalchemy import Engine

app = typer.Typer(
    help="API keys (sent as `Authorization: Bearer KEY`): create, list, revoke.",
    no_args_is_help=True,
)


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


@app.command("create")
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


@app.command("list")
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


@app.command("revoke")
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
