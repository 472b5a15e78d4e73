"""Shared inputs for the benchmarks: realistic profiles and a synthetic catalogue."""

import random
import statistics
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from advisor.models import ProjectProfile
from catalogue import datafiles
from catalogue.snapshot import Snapshot
from catalogue.vocabulary import VOCABULARY

ROOT = Path(__file__).resolve().parents[1]
COUNTRIES = ["LT", "DE", "FR", "ES", "PL", "SE", "HR", "CN", "CN", "CN", "US", "GB", "KR"]


def full_snapshot() -> Snapshot:
    data = datafiles.load()
    return Snapshot(
        data.revision, data.instruments, data.business_models, data.fx_rates, data.coverage
    )


def synthetic_snapshot(size: int, seed: int = 7) -> Snapshot:
    """`size` instruments: the real rows, then copies with attributes drawn from real rows."""
    base = full_snapshot()
    rng = random.Random(seed)
    rows = list(base.instruments)
    out = list(rows)
    while len(out) < size:
        template = rng.choice(rows)
        donor = rng.choice(rows)
        data = template.model_dump()
        data.update(
            id=f"{template.id}_s{len(out)}",
            sectors=donor.sectors,
            stages=rng.choice(rows).stages,
            eligible_countries=rng.choice(rows).eligible_countries,
            successor=None,
            combinable_with=[],
            not_combinable_with=[],
        )
        out.append(type(template).model_validate(data))
    return Snapshot(f"synthetic-{size}", tuple(out[:size]), base.business_models, base.fx_rates)


def golden_profiles() -> list[ProjectProfile]:
    cases = yaml.safe_load((ROOT / "tests" / "golden" / "cases.yaml").read_text())
    profiles = []
    for case in cases:
        data = dict(case["profile"], as_of=str(case["as_of"]))
        profiles.append(ProjectProfile.model_validate(data))
    return profiles


def random_profiles(count: int, seed: int = 11) -> list[ProjectProfile]:
    rng = random.Random(seed)
    out = []
    for i in range(count):
        country = rng.choice(COUNTRIES)
        data: dict[str, Any] = {
            "name": f"project {i}",
            "country": country,
            "sector": rng.choice(VOCABULARY["sector"]),
            "stage": rng.choice(VOCABULARY["stage"]),
            "capex": {"amount": round(10 ** rng.uniform(5, 9), 2), "currency": "EUR"},
            "revenue_streams": rng.sample(VOCABULARY["revenue_stream"], rng.randint(0, 3)),
            "applicant": rng.choice(VOCABULARY["applicant"]),
            "as_of": rng.choice(["2014-08-01", "2020-06-30", "2026-11-22"]),
        }
        if rng.random() < 0.5:
            data["development_cost"] = {"amount": data["capex"]["amount"] * 0.05}
        if rng.random() < 0.5:
            data["city_maturity"] = {"governance": rng.choice(VOCABULARY["maturity_level"])}
        if country not in ("CN", "US", "GB", "KR") and rng.random() < 0.7:
            data["region_category"] = rng.choice(VOCABULARY["region_category"])
        if rng.random() < 0.3:
            data["partners"] = {"countries": rng.randint(1, 6)}
        out.append(ProjectProfile.model_validate(data))
    return out


def timed(fn: Callable[[], Any], repeat: int) -> list[float]:
    """Wall-clock seconds of `repeat` calls of fn."""
    import time

    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return samples


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000
