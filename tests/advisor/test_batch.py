"""Batch matching: formats, one record per input row, resume after an interruption, workers."""

import csv
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from advisor.batch import CSV_COLUMNS, read_rows, run_batch
from tests.builders import profile_data

pytestmark = pytest.mark.db


def _write_jsonl(path: Path, records: list) -> Path:  # type: ignore[type-arg]
    path.write_text("".join(r if isinstance(r, str) else json.dumps(r) + "\n" for r in records))
    return path


def _profiles(count: int) -> list[dict]:  # type: ignore[type-arg]
    sectors = ["street_lighting", "transport", "buildings", "water"]
    return [
        profile_data(id=f"p{i}", sector=sectors[i % 4], capex={"amount": 1e6 * (i + 1)})
        for i in range(count)
    ]


def _records(path: Path) -> list[dict]:  # type: ignore[type-arg]
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def test_jsonl_in_jsonl_out_with_bad_rows(tmp_path: Path, database_url: str) -> None:
    source = _write_jsonl(
        tmp_path / "in.jsonl",
        [*_profiles(3), {"name": "x", "country": "XX"}, "{broken\n", "\n", "[1]\n"],
    )
    out = tmp_path / "out.jsonl"
    summary = run_batch(source, out, database_url=database_url)
    records = _records(out)
    assert [r["row"] for r in records] == [1, 2, 3, 4, 5, 6]
    assert summary.written == 6 and summary.failed == 3
    assert [r["id"] for r in records[:3]] == ["p0", "p1", "p2"]
    assert all(r["ok"] and r["advice"]["options"] for r in records[:3])
    message = "'XX' is not an ISO 3166-1 alpha-2 country code"
    assert {"field": "country", "message": message} in records[3]["errors"]
    assert records[4]["errors"][0]["message"].startswith("not valid JSON")
    assert records[5]["errors"][0]["message"] == "a record must be a JSON object"


def test_csv_with_nested_columns_to_csv(tmp_path: Path, database_url: str) -> None:
    source = tmp_path / "in.csv"
    source.write_text(
        "id,name,country,sector,stage,capex.amount,capex.currency,revenue_streams,applicant,"
        "as_of,partners.industry,city_maturity.governance\n"
        "a,Lights,LT,street_lighting,deployment,12000000,EUR,energy_savings;user_fees,"
        "municipality,2026-11-22,true,basic\n"
        "b,Bad,LT,street_lighting,deployment,-5,EUR,,municipality,2026-11-22,,\n"
        "c,Worse,LT,street_lighting,deployment,lots,EUR,,municipality,2026-11-22,,\n"
    )
    rows = list(read_rows(source))
    assert rows[0].data["capex"] == {"amount": 12e6, "currency": "EUR"}
    assert rows[0].data["revenue_streams"] == ["energy_savings", "user_fees"]
    assert rows[0].data["partners"] == {"industry": True}
    out = tmp_path / "out.csv"
    run_batch(source, out, database_url=database_url)
    with out.open() as handle:
        table = list(csv.DictReader(handle))
    assert list(table[0]) == CSV_COLUMNS
    assert [r["row"] for r in table] == ["1", "2", "3"]
    assert table[0]["ok"] == "True" and table[0]["option_1_id"] and table[0]["mix_label"]
    assert table[0]["business_model"]
    assert table[1]["ok"] == "False" and table[1]["error"].startswith("capex.amount:")
    assert table[2]["error"].startswith("capex.amount:")


def test_resume_after_an_interruption_redoes_nothing(tmp_path: Path, database_url: str) -> None:
    source = _write_jsonl(tmp_path / "in.jsonl", _profiles(6))
    out = tmp_path / "out.jsonl"
    run_batch(source, out, database_url=database_url)
    complete = _records(out)
    lines = out.read_text().splitlines(keepends=True)
    out.write_text("".join(lines[:2]) + lines[2][:40])  # killed while writing row 3
    summary = run_batch(source, out, database_url=database_url)
    assert summary.skipped == 2 and summary.written == 4
    resumed = _records(out)
    assert [r["row"] for r in resumed] == [1, 2, 3, 4, 5, 6]
    assert resumed == complete


def test_worker_processes_give_the_same_records(tmp_path: Path, database_url: str) -> None:
    source = _write_jsonl(tmp_path / "in.jsonl", _profiles(8))
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    run_batch(source, one, database_url=database_url, workers=1)
    run_batch(source, two, database_url=database_url, workers=2)
    assert _records(one) == _records(two)


def test_worker_processes_write_the_same_bytes(tmp_path: Path, database_url: str) -> None:
    """Workers send back each run of rows as the output's own bytes (JSON lines, or CSV rows
    made in the worker): the files are those of one process, byte for byte, and the header of
    a CSV file is written once."""
    source = _write_jsonl(tmp_path / "in.jsonl", [*_profiles(20), {"name": "x"}, *_profiles(3)])
    for suffix in ("jsonl", "csv"):
        one, two = tmp_path / f"one.{suffix}", tmp_path / f"two.{suffix}"
        run_batch(source, one, database_url=database_url, workers=1)
        summary = run_batch(source, two, database_url=database_url, workers=2)
        assert summary.written == 24 and summary.failed == 1
        assert one.read_bytes() == two.read_bytes()
    table = two.read_text(encoding="utf-8").splitlines()
    assert len(table) == 25 and table[0].startswith("row,id,ok,")


def test_lean_detail_keeps_the_decisive_reason(tmp_path: Path, database_url: str) -> None:
    """Full by default (files are for analysis); `detail="lean"`, in worker processes too,
    keeps each why-not's first reason and every reason as {rule, text, source}, and changes
    nothing else."""
    source = _write_jsonl(tmp_path / "in.jsonl", _profiles(3))
    full, lean = tmp_path / "full.jsonl", tmp_path / "lean.jsonl"
    run_batch(source, full, database_url=database_url)
    run_batch(source, lean, database_url=database_url, workers=2, detail="lean")
    for whole, short in zip(_records(full), _records(lean), strict=True):
        cut = whole["advice"]["excluded"]
        assert any(len(e["reasons"]) > 1 for e in cut)
        for entry in cut:
            entry["reasons"] = entry["reasons"][:1]
        for option in whole["advice"]["options"]:
            assert option["reasons"] and all(r["test"] is None for r in option["reasons"])
        _drop_criterion(whole)
        assert short == whole


def _drop_criterion(node: Any) -> None:
    """Every reason object under `node` as {rule, text, source}, in place."""
    if isinstance(node, dict):
        if {"rule", "text", "source"} <= node.keys():
            for key in ("test", "value", "threshold", "passed"):
                node.pop(key, None)
        for value in node.values():
            _drop_criterion(value)
    elif isinstance(node, list):
        for value in node:
            _drop_criterion(value)


def test_cli_batch(tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from advisor.cli import app
    from advisor.settings import get_settings

    monkeypatch.setenv("ADVISOR_DATABASE_URL", database_url)
    get_settings.cache_clear()
    source = _write_jsonl(tmp_path / "in.jsonl", [*_profiles(2), {"bad": 1}])
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(app, ["batch", str(source), "-o", str(out), "--no-progress"])
    get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert "3 written (1 with errors)" in result.output
    assert len(_records(out)) == 3
