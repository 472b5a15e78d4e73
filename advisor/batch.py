"""Batch matching: many profiles in (CSV or JSONL), one record per input row out (JSONL or CSV).

Input
    JSONL: one ProjectProfile object a line (blank lines are skipped).
    CSV:   one profile a row. Nested fields are dotted columns (`capex.amount`, `capex.currency`,
           `development_cost.amount`, `partners.countries`, `city_maturity.governance`,
           `preferences.risk_appetite`, `fiscal.debt_to_revenue`, ...); list fields (`sectors`,
           `revenue_streams`) are `;`-separated; an empty cell means "not given". An optional
           `id` column names the row in the output.
Output, one record per input row, in input order:
    {"row": 3, "id": "...", "ok": true, "advice": {...}}
    {"row": 4, "id": "...", "ok": false, "errors": [{"field": "capex.amount", "message": "..."}]}
    CSV output flattens each record: the top three options, the first mix and the top business
    model.
Resume: records already in OUT are kept and their rows are not matched again; a last line left
half-written by an interruption is dropped first.
"""

import csv
import io
import json
import os
import signal
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import partial
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from advisor import heap
from advisor.detail import Detail, to_json
from advisor.errors import AdvisorError
from advisor.models import Advice, BatchItem, BatchResponse, ItemError, ProjectProfile

LIST_FIELDS = {"sectors", "revenue_streams"}
INT_FIELDS = {"population", "partners.countries", "partners.cities"}
BOOL_FIELDS = {"partners.industry", "partners.research", "preferences.keep_public_ownership"}
FLOAT_SUFFIXES = (".amount",)
FLOAT_FIELDS = {
    "fiscal.debt_to_revenue",
    "fiscal.ppp_payments_share",
    "preferences.max_private_share",
}
CHUNK = 16


@dataclass(frozen=True)
class Row:
    number: int  # 1-based position among the input's records
    ident: str | None
    data: dict[str, Any] | None
    error: str | None = None  # the row could not even be parsed


def _cell(name: str, raw: str) -> Any:
    value = raw.strip()
    if name in LIST_FIELDS:
        return [part.strip() for part in value.split(";") if part.strip()]
    if name in INT_FIELDS:
        return int(value)
    if name in BOOL_FIELDS:
        if value.lower() not in ("true", "false", "1", "0", "yes", "no"):
            raise ValueError(f"{value!r} is not true or false")
        return value.lower() in ("true", "1", "yes")
    if name in FLOAT_FIELDS or name.endswith(FLOAT_SUFFIXES):
        return float(value)
    return value


def _nest(flat: dict[str, str]) -> dict[str, Any]:
    """{"capex.amount": "5"} -> {"capex": {"amount": 5.0}}; empty cells are left out."""
    out: dict[str, Any] = {}
    for name, raw in flat.items():
        if name is None or raw is None or not str(raw).strip() or name == "id":
            continue
        try:
            value = _cell(name, str(raw))
        except ValueError as exc:
            raise ValueError(f"{name}: {exc}") from exc
        target = out
        *parents, leaf = name.split(".")
        for part in parents:
            target = target.setdefault(part, {})
        target[leaf] = value
    return out


def read_rows(path: Path) -> Iterator[Row]:
    """The input's records, numbered from 1; unparseable ones carry their error."""
    if path.suffix.lower() == ".csv":
        with path.open(newline="", encoding="utf-8-sig") as handle:
            for number, flat in enumerate(csv.DictReader(handle), start=1):
                ident = (flat.get("id") or "").strip() or None
                try:
                    yield Row(number, ident, _nest(flat))
                except ValueError as exc:
                    yield Row(number, ident, None, str(exc))
        return
    with path.open(encoding="utf-8") as handle:
        number = 0
        for line in handle:
            if not line.strip():
                continue
            number += 1
            try:
                data = json.loads(line)
            except json.JSONDecodeError as exc:
                yield Row(number, None, None, f"not valid JSON: {exc.msg}")
                continue
            if not isinstance(data, dict):
                yield Row(number, None, None, "a record must be a JSON object")
                continue
            ident = data.pop("id", None)
            yield Row(number, None if ident is None else str(ident), data)


def outcome(
    row: Row, advise_one: Callable[[ProjectProfile], Advice]
) -> tuple[Advice | None, list[dict[str, Any]]]:
    """One row's advice, or its errors (field and message). Never raises for bad input."""
    if row.data is None:
        return None, [{"field": None, "message": row.error}]
    try:
        return advise_one(ProjectProfile.model_validate(row.data)), []
    except ValidationError as exc:
        errors = [
            {"field": ".".join(str(p) for p in e["loc"]) or None,
             "message": e["msg"].removeprefix("Value error, ")}
            for e in exc.errors()
        ]  # fmt: skip
        return None, errors
    except AdvisorError as exc:
        return None, [{"field": exc.field, "message": exc.message}]


def advise_record(
    row: Row, advise_one: Callable[[ProjectProfile], Advice], detail: Detail = "full"
) -> dict[str, Any]:
    """The output record (JSON-ready) for one input row."""
    return json.loads(advise_bytes(row, advise_one, detail)[1])


def advise_line(
    row: Row, advise_one: Callable[[ProjectProfile], Advice], detail: Detail = "full"
) -> tuple[bool, str]:
    """Whether the row was advised on, and its output record as one JSON line (no newline),
    its advice in full or lean (advisor/detail.py)."""
    ok, line = advise_bytes(row, advise_one, detail)
    return ok, line.decode("utf-8")


def advise_bytes(
    row: Row, advise_one: Callable[[ProjectProfile], Advice], detail: Detail = "full"
) -> tuple[bool, bytes]:
    """`advise_line` as UTF-8 bytes: the advice is written by pydantic's own JSON encoder
    (UTF-8 already) straight into the line, never decoded into a str on the way."""
    advice, errors = outcome(row, advise_one)
    head = json.dumps({"row": row.number, "id": row.ident}, ensure_ascii=False)[:-1]
    if advice is None:
        tail = f', "ok": false, "errors": {json.dumps(errors, ensure_ascii=False)}}}'
        return False, (head + tail).encode("utf-8")
    body = to_json(advice, detail)  # full: = model_dump_json(), as bytes
    return True, b"".join((head.encode("utf-8"), b', "ok": true, "advice": ', body, b"}"))


# --- worker processes ---------------------------------------------------------------------

_worker_advise: Callable[[ProjectProfile], Advice] | None = None
_worker_detail: Detail = "full"
# A worker's collector is settled once it has started (advisor/heap.py).


def _init_worker(database_url: str, fresh: bool, detail: Detail = "full") -> None:
    global _worker_advise, _worker_detail
    from advisor.advice import advise
    from advisor.snapshots import snapshot_for

    snapshot = snapshot_for(database_url)
    _worker_advise = lambda profile: advise(profile, snapshot, fresh=fresh)  # noqa: E731
    _worker_detail = detail


def _init_pool_worker(database_url: str, fresh: bool, detail: Detail = "full") -> None:
    # Ctrl-C reaches the whole process group: the parent alone answers it (and ends the pool)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _init_worker(database_url, fresh, detail)
    heap.settle()


@dataclass(frozen=True)
class Chunk:
    """What a worker sends back for a run of rows: their output, ready to append to OUT."""

    data: bytes
    rows: int
    failed: int


def _work(rows: list[Row], as_csv: bool) -> Chunk:
    """The rows' records, in order, as the bytes OUT gets: JSON lines, or CSV rows."""
    assert _worker_advise is not None
    lines = [advise_bytes(row, _worker_advise, _worker_detail) for row in rows]
    failed = sum(not ok for ok, _ in lines)
    if not as_csv:
        return Chunk(b"\n".join(line for _, line in lines) + b"\n", len(rows), failed)
    text = io.StringIO(newline="")
    writer = csv.DictWriter(text, fieldnames=CSV_COLUMNS)
    for _, line in lines:
        writer.writerow(flatten(json.loads(line)))
    return Chunk(text.getvalue().encode("utf-8"), len(rows), failed)


# --- output -------------------------------------------------------------------------------

CSV_COLUMNS = [
    "row", "id", "ok", "error",
    *[f"option_{i}_{k}" for i in (1, 2, 3) for k in ("id", "score", "max_amount")],
    "mix_label", "mix_funded", "mix_gap", "mix_components",
    "business_model", "currency", "as_of", "catalogue_revision",
]  # fmt: skip


def flatten(record: dict[str, Any]) -> dict[str, Any]:
    """One CSV row for one output record."""
    flat: dict[str, Any] = dict.fromkeys(CSV_COLUMNS, "")
    flat.update(row=record["row"], id=record.get("id") or "", ok=record["ok"])
    if not record["ok"]:
        flat["error"] = "; ".join(
            f"{e['field']}: {e['message']}" if e.get("field") else e["message"]
            for e in record["errors"]
        )
        return flat
    advice = record["advice"]
    for i, option in enumerate(advice["options"][:3], start=1):
        flat[f"option_{i}_id"] = option["instrument_id"]
        flat[f"option_{i}_score"] = option["score"]
        amount = option.get("max_amount")
        flat[f"option_{i}_max_amount"] = amount["amount"] if amount else ""
    if advice["mixes"]:
        mix = advice["mixes"][0]
        flat.update(
            mix_label=mix["label"],
            mix_funded=mix["funded"]["amount"],
            mix_gap=mix["gap"]["amount"],
            mix_components="; ".join(
                f"{c['instrument_id']}={c['amount']['amount']}" for c in mix["components"]
            ),
        )
    if advice["business_models"]:
        flat["business_model"] = advice["business_models"][0]["id"]
    flat.update(
        currency=advice["currency"],
        as_of=advice["as_of"],
        catalogue_revision=advice["catalogue_revision"],
    )
    return flat


def _done_rows(out: Path, as_csv: bool) -> set[int]:
    """Rows already written to OUT, after dropping a half-written last line."""
    if not out.exists() or out.stat().st_size == 0:
        return set()
    data = out.read_bytes()
    if not data.endswith(b"\n"):
        cut = data.rfind(b"\n") + 1
        with out.open("r+b") as handle:
            handle.truncate(cut)
        data = data[:cut]
    text = data.decode("utf-8")
    if as_csv:
        return {int(r["row"]) for r in csv.DictReader(io.StringIO(text)) if r.get("row")}
    done = set()
    for line in text.splitlines():
        if line.strip():
            done.add(int(json.loads(line)["row"]))
    return done


def rows_done(out: Path) -> int:
    """How many rows OUT holds (a half-written last line is dropped first, as on resume)."""
    return len(_done_rows(out, out.suffix.lower() == ".csv"))


@dataclass
class Summary:
    total: int = 0
    written: int = 0
    skipped: int = 0
    failed: int = 0


def run_batch(
    source: Path,
    out: Path,
    *,
    database_url: str,
    workers: int = 1,
    resume: bool = True,
    fresh: bool = False,
    progress: Callable[[int], None] | None = None,
    detail: Detail = "full",
) -> Summary:
    """Match every row of `source` into `out`; see the module docstring for the formats.
    The advice is in full unless `detail="lean"` (advisor/detail.py)."""
    as_csv = out.suffix.lower() == ".csv"
    if not resume and out.exists():
        out.unlink()
    done = _done_rows(out, as_csv) if resume else set()
    rows = list(read_rows(source))
    todo = [row for row in rows if row.number not in done]
    summary = Summary(total=len(rows), skipped=len(rows) - len(todo))
    if progress and summary.skipped:
        progress(summary.skipped)  # a resumed run's progress counts the rows already done
    new_file = not out.exists() or out.stat().st_size == 0
    with out.open("ab") as handle:
        if as_csv and new_file:
            header = io.StringIO(newline="")
            csv.DictWriter(header, fieldnames=CSV_COLUMNS).writeheader()
            handle.write(header.getvalue().encode("utf-8"))
        for chunk in _results(todo, database_url, workers, fresh, detail, as_csv):
            handle.write(chunk.data)
            handle.flush()
            summary.written += chunk.rows
            summary.failed += chunk.failed
            if progress:
                progress(chunk.rows)
        os.fsync(handle.fileno())
    return summary


def _results(
    rows: list[Row],
    database_url: str,
    workers: int,
    fresh: bool,
    detail: Detail = "full",
    as_csv: bool = False,
) -> Iterable[Chunk]:
    """The rows' output, CHUNK rows at a time, in input order. Worker processes send back
    bytes only (one `Chunk` per CHUNK rows): this process just appends them to OUT."""
    if not rows:
        return
    chunks = [rows[i : i + CHUNK] for i in range(0, len(rows), CHUNK)]
    if workers <= 1:
        _init_worker(database_url, fresh, detail)
        previous = heap.settle()  # as in a worker process, and given back when done
        try:
            yield from (_work(chunk, as_csv) for chunk in chunks)
        finally:
            heap.restore(previous)
        return
    context = get_context("spawn")  # no inherited engine or database connection
    init = (database_url, fresh, detail)
    with context.Pool(workers, initializer=_init_pool_worker, initargs=init) as pool:
        yield from pool.imap(partial(_work, as_csv=as_csv), chunks)


def advise_items(
    items: list[dict[str, Any]], advise_one: Callable[[ProjectProfile], Advice]
) -> BatchResponse:
    """The API's batch: every item advised on or answered with its errors, in order."""
    results = []
    for index, item in enumerate(items):
        data = dict(item)
        ident = data.pop("id", None)
        row = Row(index + 1, None if ident is None else str(ident), data)
        advice, errors = outcome(row, advise_one)
        results.append(
            BatchItem(
                index=index,
                id=row.ident,
                ok=advice is not None,
                advice=advice,
                errors=[ItemError(**e) for e in errors],
            )
        )
    failed = sum(not r.ok for r in results)
    return BatchResponse(results=results, count=len(results), failed=failed)
