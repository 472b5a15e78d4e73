"""`advisor impact`: a deliberately changed rate changes exactly the answers that use it."""

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from advisor.advice import advise
from advisor.impact import catalogue_dir, compare, golden_profiles, report, snapshot_of
from advisor.models import ProjectProfile

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "catalogue" / "data"
GOLDEN = ROOT / "tests" / "golden"
CHANGED = "cohesion_fund"  # one co-financing entry: 85% (CPR 2021/1060 Art. 112(3))


def _with_rate(tmp_path: Path, instrument_id: str, rate: float) -> Path:
    head = tmp_path / "data"
    shutil.copytree(DATA, head)
    for path in sorted((head / "instruments").glob("*.yaml")):
        records = yaml.safe_load(path.read_text(encoding="utf-8"))
        hit = [r for r in records if r["id"] == instrument_id]
        if hit:
            assert len(hit[0]["co_financing"]) == 1 and hit[0]["co_financing"][0]["rate"] == 0.85
            hit[0]["co_financing"][0]["rate"] = rate
            path.write_text(yaml.safe_dump(records, allow_unicode=True, sort_keys=False))
            return head
    raise AssertionError(f"{instrument_id} not in the catalogue")


def test_changed_rate_changes_exactly_the_cases_where_the_instrument_is_eligible(
    tmp_path: Path,
) -> None:
    head_dir = _with_rate(tmp_path, CHANGED, 0.6)
    base, head = snapshot_of(DATA), snapshot_of(head_dir)
    profiles = golden_profiles(GOLDEN)
    assert len(profiles) > 50
    # expected from the base run: the cases whose answer offers the instrument with an amount
    # (in options or to_check), since its ceiling is rate x eligible cost
    expected = set()
    for name, data in profiles:
        advice = advise(ProjectProfile.model_validate(data), base)
        if any(o.instrument_id == CHANGED for o in [*advice.options, *advice.to_check]):
            expected.add(name)
    assert expected, "the golden set should use the instrument"

    impact = compare(profiles, base, head)
    assert impact.records_changed == {CHANGED: ["co_financing"]}
    assert {o.name for o in impact.changed()} == expected
    for outcome in impact.changed():
        moved = [c for c in outcome.changes if c.instrument_id == CHANGED]
        assert moved and moved[0].what == "amount_moved"
        for change in outcome.changes:
            named = {b.instrument_id for b in change.behind if b.kind == "catalogue_record"}
            assert named == {CHANGED}
    text = report(impact)
    assert f"{CHANGED}: co_financing" in text
    assert f"answers changed: {len(expected)} of {len(profiles)}" in text


def test_a_git_revision_is_read_with_git_archive(tmp_path: Path) -> None:
    if subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True
    ).returncode:
        pytest.skip("not a git checkout")
    with catalogue_dir("HEAD", repo=ROOT) as data_dir:
        assert (data_dir / "meta.yaml").exists()
        assert snapshot_of(data_dir).instrument(CHANGED) is not None
    bad = catalogue_dir("no-such-revision-xyz", repo=ROOT)
    with pytest.raises(ValueError, match="neither a directory nor a git revision"):
        bad.__enter__()
