"""How much of the why-not an answer carries over HTTP: `lean` (the default) or `full`.

The engine and `advise()` always produce the full advice: every excluded instrument with every
hard criterion it failed. A front end rarely shows more than one line per excluded instrument,
and those criteria were most of a response's bytes (about 60 excluded instruments on the
shipped catalogue), so the HTTP answers (`POST /v1/match`, the items of `POST /v1/match/batch`,
`GET /v1/advice/{id}`) are lean unless the caller asks `?detail=full`.

**The decisive reason** of an excluded instrument is the first entry of its `reasons`: the
first hard criterion it failed, in the order the advice lists them (the order the rule packs
record their findings; a closed instrument's note naming its successor always comes last). For
a near miss it is the one criterion failed, the one `would_qualify_if` says how to meet.

A lean `excluded` entry keeps `instrument_id`, `name`, `near_miss`, `would_qualify_if`,
`successor` and, in `reasons`, the decisive reason alone (a list of one, so the shape of the
contract does not change); everything else in the answer is as in the full one. Lean is a
function of the full answer: `as_detail(full bytes, "lean")` gives the same bytes as
`to_json(advice, "lean")`, so a stored full answer (decision records keep the full one) gives
back, byte for byte, the lean answer that was sent.

Both forms are written by pydantic's serialiser (about three times as fast here as
`json.dumps` of `model_dump`), the lean one by leaving the other reasons out as it writes. Where
the full answer is written anyway (it is kept as the decision record), `lean_of` cuts the lean
one out of its bytes instead: the other reasons of an excluded instrument are one run of bytes,
from the end of its first reason to the end of its `reasons`, and both ends are found by byte
patterns that only the JSON's structure can hold (inside a JSON string every `"` is escaped).
Cutting takes about a third of the time of writing the lean answer (0.24 against 0.65 ms an
answer, bench/packing.py on the shipped catalogue), and gives the same bytes, which the tests
check on random profiles; an answer whose bytes are not as expected is written again instead.

Files for analysis keep full detail: `advisor batch` and `advisor match` output, portfolio
job results (JSONL, CSV, workbook) and the reports of a decision record.
"""

import json
from typing import Any, Literal

import pydantic_core
from pydantic import TypeAdapter

from advisor.models import Advice

Detail = Literal["lean", "full"]
DEFAULT: Detail = "lean"
DECISIVE = 1  # how many of an excluded instrument's reasons a lean answer keeps
ADVICE = TypeAdapter(Advice)


def _others(advice: Advice) -> dict[str, Any]:
    """What the lean form leaves out, as pydantic's `exclude`: every reason of an excluded
    instrument after its decisive one."""
    cut: dict[int, dict[str, set[int]]] = {}
    by_count: dict[int, dict[str, set[int]]] = {}  # one entry per number of reasons, shared
    for i, e in enumerate(advice.excluded):
        count = len(e.reasons)
        if count > DECISIVE:
            spec = by_count.get(count)
            if spec is None:
                spec = by_count[count] = {"reasons": set(range(DECISIVE, count))}
            cut[i] = spec
    return {"excluded": cut} if cut else {}


def to_json(advice: Advice, detail: Detail = "full") -> bytes:
    """The advice as response bytes (pydantic's JSON: UTF-8, compact), lean or full."""
    if detail == "full":
        return ADVICE.dump_json(advice)
    return ADVICE.dump_json(advice, exclude=_others(advice) or None)


_EXCLUDED = b'"excluded":['  # the key opens the list; no other model has a field of that name
_NEXT_REASON = b'},{"rule":'  # one Reason ends and the next begins (Reason's first field)
_REASONS_END = b'],"near_miss":'  # an Excluded's `reasons` ends (its next field is near_miss)


def lean_of(full: bytes, advice: Advice) -> bytes:
    """`to_json(advice, "lean")` cut out of `full`, which is `to_json(advice)` (see the module
    docstring): for each excluded instrument with more than one reason, the bytes from the end
    of its first reason to the end of its `reasons` are left out. If the cuts found are not one
    per such instrument, the lean answer is written by the serialiser instead."""
    expected = sum(1 for e in advice.excluded if len(e.reasons) > DECISIVE)
    if not expected:
        return full
    if DECISIVE != 1:  # the cut keeps each instrument's first reason alone
        return to_json(advice, "lean")
    start, stop = full.find(_EXCLUDED), full.rfind(_REASONS_END)
    parts: list[bytes] = []
    kept = 0  # the bytes before `kept` are in `parts`
    at = start
    find = full.find
    while 0 <= at < stop:
        cut = find(_NEXT_REASON, at, stop)
        if cut < 0:
            break
        at = find(_REASONS_END, cut)  # the end of that instrument's reasons
        parts.append(full[kept : cut + 1])  # up to and with the first reason's closing brace
        kept = at
    if len(parts) != expected:
        return to_json(advice, "lean")
    parts.append(full[kept:])
    return b"".join(parts)


def lean(advice: Advice) -> Advice:
    """The lean form of an advice as a model (see the module docstring)."""
    return advice.model_copy(
        update={
            "excluded": [
                e.model_copy(update={"reasons": e.reasons[:DECISIVE]}) for e in advice.excluded
            ]
        }
    )


def lean_data(data: dict[str, Any]) -> dict[str, Any]:
    """The lean form of an advice already in JSON form (a new dict; `data` is not changed)."""
    excluded = data.get("excluded")
    if not excluded:
        return data
    out = dict(data)
    out["excluded"] = [{**e, "reasons": e.get("reasons", [])[:DECISIVE]} for e in excluded]
    return out


def as_detail(full_body: bytes, detail: Detail) -> bytes:
    """A full answer's bytes (as `to_json` wrote them) in the form `detail` asks for: for the
    same advice, `as_detail(to_json(a), "lean") == to_json(a, "lean")`. It reads the JSON, not
    the model, so an answer kept under an older version of the model still reads back."""
    if detail == "full":
        return full_body
    return pydantic_core.to_json(lean_data(json.loads(full_body)))
