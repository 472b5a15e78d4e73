"""Golden cases: the case files themselves: schema, citations, composition, holdout integrity.

What a case may expect, and how each expectation cites the rule that decides it:
tests/golden/expectations.py. The engine's answers to the cases: test_golden_answers.py.
"""

import hashlib
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from catalogue.vocabulary import Currency, codes
from tests.golden import composition
from tests.golden.expectations import (
    AMOUNT_KEYS,
    CASE_KEYS,
    CASES,
    CATALOGUE,
    ID_KEYS,
    INSTRUMENTS,
    MODEL_KEYS,
    STAGES,
    case_id,
)

GOLDEN = Path(__file__).parent.parent / "golden"
BUSINESS_MODELS = {
    record["id"] for record in yaml.safe_load((CATALOGUE / "business_models.yaml").read_text())
}
CURRENCIES = set(codes(Currency))


def _cited(value: Any) -> bool:
    return isinstance(value, str) and len(value.strip()) >= 8


@pytest.mark.parametrize("item", CASES, ids=case_id)
def test_case_is_well_formed(item: tuple[str, dict[str, Any]]) -> None:
    from advisor.models import ProjectProfile

    _, case = item
    assert set(case) <= CASE_KEYS, f"unknown keys {set(case) - CASE_KEYS}"
    assert re.fullmatch(r"[a-z0-9_]+", case["id"])
    assert case["title"] and case["source"]["document"]
    assert isinstance(case["as_of"], date)
    findings = case.get("findings") or []
    assert set(findings) <= set(composition.FINDINGS), findings
    profile = dict(case["profile"], as_of=case["as_of"].isoformat())
    ProjectProfile.model_validate(profile)  # the public contract accepts it
    expectations = 0
    for key in ID_KEYS:
        for instrument_id, why in (case.get(key) or {}).items():
            assert instrument_id in INSTRUMENTS, f"{key}: unknown instrument {instrument_id}"
            assert _cited(why), f"{key}.{instrument_id} must cite the rule that decides it"
            expectations += 1
    for key in MODEL_KEYS:
        for model_id, why in (case.get(key) or {}).items():
            assert model_id in BUSINESS_MODELS, f"{key}: unknown business model {model_id}"
            assert _cited(why), f"{key}.{model_id} must cite the rule that decides it"
            expectations += 1
    for key in AMOUNT_KEYS:
        for instrument_id, bound in (case.get(key) or {}).items():
            assert instrument_id in INSTRUMENTS, f"{key}: unknown instrument {instrument_id}"
            assert set(bound) == {"amount", "currency", "why"}, bound
            assert bound["amount"] >= 0 and bound["currency"] in CURRENCIES
            assert _cited(bound["why"])
            expectations += 1
    for instrument_id, phase in (case.get("expect_phase") or {}).items():
        assert instrument_id in INSTRUMENTS and phase["phase"] in STAGES and _cited(phase["why"])
        expectations += 1
    for instrument_id, cite in (case.get("expect_reason_source") or {}).items():
        assert instrument_id in INSTRUMENTS and cite["any_of"] and _cited(cite["why"])
        expectations += 1
    if "debt_at_most_share" in case:
        rule = case["debt_at_most_share"]
        assert 0 < rule["share"] <= 1 and _cited(rule["why"])
        expectations += 1
    if "max_options" in case:
        assert 0 < case["max_options"] <= 10
    assert expectations, "a golden case must expect something"
    # an instrument is not expected both inside and outside the answer
    inside = set(case.get("expect_options") or {}) | set(case.get("expect_top3") or {})
    inside |= set(case.get("expect_top5") or {})
    outside = set(case.get("forbid") or {}) | set(case.get("not_in_mix") or {})
    assert not inside & outside
    assert not set(case.get("expect_to_check") or {}) & (inside | set(case.get("forbid") or {}))
    assert not set(case.get("expect_eligible") or {}) & (
        outside | set(case.get("expect_to_check") or {})
    )


def test_case_ids_are_unique_across_both_files() -> None:
    ids = [case["id"] for _, case in CASES]
    assert len(ids) == len(set(ids))


def test_golden_set_composition() -> None:
    """The issue's floor: 80 cases, 25 outside the EU and China, 5 per finding, 20 held out."""
    assert len(CASES) >= 80
    groups = [composition.country_group(case) for _, case in CASES]
    assert groups.count("outside EU and China") >= 25
    assert groups.count("EU") >= 10 and groups.count("China") >= 10
    for finding in composition.FINDINGS:
        tagged = [c for _, c in CASES if finding in (c.get("findings") or [])]
        assert len(tagged) >= 5, f"finding {finding} has {len(tagged)} cases"
    assert len(composition.load("holdout")) >= 20
    eu = [c["profile"] for _, c in CASES if composition.country_group(c) == "EU"]
    categories = {p.get("region_category") for p in eu}
    assert {"less_developed", "transition", "more_developed", None} <= categories
    assert any(p.get("region_category_2014_2020") for p in eu)
    chinese_years = {str(c["as_of"])[:4] for _, c in CASES if c["profile"]["country"] == "CN"}
    assert {"2014", "2026"} <= chinese_years
    outside = {c["profile"]["country"] for _, c in CASES}
    assert {"US", "GB", "NO", "CH", "KE", "IN"} <= outside


def test_readme_states_the_composition() -> None:
    readme = composition.README.read_text(encoding="utf-8")
    assert readme == composition.render(), "run: python -m tests.golden.composition"


def test_holdout_changes_only_with_its_checksum_and_a_sourced_log_line() -> None:
    """holdout.yaml is what no weight change may be fitted to: every change is recorded."""
    digest = hashlib.sha256((GOLDEN / "holdout.yaml").read_bytes()).hexdigest()
    recorded = (GOLDEN / "holdout.sha256").read_text(encoding="utf-8").split()
    assert recorded and recorded[0] == digest, (
        "holdout.yaml changed: update holdout.sha256 and add a line to HOLDOUT_CHANGES.md "
        "naming the source that justifies the change"
    )
    log = (GOLDEN / "HOLDOUT_CHANGES.md").read_text(encoding="utf-8").splitlines()
    lines = [line for line in log if digest in line]
    assert lines, "HOLDOUT_CHANGES.md has no line for the current sha256"
    assert any(re.search(r"source:\s*\S.{7,}", line) for line in lines), (
        "the HOLDOUT_CHANGES.md line for this sha256 must name its source ('source: ...')"
    )
