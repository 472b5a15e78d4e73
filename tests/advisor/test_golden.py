"""Golden cases: real and realistic city projects whose answer the law and the profile decide.

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

Every case also checks what holds for any answer: at most 10 options, none scored 0.5 or less or
with a zero amount, ranks equal to positions, each mix's components + gap equal to capex +
development cost to the cent, no mix labelled grant-led without a grant, and no reason of the
top 3 options citing only the generic seed lines (§3.2.6.1 L1512, §3.2.1 L1374).
"""

import hashlib
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient

from catalogue.vocabulary import Currency, codes
from tests.golden import composition

GOLDEN = Path(__file__).parent.parent / "golden"
CATALOGUE = Path(__file__).parent.parent.parent / "catalogue" / "data"
CASES = [(name, case) for name, case in composition.all_cases()]

INSTRUMENTS = {
    record["id"]: record
    for path in sorted((CATALOGUE / "instruments").glob("*.yaml"))
    for record in yaml.safe_load(path.read_text(encoding="utf-8"))
}
BUSINESS_MODELS = {
    record["id"] for record in yaml.safe_load((CATALOGUE / "business_models.yaml").read_text())
}
FX = yaml.safe_load((CATALOGUE / "fx_rates.yaml").read_text(encoding="utf-8"))
CURRENCIES = set(codes(Currency))

GENERIC_SEED_LINES = re.compile(r"\bL(1512|1374)\b")
# Enterprise debt that counts against China's project-capital rule; local-government bonds are
# the government's own funds and may serve as project capital (Guofa [2019] 26).
ENTERPRISE_BONDS = {"cn_corporate_bond", "cn_green_bond", "green_bond", "eu_green_bond"}

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


def _case_id(item: tuple[str, dict[str, Any]]) -> str:
    return f"{item[0]}:{item[1]['id']}"


# ---------------------------------------------------------------------------------------------
# The case files themselves: schema, citations, composition, holdout integrity
# ---------------------------------------------------------------------------------------------


def _cited(value: Any) -> bool:
    return isinstance(value, str) and len(value.strip()) >= 8


@pytest.mark.parametrize("item", CASES, ids=_case_id)
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


# ---------------------------------------------------------------------------------------------
# The engine's answers
# ---------------------------------------------------------------------------------------------


def _per_eur(currency: str, on: str) -> float:
    if currency == "EUR":
        return 1.0  # the table's base currency
    rows = sorted((r for r in FX if r["currency"] == currency), key=lambda r: str(r["date"]))
    dated = [r for r in rows if str(r["date"]) <= on] or rows[:1]
    return float(dated[-1]["per_eur"])


def _convert(amount: float, from_cur: str, to_cur: str, on: str) -> float:
    if from_cur == to_cur:
        return amount
    return amount / _per_eur(from_cur, on) * _per_eur(to_cur, on)


def _advice(client: TestClient, case: dict[str, Any]) -> dict[str, Any]:
    profile = dict(case["profile"], as_of=case["as_of"].isoformat())
    response = client.post("/v1/match", json=profile)
    assert response.status_code == 200, response.text
    return response.json()


def _total(case: dict[str, Any], currency: str) -> float:
    profile, on = case["profile"], case["as_of"].isoformat()
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
    on = case["as_of"].isoformat()

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
                    f"mix {mix['label']}: debt {debt:,.2f} above {share:.0%} of the investment "
                    f"({case['debt_at_most_share']['why']})"
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
@pytest.mark.parametrize("item", CASES, ids=_case_id)
def test_golden_case(client: TestClient, item: tuple[str, dict[str, Any]]) -> None:
    _, case = item
    advice = _advice(client, case)
    assert advice["as_of"] == case["as_of"].isoformat()
    assert advice["catalogue_revision"] and advice["ruleset_version"]
    problems = _check_answer_shape(case, advice) + _check_expectations(case, advice)
    assert not problems, "\n".join(problems)
