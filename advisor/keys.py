"""API keys for what costs: created by `advisor keys create`, sent as `Authorization: Bearer KEY`.

A key is `fa_` and 43 characters of `secrets.token_urlsafe(32)` (32 random bytes). Only its
SHA-256 is stored: with 256 random bits a fast unsalted hash is enough (no dictionary to try),
as GitHub stores its tokens. The first 11 characters (`prefix`) are kept in clear so people can
tell keys apart; a presented key is looked up by prefix and its hash compared in constant time.

Scopes (keep the list short):

    jobs    portfolio jobs (/v1/jobs...) and /v1/match/batch, when ADVISOR_AUTH is keys or all
    match   /v1/match and catalogue reads, when ADVISOR_AUTH is all
    advice  stored decisions (GET /v1/advice/{id}, its recheck and reports), when ADVISOR_AUTH
            is keys or all; a record made with a key is that key's alone

Limits per key (its own, or the ADVISOR_KEY_* defaults when unset): jobs queued or running at
once, and profiles accepted per UTC day (jobs and batches both count, when accepted). Over a
limit the service raises LimitExceeded with the seconds to wait. Both hold under requests at
once: a job is admitted in the transaction that stores it, with the key locked (`admit_in`).
"""

import hashlib
import hmac
import re
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import JSON, Engine, column, func, table, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Field, Session, SQLModel, select

from advisor.errors import Forbidden, InvalidInput, LimitExceeded, NotAuthenticated, NotFound
from advisor.settings import Settings

SCOPES = {
    "jobs": "portfolio jobs and /v1/match/batch (ADVISOR_AUTH=keys or all)",
    "match": "single matches and catalogue reads (ADVISOR_AUTH=all)",
    "advice": "stored decisions: GET /v1/advice/{id}, recheck, reports (ADVISOR_AUTH=keys or all)",
}
MARK = "fa_"
PREFIX_CHARS = 11  # "fa_" and 8 random characters, shown to humans
SECRET = re.compile(r"fa_[A-Za-z0-9_-]{40,64}")
ACTIVE_JOB_STATES = ("queued", "running")
# a job slot frees when a job ends, which the server cannot foresee: ask to retry soon
CONCURRENT_RETRY_SECONDS = 30
KEY_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")

# the job table as far as limits need it (advisor/jobstore.py owns its model)
_jobs = table("job", column("status"), column("owner"))


class ApiKeyBase(SQLModel):
    id: str = Field(primary_key=True, max_length=36)
    name: str = Field(max_length=200)
    prefix: str = Field(index=True, max_length=16)
    scopes: list[str] = Field(sa_type=JSON)
    created_at: datetime
    revoked_at: datetime | None = None
    max_concurrent_jobs: int | None = Field(default=None, description="None: the default")
    max_items_per_day: int | None = Field(default=None, description="None: the default")


class ApiKey(ApiKeyBase, table=True):
    __tablename__ = "api_key"

    secret_hash: str = Field(max_length=64)


class ApiKeyPublic(ApiKeyBase):
    """A key as shown to people: never its secret nor its hash."""


class ApiKeyUsage(SQLModel, table=True):
    __tablename__ = "api_key_usage"

    key_id: str = Field(primary_key=True, foreign_key="api_key.id", max_length=36)
    day: date = Field(primary_key=True)
    items: int = 0


@dataclass(frozen=True)
class Caller:
    """Who is calling: `key_id` None when the route needs no key (auth off for it)."""

    key_id: str | None = None
    max_concurrent_jobs: int = 0
    max_items_per_day: int = 0


ANONYMOUS = Caller()


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _public(key: ApiKey) -> ApiKeyPublic:
    return ApiKeyPublic.model_validate(key.model_dump(exclude={"secret_hash"}))


def create_key(
    *,
    db: Engine,
    name: str,
    scopes: list[str],
    max_concurrent_jobs: int | None = None,
    max_items_per_day: int | None = None,
) -> tuple[ApiKeyPublic, str]:
    """Store a new key; returns it and its secret, which is not kept and cannot be shown again."""
    unknown = sorted(set(scopes) - set(SCOPES))
    if not scopes or unknown:
        raise InvalidInput(
            f"scopes must be among {sorted(SCOPES)}, got {unknown or 'none'}", field="scopes"
        )
    for field, limit in (("max_concurrent_jobs", max_concurrent_jobs),
                         ("max_items_per_day", max_items_per_day)):  # fmt: skip
        if limit is not None and limit < 1:
            raise InvalidInput(f"{field} must be at least 1, got {limit}", field=field)
    secret = MARK + secrets.token_urlsafe(32)
    key = ApiKey(
        id=str(uuid.uuid4()), name=name, prefix=secret[:PREFIX_CHARS],
        secret_hash=hash_secret(secret), scopes=sorted(set(scopes)),
        created_at=datetime.now(UTC), max_concurrent_jobs=max_concurrent_jobs,
        max_items_per_day=max_items_per_day,
    )  # fmt: skip
    with Session(db) as session:
        session.add(key)
        session.commit()
        session.refresh(key)
        return _public(key), secret


def list_keys(*, db: Engine) -> list[ApiKeyPublic]:
    with Session(db) as session:
        keys = session.exec(select(ApiKey).order_by(ApiKey.created_at)).all()  # type: ignore[arg-type]
        return [_public(k) for k in keys]


def revoke_key(*, db: Engine, key_id: str) -> ApiKeyPublic:
    """Revoke a key for good (revoking it again keeps the first date)."""
    if not KEY_ID.fullmatch(key_id):
        raise NotFound(f"no API key with id {key_id[:64]!r}", field="key_id")
    with Session(db) as session:
        key = session.get(ApiKey, key_id)
        if key is None:
            raise NotFound(f"no API key with id {key_id!r}", field="key_id")
        if key.revoked_at is None:
            key.revoked_at = datetime.now(UTC)
            session.add(key)
            session.commit()
            session.refresh(key)
        return _public(key)


def authenticate(
    *, db: Engine, secret: str | None, scope: str | None, settings: Settings
) -> Caller:
    """The caller behind `secret`, if it is a live key with `scope` (None: whatever its scopes);
    else NotAuthenticated or Forbidden."""
    if not secret:
        raise NotAuthenticated("an API key is required: send `Authorization: Bearer KEY`")
    if not SECRET.fullmatch(secret):  # not a key's shape: spare the database (and its NULs)
        raise NotAuthenticated("invalid API key")
    digest = hash_secret(secret)
    with Session(db) as session:
        candidates = session.exec(
            select(ApiKey).where(ApiKey.prefix == secret[:PREFIX_CHARS])
        ).all()
    key = next((k for k in candidates if hmac.compare_digest(k.secret_hash, digest)), None)
    if key is None or key.revoked_at is not None:
        raise NotAuthenticated("invalid or revoked API key")
    if scope is not None and scope not in key.scopes:
        raise Forbidden(f"this API key (scopes: {', '.join(key.scopes)}) lacks the scope {scope!r}")
    return Caller(
        key_id=key.id,
        max_concurrent_jobs=key.max_concurrent_jobs or settings.key_max_jobs,
        max_items_per_day=key.max_items_per_day or settings.key_items_per_day,
    )


def seconds_to_next_day(now: datetime) -> int:
    """Whole seconds (at least 1) from `now` to the next UTC midnight."""
    now = now.astimezone(UTC)
    midnight = datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), UTC)
    return max(1, int((midnight - now).total_seconds() + 0.999))


def _active(key_id: str) -> Any:
    return (
        select(func.count())
        .select_from(_jobs)
        .where(_jobs.c.owner == key_id, _jobs.c.status.in_(ACTIVE_JOB_STATES))
    )


def active_jobs(*, db: Engine, key_id: str) -> int:
    """The key's jobs that are queued or running."""
    with Session(db) as session:
        return int(session.exec(_active(key_id)).one())


def used_today(*, db: Engine, key_id: str, now: datetime | None = None) -> int:
    day = (now or datetime.now(UTC)).astimezone(UTC).date()
    with Session(db) as session:
        usage = session.get(ApiKeyUsage, (key_id, day))
        return usage.items if usage else 0


def _add_items(session: Session, key_id: str, day: date, items: int, limit: int) -> bool:
    """Add `items` to the key's count for `day` unless that would pass `limit`, in the caller's
    transaction (not committed). Atomic: the day's row is made if missing (an INSERT that does
    nothing when a concurrent request made it), then one conditional UPDATE adds to it."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(
        insert(ApiKeyUsage)
        .values(key_id=key_id, day=day, items=0)
        .on_conflict_do_nothing(index_elements=["key_id", "day"])
    )
    counter: Any = ApiKeyUsage.items
    result = session.execute(
        update(ApiKeyUsage)
        .where(ApiKeyUsage.key_id == key_id, ApiKeyUsage.day == day)  # type: ignore[arg-type]
        .where(counter + items <= limit)
        .values(items=counter + items)
    )
    return result.rowcount == 1  # type: ignore[attr-defined, no-any-return]


def _lock_key(session: Session, key_id: str) -> None:
    """Make the key's admissions queue up until this transaction ends: on PostgreSQL a lock on
    the key's row (FOR NO KEY UPDATE: its usage rows can still be added), on SQLite the
    database's write lock taken at the transaction's start (BEGIN IMMEDIATE), as SQLite locks
    no rows."""
    if session.get_bind().dialect.name == "sqlite":
        session.connection().exec_driver_sql("BEGIN IMMEDIATE")
        return
    session.execute(select(ApiKey.id).where(ApiKey.id == key_id).with_for_update(key_share=True))


def admit_in(
    session: Session, *, caller: Caller, items: int, job: bool, now: datetime | None = None
) -> None:
    """Count `items` against the caller's day (and, for a job, check its jobs running at once)
    in the caller's transaction, which must not have begun yet: for a job it starts by locking
    the key, so one key's jobs at once are admitted one after the other. Raises LimitExceeded (the
    caller then rolls back: a refused request counts nothing). The job itself must be stored
    in the same transaction, or two jobs at once could both take the last slot. Callers
    without a key are not limited."""
    if caller.key_id is None:
        return
    if job:
        _lock_key(session, caller.key_id)
        running = int(session.exec(_active(caller.key_id)).one())  # type: ignore[call-overload]
        if running >= caller.max_concurrent_jobs:
            raise LimitExceeded(
                f"this API key has {running} jobs queued or running, its limit is "
                f"{caller.max_concurrent_jobs}; retry when one ends",
                retry_after=CONCURRENT_RETRY_SECONDS,
            )
    if items > caller.max_items_per_day:
        raise LimitExceeded(
            f"{items} items is more than this API key may send in a day "
            f"({caller.max_items_per_day}); split the work",
            retry_after=None,
            field="items",
        )
    now = now or datetime.now(UTC)
    if not _add_items(session, caller.key_id, now.astimezone(UTC).date(), items,
                      caller.max_items_per_day):  # fmt: skip
        raise LimitExceeded(
            f"this API key's {caller.max_items_per_day} items for today (UTC) would be "
            f"passed by these {items}; the count starts again at midnight UTC",
            retry_after=seconds_to_next_day(now),
            field="items",
        )


def admit(
    *, db: Engine, caller: Caller, items: int, job: bool, now: datetime | None = None
) -> None:
    """`admit_in` in a transaction of its own, committed when admitted: for work that stores
    nothing (batches). A job is admitted in the transaction that stores it (`jobs.store_job`)."""
    with Session(db) as session:
        admit_in(session, caller=caller, items=items, job=job, now=now)
        session.commit()
