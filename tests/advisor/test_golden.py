"""Golden cases from the seed study: real city projects whose funding it records.

Each case answers through POST /v1/match: the instruments the study records rank in the top 5
(`expect_top5`; `expect_any_top5` where it records several sources of one kind and one of them
must rank), forbidden ones appear only under `excluded`, each with a sourced reason.
"""

from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient

CASES = yaml.safe_load((Path(__file__).parent.parent / "golden" / "cases.yaml").read_text())


def _case_id(case: dict[str, Any]) -> str:
    return case["id"]


def _advice(client: TestClient, case: dict[str, Any]) -> dict[str, Any]:
    profile = dict(case["profile"])
    profile["as_of"] = str(case["as_of"])
    response = client.post("/v1/match", json=profile)
    assert response.status_code == 200, response.text
    return response.json()


def test_there_are_enough_golden_cases() -> None:
    at_study = [c for c in CASES if str(c["as_of"]).startswith("2014")]
    today = [c for c in CASES if not str(c["as_of"]).startswith("2014")]
    assert len(at_study) >= 15
    assert len(today) >= 5


@pytest.mark.db
@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_golden_case(client: TestClient, case: dict[str, Any]) -> None:
    advice = _advice(client, case)
    ranked = [o["instrument_id"] for o in advice["options"]]
    top5 = ranked[:5]
    for expected in case.get("expect_top5") or []:
        assert expected in top5, f"{expected} not in top 5 {top5}"
    if case.get("expect_any_top5"):
        # the study records several sources of one kind: at least one of them ranks
        assert set(case["expect_any_top5"]) & set(top5), f"none of {case['expect_any_top5']}"
    excluded = {e["instrument_id"]: e for e in advice["excluded"]}
    for forbidden in case.get("forbid") or []:
        assert forbidden not in ranked, f"{forbidden} was recommended"
        assert forbidden in excluded, f"{forbidden} not listed as excluded"
        reasons = excluded[forbidden]["reasons"]
        assert reasons and all(r["source"] for r in reasons)
    models = [m["id"] for m in advice["business_models"]][:3]
    for expected in case.get("expect_business_models_top3") or []:
        assert expected in models, f"{expected} not in top 3 business models {models}"
    assert advice["as_of"] == str(case["as_of"])
    assert advice["catalogue_revision"] and advice["ruleset_version"]
