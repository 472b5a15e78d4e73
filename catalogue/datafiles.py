"""Read and validate the versioned seed data files under catalogue/data/.

`python -m catalogue.datafiles` validates every file and prints a summary; it exits non-zero
with the file, entry and field of the first problem it meets.
"""

import hashlib
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from catalogue import coverage as coverage_files
from catalogue.coverage import CountryCoverage, CoverageEntry
from catalogue.schema import BusinessModelRecord, FxRate, InstrumentRecord

DATA_DIR = Path(__file__).parent / "data"
M = TypeVar("M", bound=BaseModel)
# libyaml's safe loader where PyYAML was built with it (the wheels are): the same data as
# yaml.safe_load, parsed about ten times as fast (a server's start and every seeding read it)
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _yaml(text: str) -> Any:
    return yaml.load(text, Loader=SAFE_LOADER)  # noqa: S506 - a safe loader


class DataFileError(ValueError):
    """A data file that does not parse or does not validate."""


@dataclass(frozen=True)
class SeedData:
    edition: str
    revision: str
    instruments: tuple[InstrumentRecord, ...]
    business_models: tuple[BusinessModelRecord, ...]
    fx_rates: tuple[FxRate, ...]
    coverage: tuple[CountryCoverage, ...] = ()


def _read_list(path: Path) -> list[dict[str, Any]]:
    try:
        data = _yaml(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise DataFileError(f"{path.name}: not valid YAML: {exc}") from exc
    if data is None:
        return []
    if not isinstance(data, list):
        raise DataFileError(f"{path.name}: expected a list of entries")
    return data


def _validate(model: type[M], path: Path, entries: list[dict[str, Any]]) -> list[M]:
    out: list[M] = []
    for index, entry in enumerate(entries):
        try:
            out.append(model.model_validate(entry))
        except ValidationError as exc:
            ident = entry.get("id", f"entry {index}") if isinstance(entry, dict) else index
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise DataFileError(f"{path.name}: {ident}: {where}: {first['msg']}") from exc
    return out


def _files(data_dir: Path) -> list[Path]:
    return sorted(p for p in data_dir.rglob("*.yaml") if p.is_file())


def revision_of(data_dir: Path = DATA_DIR) -> str:
    """Content hash of every data file: changes exactly when the catalogue's content does."""
    digest = hashlib.sha256()
    for path in _files(data_dir):
        digest.update(path.relative_to(data_dir).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def _edition(data_dir: Path) -> str:
    meta = _yaml((data_dir / "meta.yaml").read_text(encoding="utf-8"))
    return str(meta["edition"])


def revision(data_dir: Path = DATA_DIR) -> str:
    """`load(data_dir).revision` without parsing the data files (milliseconds, not seconds)."""
    return f"{_edition(data_dir)}+{revision_of(data_dir)}"


_LOADED: dict[tuple[Path, str], SeedData] = {}  # per folder and revision: records are frozen


def load(data_dir: Path = DATA_DIR) -> SeedData:
    """Every data file, validated through the catalogue's record models.

    Parsed once per process and revision (the content hash of the files): a second call on
    unchanged files returns the same records without reading them again."""
    key = (data_dir.resolve(), revision(data_dir))
    kept = _LOADED.get(key)
    if kept is None:
        kept = _load(data_dir)
        while len(_LOADED) >= 4:  # the latest revisions only
            _LOADED.pop(next(iter(_LOADED)))
        _LOADED[(key[0], kept.revision)] = kept  # the revision of the files as read
    return kept


def _load(data_dir: Path) -> SeedData:
    instruments: list[InstrumentRecord] = []
    for path in sorted((data_dir / "instruments").glob("*.yaml")):
        instruments.extend(_validate(InstrumentRecord, path, _read_list(path)))
    bm_path = data_dir / "business_models.yaml"
    business_models = _validate(BusinessModelRecord, bm_path, _read_list(bm_path))
    fx_path = data_dir / "fx_rates.yaml"
    fx_rates = _validate(FxRate, fx_path, _read_list(fx_path)) if fx_path.exists() else []
    _check_ids(instruments, business_models)
    coverage = load_coverage(data_dir / "coverage", instruments)
    return SeedData(
        edition=_edition(data_dir),
        revision=revision(data_dir),
        instruments=tuple(instruments),
        business_models=tuple(business_models),
        fx_rates=tuple(fx_rates),
        coverage=coverage,
    )


def load_coverage(folder: Path, instruments: list[InstrumentRecord]) -> tuple[CountryCoverage, ...]:
    """Every coverage file, merged per country and checked against the instruments."""
    entries: list[tuple[str, CoverageEntry]] = []
    for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
        entries.extend((path.name, e) for e in _validate(CoverageEntry, path, _read_list(path)))
    try:
        merged = coverage_files.merge(entries)
    except ValueError as exc:
        raise DataFileError(str(exc)) from exc
    problems = coverage_files.check(merged, instruments)
    if problems:
        raise DataFileError(problems[0])
    return merged


def _check_ids(
    instruments: list[InstrumentRecord], business_models: list[BusinessModelRecord]
) -> None:
    seen: set[str] = set()
    for rec in instruments:
        if rec.id in seen:
            raise DataFileError(f"instrument id {rec.id!r} appears twice")
        seen.add(rec.id)
    for rec in instruments:
        refs = [rec.successor, *rec.combinable_with, *rec.not_combinable_with]
        for ref in refs:
            if ref is not None and ref not in seen:
                raise DataFileError(f"{rec.id}: refers to unknown instrument {ref!r}")
    bm_seen: set[str] = set()
    for bm in business_models:
        if bm.id in bm_seen:
            raise DataFileError(f"business model id {bm.id!r} appears twice")
        bm_seen.add(bm.id)
        for ref in bm.related_instruments:
            if ref not in seen:
                raise DataFileError(f"{bm.id}: refers to unknown instrument {ref!r}")


def check_file(path: Path) -> str:
    """Validate one data file on its own (no cross-file id checks): for editing one file."""
    model: type[BaseModel]
    if path.parent.name == "instruments":
        model = InstrumentRecord
    elif path.name == "business_models.yaml":
        model = BusinessModelRecord
    elif path.name == "fx_rates.yaml":
        model = FxRate
    elif path.parent.name == "coverage":
        model = CoverageEntry
    else:
        raise DataFileError(f"{path}: not a catalogue data file")
    records = _validate(model, path, _read_list(path))
    return f"ok: {path.name}: {len(records)} records"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    try:
        if args:
            for name in args:
                print(check_file(Path(name)))
            return 0
        data = load()
    except DataFileError as exc:
        print(f"invalid: {exc}", file=sys.stderr)
        return 1
    print(
        f"ok: revision {data.revision}: {len(data.instruments)} instruments, "
        f"{len(data.business_models)} business models, {len(data.fx_rates)} fx rates, "
        f"{len(data.coverage)} countries' coverage"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
