"""Impact of a catalogue change before it ships: two catalogues, the same questions, the answers
that change and why.

`advisor impact --base REV_OR_DIR --head REV_OR_DIR` loads each side's catalogue data (a
directory, or a git revision of `catalogue/data` read with `git archive`), answers every golden
profile (tests/golden/cases.yaml and holdout.yaml, each at its own as_of) and, given a database,
every stored decision's profile, under both, and lists the answers that differ with the records
behind each difference (advisor/changes.py).
"""

import io
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from advisor.advice import advise
from advisor.changes import Change, Comparison, field_diff
from advisor.decisions import catalogue_records
from advisor.models import ProjectProfile
from catalogue import datafiles
from catalogue.snapshot import Snapshot

DATA_PATH = "catalogue/data"
GOLDEN_FILES = ("cases.yaml", "holdout.yaml")


@contextmanager
def catalogue_dir(spec: str, *, repo: Path = Path(".")) -> Iterator[Path]:
    """`spec` as a catalogue data directory: itself, or a git revision's catalogue/data."""
    path = Path(spec)
    if path.is_dir():
        yield path
        return
    archive = subprocess.run(
        ["git", "-C", str(repo), "archive", "--format=tar", spec, DATA_PATH],
        capture_output=True,
        check=False,
    )
    if archive.returncode != 0:
        raise ValueError(
            f"{spec!r} is neither a directory nor a git revision holding {DATA_PATH}: "
            f"{archive.stderr.decode(errors='replace').strip()}"
        )
    with tempfile.TemporaryDirectory(prefix="advisor-impact-") as tmp:
        with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
            tar.extractall(tmp, filter="data")
        yield Path(tmp) / DATA_PATH


def snapshot_of(data_dir: Path) -> Snapshot:
    data = datafiles.load(data_dir)
    return Snapshot(
        revision=data.revision,
        instruments=data.instruments,
        business_models=data.business_models,
        fx_rates=data.fx_rates,
        coverage=data.coverage,
    )


def golden_profiles(golden_dir: Path) -> list[tuple[str, dict[str, Any]]]:
    """(case id, profile with the case's as_of) of every golden case."""
    out = []
    for name in GOLDEN_FILES:
        path = golden_dir / name
        if not path.exists():
            continue
        for case in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            out.append((case["id"], dict(case["profile"], as_of=str(case["as_of"]))))
    return out


@dataclass
class Outcome:
    name: str
    changes: list[Change]
    other_differences: list[str]
    error: str | None = None

    @property
    def changed(self) -> bool:
        return bool(self.changes or self.other_differences or self.error)


@dataclass
class Impact:
    base_revision: str
    head_revision: str
    records_changed: dict[str, list[str]] = field(default_factory=dict)
    outcomes: list[Outcome] = field(default_factory=list)

    def changed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.changed]


def compare(profiles: list[tuple[str, dict[str, Any]]], base: Snapshot, head: Snapshot) -> Impact:
    base_records, head_records = catalogue_records(base), catalogue_records(head)
    impact = Impact(base_revision=base.revision, head_revision=head.revision)
    ids = set(base_records["instruments"]) | set(head_records["instruments"])
    for iid in sorted(ids):
        fields = field_diff(
            base_records["instruments"].get(iid), head_records["instruments"].get(iid)
        )
        if fields:
            impact.records_changed[iid] = fields
    for name, data in profiles:
        try:
            profile = ProjectProfile.model_validate(data)
            old = advise(profile, base).model_dump(mode="json")
            new = advise(profile, head).model_dump(mode="json")
        except Exception as exc:  # one bad profile is reported, never the whole run lost
            impact.outcomes.append(Outcome(name, [], [], error=f"{type(exc).__name__}: {exc}"))
            continue
        comparison = Comparison(old, new, old_records=base_records, new_records=head_records)
        impact.outcomes.append(Outcome(name, comparison.changes(), comparison.other_differences()))
    return impact


def stored_profiles(database_url: str) -> list[tuple[str, dict[str, Any]]]:
    """(advice id, profile) of every stored decision in the database."""
    from sqlmodel import Session, select

    from advisor.decisions import AdviceRecord, get_profile
    from catalogue.db import make_engine

    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            rows = session.exec(select(AdviceRecord).order_by(AdviceRecord.created_at)).all()
            return [(f"advice {row.id}", get_profile(row)) for row in rows]
    finally:
        engine.dispose()


def report(impact: Impact) -> str:
    lines = [
        f"catalogue {impact.base_revision} -> {impact.head_revision}",
        f"records changed: {len(impact.records_changed)}",
    ]
    for iid, fields in impact.records_changed.items():
        lines.append(f"  {iid}: {', '.join(fields)}")
    changed = impact.changed()
    lines.append(f"answers changed: {len(changed)} of {len(impact.outcomes)}")
    for outcome in changed:
        lines.append(f"  {outcome.name}")
        if outcome.error:
            lines.append(f"    error: {outcome.error}")
        for change in outcome.changes:
            subject = change.instrument_id or change.mix_id
            moved = f" {change.before} -> {change.after}" if change.before or change.after else ""
            why = "; ".join(
                f"{b.instrument_id}: {', '.join(b.fields)}" if b.fields else b.text
                for b in change.behind
            )
            lines.append(f"    {change.what} {subject}{moved}" + (f"  [{why}]" if why else ""))
        if outcome.other_differences and not outcome.changes:
            lines.append(f"    also differs: {', '.join(outcome.other_differences)}")
    return "\n".join(lines)
