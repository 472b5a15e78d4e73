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
function of the full answer: `lean_data(full)` gives the same JSON as `lean(advice)` dumped, so
a stored full answer (decision records keep the full one) gives back, byte for byte, the lean
answer that was sent.

Files for analysis keep full detail: `advisor batch` and `advisor match` output, portfolio
job results (JSONL, CSV, workbook) and the reports of a decision record.
"""

import json
from typing import Any, Literal

from advisor.models import Advice

Detail = Literal["lean", "full"]
DEFAULT: Detail = "lean"
DECISIVE = 1  # how many of an excluded instrument's reasons a lean answer keeps


def lean(advice: Advice) -> Advice:
    """The lean form of an advice (see the module docstring)."""
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


def dumps(data: dict[str, Any]) -> bytes:
    """Response bytes, exactly as the API's JSON responses render them (starlette's
    JSONResponse: UTF-8, no ASCII escaping, compact separators)."""
    return json.dumps(
        data, ensure_ascii=False, allow_nan=False, indent=None, separators=(",", ":")
    ).encode("utf-8")


def as_detail(full_body: bytes, detail: Detail) -> bytes:
    """A full answer's bytes (as `dumps` wrote them) in the form `detail` asks for."""
    if detail == "full":
        return full_body
    return dumps(lean_data(json.loads(full_body)))
