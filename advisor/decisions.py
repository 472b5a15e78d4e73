"""Decision records: every advice the API gives, kept with what it rested on.

`advice_record` holds one row per answer: the profile as sent, the catalogue revision, the
ruleset version, `as_of` (and whether the caller gave it), when it was made, who asked (`owner`,
an API key id, or None when keys are off) and the exact bytes of the full answer (every
criterion, as `?detail=full` sends it), compressed (advisor/packing.py), so that
`GET /v1/advice/{id}` returns the answer byte for byte: `?detail=full` the full one, by default the
lean one (advisor/detail.py), which is a function of the full one. `advice_catalogue` keeps,
once per catalogue revision, the instrument and business-model records that revision held
(compressed), so a recheck can name the field of a record that changed since.

Batch items are decisions too: the batch process makes each item's `Made` (id, packed profile
and the item's advice bytes exactly as the response carries them) and hands them back with the
body; the server's keeper writes them in one transaction, after the response is on its way.

Access: a reader `owner=None` sees every record (auth off). A reader with a key sees the
records made without a key and those made with that key; to anyone else a keyed record does not
exist (404, so ids cannot be probed).
"""

import hashlib
import json
import threading
import zlib
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import suppress
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Engine, LargeBinary, insert
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlmodel import Field, Session, SQLModel

from advisor import logs, packing
from advisor.advice import SHORT_LIST, advise
from advisor.advice_ids import ADVICE_ID, look_until_made, new_id
from advisor.detail import DEFAULT, Detail, as_detail, lean_of, to_json
from advisor.errors import NotFound
from advisor.models import Advice, ProjectProfile
from catalogue.schema import dump
from catalogue.snapshot import Snapshot


class AdviceRecordBase(SQLModel):
    id: str = Field(primary_key=True, max_length=32)
    created_at: datetime
    as_of: date
    as_of_given: bool
    catalogue_revision: str = Field(max_length=64, index=True)
    ruleset_version: str = Field(max_length=32)
    owner: str | None = Field(default=None, max_length=64, index=True)


class AdviceRecord(AdviceRecordBase, table=True):
    __tablename__ = "advice_record"

    profile: bytes = Field(sa_type=LargeBinary)  # compressed JSON, as the caller sent it
    body: bytes = Field(sa_type=LargeBinary)  # compressed response bytes, exactly as sent


class AdviceCatalogue(SQLModel, table=True):
    """The records one catalogue revision held, kept once for the decisions made on it."""

    __tablename__ = "advice_catalogue"

    revision: str = Field(primary_key=True, max_length=64)
    records: bytes = Field(sa_type=LargeBinary)  # compressed {"instruments": {id: record}, ...}
    created_at: datetime


@dataclass(frozen=True)
class Made:
    """A decision made away from the keeper (in a batch process), packed, ready to store."""

    advice_id: str
    profile: bytes  # packed JSON of the profile as sent (fields given)
    body: bytes  # packed answer bytes, exactly as given
    catalogue_revision: str
    ruleset_version: str
    as_of: date
    as_of_given: bool


def made(profile: ProjectProfile, advice: Advice, body: bytes) -> Made:
    """The record of `advice` (which carries its `advice_id`), given as `body`."""
    return Made(
        advice_id=advice.advice_id or "", profile=pack_profile(profile), body=pack(body),
        catalogue_revision=advice.catalogue_revision, ruleset_version=advice.ruleset_version,
        as_of=advice.as_of, as_of_given=profile.as_of is not None,
    )  # fmt: skip


def pack(data: bytes) -> bytes:
    return packing.pack(data)


def unpack(data: bytes) -> bytes:
    return packing.unpack(data)


def pack_profile(profile: ProjectProfile) -> bytes:
    """The profile as the caller sent it (fields given, no defaults), packed."""
    data = profile.model_dump(mode="json", exclude_unset=True)
    return pack(json.dumps(data, separators=(",", ":")).encode())


def catalogue_records(snapshot: Snapshot) -> dict[str, dict[str, Any]]:
    """{"instruments": {id: record}, "business_models": {id: record}} of a snapshot."""
    return {
        "instruments": {r.id: dump(r) for r in snapshot.instruments},
        "business_models": {m.id: dump(m) for m in snapshot.business_models},
    }


def record_hash(record: dict[str, Any]) -> str:
    text = json.dumps(record, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


class Keeper:
    """Stores decisions for one database, off the request path: one writer thread takes them
    in order, those queued meanwhile in one transaction; a read of an id still being written
    waits for it. Remembers which revisions' records it has already kept."""

    def __init__(self, db: Engine) -> None:
        self.db = db
        self._kept_revisions: set[str] = set()
        self._writer = ThreadPoolExecutor(1, thread_name_prefix="advisor-records")
        self._pending: dict[str, Future[None]] = {}
        self._queued: list[dict[str, Any]] = []  # submitted, not yet taken by the writer
        self._queue_future: Future[None] = Future()  # the write that will take them
        self._lock = threading.Lock()

    def submit(self, **record: Any) -> None:
        """Keep a decision (the arguments of `keep`). The writer takes every decision queued
        when it gets to them and writes them in one transaction, so under load a commit
        serves many answers; a read of any of them waits for that transaction."""
        advice_id = record["advice_id"]
        record["created_at"] = datetime.now(UTC)  # when answered, not when written
        with self._lock:
            if not self._queued:
                self._queue_future = self._writer.submit(self._keep_queued)
            self._queued.append(record)
            self._pending[advice_id] = self._queue_future

    def submit_made(self, made: list[Made], *, owner: str | None, snapshot: Snapshot) -> None:
        """Store a batch's decisions in one transaction on the writer thread; reads of any of
        them wait for it."""
        if not made:
            return
        ids = [m.advice_id for m in made]
        with self._lock:
            future = self._writer.submit(self._keep_made_logged, made, owner, snapshot)
            for advice_id in ids:
                self._pending[advice_id] = future
        future.add_done_callback(lambda _f: self._forget(*ids))

    def _keep_made_logged(self, made: list[Made], owner: str | None, snapshot: Snapshot) -> None:
        try:
            self.keep_made(made, owner=owner, snapshot=snapshot)
        except SQLAlchemyError as exc:  # the answers were given; losing their records is logged
            logs.event(
                "advice_not_kept", advice_id=made[0].advice_id, items=len(made),
                error=str(exc)[:300],
            )  # fmt: skip

    def keep_made(self, made: list[Made], *, owner: str | None, snapshot: Snapshot) -> None:
        """Store decisions made elsewhere, in one transaction; and the catalogue records of
        `snapshot` if the decisions were made on its revision (the batch process follows the
        catalogue as the server does: they differ only for a moment after a change, and a
        recheck then names changes without the record's old fields)."""
        now = datetime.now(UTC)
        rows = [{**asdict(m), "id": m.advice_id, "created_at": now, "owner": owner} for m in made]
        for row in rows:
            del row["advice_id"]
        self._insert(rows)
        for revision in sorted({m.catalogue_revision for m in made}):
            if revision == snapshot.revision:
                self._keep_catalogue(snapshot)
            else:
                logs.event("advice_catalogue_not_kept", revision=revision, now=snapshot.revision)

    def _forget(self, *advice_ids: str) -> None:
        with self._lock:
            for advice_id in advice_ids:
                self._pending.pop(advice_id, None)

    def _keep_queued(self) -> None:
        with self._lock:
            records, self._queued = self._queued, []
        try:
            try:
                self.keep_many(records)
            except SQLAlchemyError:  # write them one by one: one bad record loses only itself
                if len(records) == 1:
                    raise
                for record in records:
                    self._keep_logged(record)
        except SQLAlchemyError as exc:  # the answer was given; losing its record is logged
            logs.event("advice_not_kept", advice_id=records[0]["advice_id"], error=str(exc)[:300])
        finally:
            self._forget(*(r["advice_id"] for r in records))

    def _keep_logged(self, record: dict[str, Any]) -> None:
        try:
            self.keep_many([record])
        except SQLAlchemyError as exc:
            logs.event("advice_not_kept", advice_id=record["advice_id"], error=str(exc)[:300])

    def keep_many(self, records: list[dict[str, Any]]) -> None:
        """Store decisions (each with the arguments of `keep` and its `created_at`) in one
        transaction, and the catalogue records of the revisions they were made on."""
        rows = [
            {
                "id": r["advice_id"], "created_at": r["created_at"], "as_of": r["as_of"],
                "as_of_given": r["as_of_given"], "catalogue_revision": r["snapshot"].revision,
                "ruleset_version": r["ruleset_version"], "owner": r["owner"],
                "profile": pack(json.dumps(r["profile"], separators=(",", ":")).encode()),
                "body": pack(r["body"]),
            }
            for r in records
        ]  # fmt: skip
        self._insert(rows)
        for snapshot in {r["snapshot"].revision: r["snapshot"] for r in records}.values():
            try:
                self._keep_catalogue(snapshot)
            except SQLAlchemyError as exc:  # the decisions are kept; a recheck names less
                logs.event("advice_catalogue_not_kept", revision=snapshot.revision,
                           error=str(exc)[:300])  # fmt: skip

    def _insert(self, rows: list[dict[str, Any]]) -> None:
        """Insert decision rows in one transaction: a plain INSERT on a connection (the ORM
        session added ~0.3 ms per commit and nothing these rows need)."""
        with self.db.begin() as connection:
            connection.execute(insert(AdviceRecord.__table__), rows)  # type: ignore[arg-type]

    def wait(self, advice_id: str, timeout: float = 10.0) -> None:
        """Until `advice_id`, if this process is still writing it, is written."""
        with self._lock:
            future = self._pending.get(advice_id)
        if future is not None:
            with suppress(Exception):
                future.result(timeout=timeout)

    def flush(self, timeout: float = 30.0) -> None:
        with self._lock:
            futures = set(self._pending.values())
        for future in futures:
            with suppress(Exception):
                future.result(timeout=timeout)

    def close(self) -> None:
        self._writer.shutdown(wait=True)

    def keep(
        self,
        *,
        advice_id: str,
        profile: dict[str, Any],
        body: bytes,
        snapshot: Snapshot,
        ruleset_version: str,
        as_of: date,
        as_of_given: bool,
        owner: str | None,
    ) -> None:
        """Store one decision now, on the calling thread. `body` is the full answer's bytes."""
        self.keep_many(
            [
                {
                    "advice_id": advice_id, "created_at": datetime.now(UTC), "profile": profile,
                    "body": body, "snapshot": snapshot, "ruleset_version": ruleset_version,
                    "as_of": as_of, "as_of_given": as_of_given, "owner": owner,
                }
            ]
        )  # fmt: skip

    def _keep_catalogue(self, snapshot: Snapshot) -> None:
        if snapshot.revision in self._kept_revisions:
            return
        with Session(self.db) as session:
            if session.get(AdviceCatalogue, snapshot.revision) is None:
                data = json.dumps(catalogue_records(snapshot), separators=(",", ":")).encode()
                session.add(
                    AdviceCatalogue(
                        revision=snapshot.revision,
                        records=zlib.compress(data, 6),
                        created_at=datetime.now(UTC),
                    )
                )
                try:
                    session.commit()
                except IntegrityError:  # another process kept it first
                    session.rollback()
        self._kept_revisions.add(snapshot.revision)


def answer(
    profile: ProjectProfile,
    snapshot: Snapshot,
    *,
    keeper: Keeper | None,
    owner: str | None = None,
    limit: int = SHORT_LIST,
    fresh: bool = False,
    detail: Detail = DEFAULT,
) -> bytes:
    """The /v1/match answer as response bytes, lean or full (advisor/detail.py); with a
    keeper, it carries an `advice_id` and its full form is kept (stored by the keeper's thread,
    after the answer is on its way): `GET /v1/advice/{id}` gives back either form. The full
    answer is serialised here either way, and a lean one cut out of its bytes (`lean_of`)."""
    advice = advise(profile, snapshot, fresh=fresh, limit=limit)
    if keeper is None:
        return to_json(advice, detail)
    advice_id = new_id()
    advice = advice.model_copy(update={"advice_id": advice_id})
    full = to_json(advice)
    keeper.submit(
        advice_id=advice_id, profile=profile.model_dump(mode="json", exclude_unset=True),
        body=full, snapshot=snapshot, ruleset_version=advice.ruleset_version,
        as_of=advice.as_of, as_of_given=profile.as_of is not None, owner=owner,
    )  # fmt: skip
    return full if detail == "full" else lean_of(full, advice)


def get_record(
    *, db: Engine, advice_id: str, owner: str | None = None, keeper: Keeper | None = None
) -> AdviceRecord:
    """The stored decision, if it exists and `owner` may see it (None: access is open; a key
    sees the records without an owner and its own). A brand-new id made by another process is
    looked for until its record has had time to arrive (advisor/advice_ids.py)."""
    row = None
    if keeper is not None and ADVICE_ID.fullmatch(advice_id):
        keeper.wait(advice_id)

    def look() -> AdviceRecord | None:
        with Session(db) as session:
            return session.get(AdviceRecord, advice_id)

    if ADVICE_ID.fullmatch(advice_id):
        row = look_until_made(advice_id, look)
    if row is None or (owner is not None and row.owner not in (None, owner)):
        raise NotFound(f"no advice with id {advice_id[:64]!r}", field="advice_id")
    return row


def get_body(
    *,
    db: Engine,
    advice_id: str,
    owner: str | None = None,
    keeper: Keeper | None = None,
    detail: Detail = "full",
) -> bytes:
    """The answer exactly as it was given: in full (as kept), or lean (byte for byte the lean
    answer /v1/match sent)."""
    body = unpack(get_record(db=db, advice_id=advice_id, owner=owner, keeper=keeper).body)
    return as_detail(body, detail)


def get_profile(record: AdviceRecord) -> dict[str, Any]:
    return json.loads(unpack(record.profile))


def old_catalogue(*, db: Engine, revision: str) -> dict[str, dict[str, Any]] | None:
    """The records a past revision held, when a decision made on it kept them."""
    with Session(db) as session:
        row = session.get(AdviceCatalogue, revision)
    return json.loads(zlib.decompress(row.records)) if row else None


def all_ids(*, db: Engine) -> list[str]:
    from sqlmodel import select

    with Session(db) as session:
        return list(session.exec(select(AdviceRecord.id).order_by(AdviceRecord.created_at)).all())
