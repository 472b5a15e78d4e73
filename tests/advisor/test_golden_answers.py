"""Golden cases: the engine's answers. Each case in tests/golden/cases.yaml and
tests/golden/holdout.yaml answers through POST /v1/match and must meet its expectations (their
language: tests/golden/expectations.py).

Every case also checks what holds for any answer: at most 10 options, none scored 0.5 or less or
with a zero amount, ranks equal to positions, each mix's components + gap equal to capex +
development cost to the cent, EIB loans at most half of it in any mix, no mix labelled
grant-led without a grant, and no reason of the top 3 options citing only the generic seed
lines (§3.2.6.1 L1512, §3.2.1 L1374).
"""

import re
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.golden.expectations import AMOUNT_KEYS, CASES, INSTRUMENTS, case_id
from tests.rate_table import in_currency

GENERIC_SEED_LINES = re.compile(r"\bL(1512|1374)\b")
# Enterprise debt that counts against China's project-capital rule; local-government bonds are
# the government's own funds and may serve as project capital (Guofa [2019] 26).
ENTERPRISE_BONDS = {"cn_corporate_bond", "cn_green_bond", "green_bond", "eu_green_bond"}
# The EIB's loans together cover at most half of a project's total cost (eib.org, loans: "These
# loans can cover up to 50% of the total cost for both public and private sector promoters").
EIB_LOANS = {"eib_loan", "eib_framework_loan", "eib_intermediated_loan"}
EIB_SHARE = 0.5


def _convert(amount: float, from_cur: str, to_cur: str, on: date) -> float:
    return amount if from_cur == to_cur else in_currency(amount, from_cur, to_cur, on)


def _advice(client: TestClient, case: dict[str, Any]) -> dict[str, Any]:
    profile = dict(case["profile"], as_of=case["as_of"].isoformat())
    response = client.post("/v1/match", json=profile)
    assert response.status_code == 200, response.text
    return response.json()


def _total(case: dict[str, Any], currency: str) -> float:
    profile, on = case["profile"], case["as_of"]
    total = _convert(profile["capex"]["amount"], profile["capex"]["currency"], currency, on)
    dev = profile.get("development_cost")
    if dev:
        total += _convert(dev["amount"], dev["currency"], currency, on)
    return total


def _is_grant(instrument_id: str) -> bool:
    return INSTRUMENTS.get(instrument_id, {}).get("kind") == "grant"


def _is_debt(instrument_id: str) -> bool:
    kind = INSTRUMENTS.get(instrument_id, {}).get("kind")
    return kind == "loan" or instrument_id in ENTERPRISE_BONDS


def _check_answer_shape(case: dict[str, Any], advice: dict[str, Any]) -> list[str]:
    """What holds for any answer (findings 7, 8 and 10, and mixes that add up)."""
    problems = []
    options = advice["options"]
    limit = min(case.get("max_options", 10), 10)
    if len(options) > limit:
        problems.append(f"{len(options)} options, at most {limit}")
    for position, option in enumerate(options, start=1):
        oid = option["instrument_id"]
        if option["rank"] != position:
            problems.append(f"{oid}: rank {option['rank']} at position {position}")
        if option["score"] <= 0.5:
            problems.append(f"{oid}: score {option['score']} <= 0.5 on the short list")
        amount = option.get("max_amount")
        if not amount or amount["amount"] <= 0:
            problems.append(f"{oid}: no amount above zero on the short list")
    for option in options[:3]:
        for reason in option["reasons"]:
            if not reason.get("source"):
                problems.append(f"{option['instrument_id']}: a top-3 reason has no source")
            elif GENERIC_SEED_LINES.search(reason["source"]):
                problems.append(
                    f"{option['instrument_id']}: top-3 reason cites a generic seed line "
                    f"({reason['source']}) instead of the rule"
                )
    for mix in advice.get("mixes") or []:
        currency = mix["gap"]["currency"]
        parts = sum(c["amount"]["amount"] for c in mix["components"]) + mix["gap"]["amount"]
        expected = _total(case, currency)
        if abs(parts - expected) > 0.01 + 1e-9 * expected:
            problems.append(f"mix {mix['label']}: components + gap {parts} != total {expected}")
        eib = sum(
            c["amount"]["amount"] for c in mix["components"] if c["instrument_id"] in EIB_LOANS
        )
        if eib > EIB_SHARE * expected + 0.01:
            problems.append(f"mix {mix['label']}: EIB loans {eib} above half of {expected}")
        if "grant" in mix["label"].lower() and not any(
            _is_grant(c["instrument_id"]) for c in mix["components"]
        ):
            problems.append(f"mix labelled {mix['label']!r} has no grant component")
    return problems


def _check_expectations(case: dict[str, Any], advice: dict[str, Any]) -> list[str]:
    problems = []
    options = advice["options"]
    ranked = [o["instrument_id"] for o in options]
    by_id = {o["instrument_id"]: o for o in options}
    to_check = {e["instrument_id"]: e for e in advice.get("to_check") or []}
    also = {e["instrument_id"] for e in advice.get("also_eligible") or []}
    excluded = {e["instrument_id"]: e for e in advice["excluded"]}
    in_mix = {c["instrument_id"] for m in advice.get("mixes") or [] for c in m["components"]}
    on = case["as_of"]

    for iid, why in (case.get("forbid") or {}).items():
        where = [
            name
            for name, ids in (
                ("options", ranked),
                ("to_check", to_check),
                ("also_eligible", also),
                ("a mix", in_mix),
            )
            if iid in ids
        ]
        if where:
            problems.append(f"forbid {iid} ({why}): found in {', '.join(where)}")
        if iid not in excluded:
            problems.append(f"forbid {iid} ({why}): not listed under excluded")
        elif not excluded[iid]["reasons"] or not all(
            r.get("source") for r in excluded[iid]["reasons"]
        ):
            problems.append(f"forbid {iid}: excluded without a sourced reason")
    for iid, why in (case.get("not_in_mix") or {}).items():
        if iid in in_mix or iid in by_id:
            problems.append(f"not_in_mix {iid} ({why}): offered in options or a mix")
    for iid, why in (case.get("expect_options") or {}).items():
        if iid not in by_id:
            problems.append(f"expect_options {iid} ({why}): not in options {ranked}")
    for key, n in (("expect_top3", 3), ("expect_top5", 5)):
        for iid, why in (case.get(key) or {}).items():
            if iid not in ranked[:n]:
                problems.append(f"{key} {iid} ({why}): not in the first {n} of {ranked}")
            elif len(options) > n and by_id[iid]["score"] <= options[n]["score"]:
                problems.append(
                    f"{key} {iid}: score {by_id[iid]['score']} not above the option ranked "
                    f"{n + 1} ({options[n]['score']}): decided by a tie-break"
                )
    also = {a["instrument_id"] for a in advice.get("also_eligible") or []}
    for iid, why in (case.get("expect_eligible") or {}).items():
        if iid not in by_id and iid not in also:
            problems.append(f"expect_eligible {iid} ({why}): neither in options nor also_eligible")
    for iid, why in (case.get("expect_to_check") or {}).items():
        if iid not in to_check:
            problems.append(f"expect_to_check {iid} ({why}): not in to_check {list(to_check)}")
    for key in AMOUNT_KEYS:
        for iid, bound in (case.get(key) or {}).items():
            entry = by_id.get(iid) or to_check.get(iid)
            if entry is None:
                if key == "amount_at_least":
                    problems.append(f"{key} {iid} ({bound['why']}): not offered")
                continue
            money = entry.get("max_amount")
            if not money:
                problems.append(f"{key} {iid}: no max_amount")
                continue
            got = _convert(money["amount"], money["currency"], bound["currency"], on)
            slack = 0.01 + 1e-6 * bound["amount"]
            if key == "amount_at_most" and got > bound["amount"] + slack:
                problems.append(
                    f"{key} {iid}: {got:,.2f} > {bound['amount']:,.2f} {bound['currency']} "
                    f"({bound['why']})"
                )
            if key == "amount_at_least" and got < bound["amount"] - slack:
                problems.append(
                    f"{key} {iid}: {got:,.2f} < {bound['amount']:,.2f} {bound['currency']} "
                    f"({bound['why']})"
                )
    for iid, want in (case.get("expect_phase") or {}).items():
        entry = by_id.get(iid) or to_check.get(iid)
        if entry is None or entry.get("phase") != want["phase"]:
            got = entry.get("phase") if entry else "not offered"
            problems.append(f"expect_phase {iid}: {got}, want {want['phase']} ({want['why']})")
    for iid, cite in (case.get("expect_reason_source") or {}).items():
        sources = " | ".join(
            r.get("source") or "" for r in (by_id.get(iid) or {}).get("reasons", [])
        )
        if not any(s in sources for s in cite["any_of"]):
            problems.append(
                f"expect_reason_source {iid}: reasons cite {sources!r}, none of {cite['any_of']}"
            )
    if "debt_at_most_share" in case:
        share = case["debt_at_most_share"]["share"]
        for mix in advice.get("mixes") or []:
            debt = sum(
                c["amount"]["amount"] for c in mix["components"] if _is_debt(c["instrument_id"])
            )
            ceiling = share * _total(case, mix["gap"]["currency"])
            if debt > ceiling + 0.01:
                problems.append(
                    f"mix {mix['label']}: debt {debt:,.2f} above {share:.0%} of the total "
                    f"investment ({case['debt_at_most_share']['why']})"
                )
    models = [m["id"] for m in advice["business_models"]]
    scores = [m["score"] for m in advice["business_models"]]
    for key, n in (("expect_business_models_top3", 3), ("expect_business_models_top5", 5)):
        for mid, why in (case.get(key) or {}).items():
            if mid not in models[:n]:
                problems.append(f"business model {mid} ({why}) not in the top {n} {models[:n]}")
            elif len(scores) > n and scores[models.index(mid)] <= scores[n]:
                problems.append(
                    f"business model {mid}: score {scores[models.index(mid)]} not above the "
                    f"model ranked {n + 1} ({scores[n]}): decided by a tie-break"
                )
    for mid, why in (case.get("not_first_business_model") or {}).items():
        if models and models[0] == mid:
            problems.append(f"business model {mid} ranks first ({why})")
    return problems


@pytest.mark.db
@pytest.mark.parametrize("item", CASES, ids=case_id)
def test_golden_case(client: TestClient, item: tuple[str, dict[str, Any]]) -> None:
    _, case = item
    advice = _advice(client, case)
    assert advice["as_of"] == case["as_of"].isoformat()
    assert advice["catalogue_revision"] and advice["ruleset_version"]
    problems = _check_answer_shape(case, advice) + _check_expectations(case, advice)
    assert not problems, "\n".join(problems)
