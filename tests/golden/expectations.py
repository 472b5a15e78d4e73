"""The golden cases' expectation language, and the catalogue ids its keys may name.

Each case in tests/golden/cases.yaml and tests/golden/holdout.yaml answers through
POST /v1/match. Its expectation keys name instruments or business models, and each key's VALUE
is the citation of the rule that decides it (a clause, or a seed line), so that every
expectation cites its rule:

- `forbid: {id: why}`: in `excluded` with a sourced reason; never in options, to_check,
  also_eligible or any mix.
- `not_in_mix: {id: why}`: in no mix and not in options (it may sit in to_check or excluded).
- `expect_options` / `expect_to_check: {id: why}`: in options / in to_check.
- `expect_eligible: {id: why}`: eligible and confirmed, in options or also_eligible (an
  instrument the law lets the project use but that funds none of the costs the profile gives).
- `expect_top3` / `expect_top5: {id: why}`: among the first 3 / 5 options and scored strictly
  above the option ranked 4th / 6th when there is one (never decided by a tie-break).
- `amount_at_most` / `amount_at_least: {id: {amount, currency, why}}`: the option's (or to_check
  entry's) max_amount; `amount_at_least` requires the option to be there.
- `expect_phase: {id: {phase, why}}`: the phase the option finances.
- `expect_business_models_top3` / `_top5: {id: why}`; `not_first_business_model: {id: why}`.
- `expect_reason_source: {id: {any_of: [...], why}}`: some reason of the option cites one of
  these legal sources.
- `debt_at_most_share: {share, why}`: in every mix, loans and enterprise bonds fund at most this
  share of capex + development cost (China's project-capital rule).
- `max_options: N` (at most 10).

tests/advisor/test_golden.py checks the case files against this language;
tests/advisor/test_golden_answers.py checks the engine's answers against the cases.
"""

from pathlib import Path
from typing import Any

import yaml

from tests.golden import composition

CATALOGUE = Path(__file__).parent.parent.parent / "catalogue" / "data"
CASES = [(name, case) for name, case in composition.all_cases()]

INSTRUMENTS = {
    record["id"]: record
    for path in sorted((CATALOGUE / "instruments").glob("*.yaml"))
    for record in yaml.safe_load(path.read_text(encoding="utf-8"))
}

ID_KEYS = (
    "forbid",
    "not_in_mix",
    "expect_options",
    "expect_top3",
    "expect_top5",
    "expect_to_check",
    "expect_eligible",
)
MODEL_KEYS = (
    "expect_business_models_top3",
    "expect_business_models_top5",
    "not_first_business_model",
)
AMOUNT_KEYS = ("amount_at_most", "amount_at_least")
CASE_KEYS = {
    "id",
    "title",
    "source",
    "as_of",
    "findings",
    "profile",
    "notes",
    "max_options",
    "expect_phase",
    "expect_reason_source",
    "debt_at_most_share",
    *ID_KEYS,
    *MODEL_KEYS,
    *AMOUNT_KEYS,
}
STAGES = {"planning", "research", "pilot", "demonstration", "deployment", "operation"}


def case_id(item: tuple[str, dict[str, Any]]) -> str:
    return f"{item[0]}:{item[1]['id']}"
