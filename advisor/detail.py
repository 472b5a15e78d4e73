"""How much of the reasoning an answer carries over HTTP: `lean` (the default) or `full`.

The engine and `advise()` always produce the full advice: every excluded instrument with every
hard criterion it failed, each reason with its criterion record (`test`, `value`, `threshold`,
`passed`). A front end rarely shows more than one line per excluded instrument, and those
criteria were most of a response's bytes (some 150 excluded instruments on the shipped
catalogue), so the HTTP answers (`POST /v1/match`, the items of `POST /v1/match/batch`,
`GET /v1/advice/{id}`) are lean unless the caller asks `?detail=full`.

**The decisive reason** of an excluded instrument is the first entry of its `reasons`: the
first hard criterion it failed, in the order the advice lists them (the order the rule packs
record their findings; a closed instrument's note naming its successor always comes last). For
a near miss it is the one criterion failed, the one `would_qualify_if` says how to meet.

A lean answer differs from the full one in two ways, and nowhere else:

- a lean `excluded` entry keeps `instrument_id`, `name`, `near_miss`, `would_qualify_if`,
  `successor` and, in `reasons`, the decisive reason alone (a list of one, so the shape of the
  contract does not change);
- every reason in it (of an option, its cautions and amount basis, of an instrument to check,
  of a business model and its cautions, the decisive reason of an excluded one) is the
  contract's `{"rule", "text", "source"}`: the criterion record is left out. The text already
  says what was tested against what; outside `excluded` the record is mostly empty (null), but
  for some business models' cautions.

Lean is a function of the full answer: `as_detail(full bytes, "lean")` gives the same bytes as
`to_json(advice, "lean")`, so a stored full answer (decision records keep the full one) gives
back, byte for byte, the lean answer that was sent. Both forms are written by pydantic's
serialiser (about three times as fast here as `json.dumps` of `model_dump`), the lean one by
leaving out what it does not carry as it writes; where the full answer is written anyway (it is
kept as the decision record), `lean_of` cuts the lean one out of its bytes instead.

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

CRITERION = frozenset({"test", "value", "threshold", "passed"})  # a Reason's criterion record
# Where reasons are, outside `excluded`: per list of the answer, its entries' fields that hold
# a list of reasons or one (`amount_basis`). The three ways of making a lean answer read this.
REASON_FIELDS: dict[str, tuple[str, ...]] = {
    "options": ("reasons", "cautions", "amount_basis"),
    "to_check": ("reasons",),
    "business_models": ("reasons", "cautions"),
}
ONE_REASON = frozenset({"amount_basis"})
# The same as pydantic's `exclude` (every entry alike: "__all__")
_ELSEWHERE: dict[str, Any] = {
    key: {
        "__all__": {
            field: CRITERION if field in ONE_REASON else {"__all__": CRITERION} for field in fields
        }
    }
    for key, fields in REASON_FIELDS.items()
}
_KEPT: dict[int, dict[str, Any]] = {}  # per number of reasons, what an excluded entry leaves out


def _excluded_spec(count: int) -> dict[str, Any]:
    """pydantic's `exclude` for an excluded instrument with `count` reasons: the criterion
    record of the ones kept, and every reason after them. (Each index is named: an "__all__"
    over the entries would be merged with these and drop the reasons of short entries.)"""
    spec = _KEPT.get(count)
    if spec is None:
        reasons: dict[int, Any] = {i: (CRITERION if i < DECISIVE else True) for i in range(count)}
        spec = _KEPT[count] = {"reasons": reasons}
    return spec


def _lean_exclude(advice: Advice) -> dict[str, Any]:
    excluded = {i: _excluded_spec(len(e.reasons)) for i, e in enumerate(advice.excluded)}
    return {**_ELSEWHERE, "excluded": excluded} if excluded else _ELSEWHERE


def to_json(advice: Advice, detail: Detail = "full") -> bytes:
    """The advice as response bytes (pydantic's JSON: UTF-8, compact), lean or full."""
    if detail == "full":
        return ADVICE.dump_json(advice)
    return ADVICE.dump_json(advice, exclude=_lean_exclude(advice))


_NULLS = b',"test":null,"value":null,"threshold":null,"passed":null}'  # an empty record
_TEST = b',"test":'  # a criterion record begins (only Reason has a field of that name)
_PASSED = b',"passed":'  # its last field: a literal (true, false, null), then the Reason's }
_EXCLUDED = b'"excluded":['  # the key opens the list; no other model has a field of that name
_REASONS_END = b'],"near_miss":'  # an Excluded's `reasons` ends (its next field is near_miss)


def _records_out(part: bytes, parts: list[bytes]) -> int:
    """`part` with every Reason's criterion record left out, appended to `parts`; how many
    records it left out."""
    count = part.count(_NULLS)
    part = part.replace(_NULLS, b"}")
    find = part.find
    kept = 0
    at = find(_TEST)
    while at >= 0:
        end = find(b"}", find(_PASSED, at))
        parts.append(part[kept:at])
        kept = end
        count += 1
        at = find(_TEST, end)
    parts.append(part[kept:])
    return count


def _reasons_outside_excluded(advice: Advice) -> int:
    count = 0
    for key, fields in REASON_FIELDS.items():
        for entry in getattr(advice, key):
            for field in fields:
                value = getattr(entry, field)
                count += (value is not None) if field in ONE_REASON else len(value)
    return count


def lean_of(full: bytes, advice: Advice) -> bytes:
    """`to_json(advice, "lean")` cut out of `full`, which is `to_json(advice)`: where /v1/match
    writes the full answer anyway (it is kept as the decision record), cutting takes about a
    quarter of the time of writing the lean answer (bench/packing.py).

    The cuts are found by byte patterns only the JSON's structure can hold (inside a JSON
    string every `"` is escaped): a Reason's criterion record runs from `,"test":` to the `}`
    after `,"passed":` (whose value is a literal), and an excluded instrument's first reason is
    followed, up to `],"near_miss":`, by the reasons the lean form leaves out. If the cuts
    found are not one per reason of the advice, the lean answer is written instead."""
    if DECISIVE != 1 or not advice.excluded:  # the cut keeps each instrument's first reason
        return to_json(advice, "lean")
    start, stop = full.find(_EXCLUDED), full.rfind(_REASONS_END)
    if start < 0 or stop < start:
        return to_json(advice, "lean")
    parts: list[bytes] = []
    outside = _records_out(full[:start], parts)
    find = full.find
    kept = start  # the bytes before `kept` are in `parts`
    for _ in advice.excluded:
        at = find(_TEST, kept, stop)  # the first reason's record
        passed = find(_PASSED, at) if at >= 0 else -1
        end = find(b"}", passed) if passed >= 0 else -1  # the first reason's end
        reasons_end = find(_REASONS_END, end) if end >= 0 else -1
        if reasons_end < 0:
            return to_json(advice, "lean")
        parts.append(full[kept:at])
        parts.append(b"}")
        kept = reasons_end
    if kept != stop:
        return to_json(advice, "lean")
    outside += _records_out(full[stop:], parts)
    if outside != _reasons_outside_excluded(advice):
        return to_json(advice, "lean")
    return b"".join(parts)


def _plain(reason: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in reason.items() if k not in CRITERION}


def _plain_all(entry: dict[str, Any], *fields: str) -> dict[str, Any]:
    out = dict(entry)
    for field in fields:
        value = out.get(field)
        if isinstance(value, list):
            out[field] = [_plain(r) for r in value]
        elif isinstance(value, dict):
            out[field] = _plain(value)
    return out


def lean_data(data: dict[str, Any]) -> dict[str, Any]:
    """The lean form of an advice already in JSON form (a new dict; `data` is not changed)."""
    out = dict(data)
    for key, fields in REASON_FIELDS.items():
        if isinstance(out.get(key), list):
            out[key] = [_plain_all(entry, *fields) for entry in out[key]]
    if isinstance(out.get("excluded"), list):
        out["excluded"] = [
            {**e, "reasons": [_plain(r) for r in e.get("reasons", [])[:DECISIVE]]}
            for e in out["excluded"]
        ]
    return out


def as_detail(full_body: bytes, detail: Detail) -> bytes:
    """A full answer's bytes (as `to_json` wrote them) in the form `detail` asks for: for the
    same advice, `as_detail(to_json(a), "lean") == to_json(a, "lean")`. It reads the JSON, not
    the model, so an answer kept under an older version of the model still reads back."""
    if detail == "full":
        return full_body
    return pydantic_core.to_json(lean_data(json.loads(full_body)))
