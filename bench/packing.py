"""What an answer costs to write, keep and send compressed: the full and lean answers serialised,
and the lean one cut out of the full one's bytes as /v1/match makes it (advisor/detail.py), the
decision record's full answer packed (zlib level 1, as records were kept, against Zstandard
level 1, advisor/packing.py), and the default lean answer encoded for the wire (gzip at
ADVISOR_GZIP_LEVEL's default 2, by igzip, against Zstandard at ADVISOR_ZSTD_LEVEL's default 1,
advisor/encoding.py), and reading a record back.

The answers are those advise() gives for the golden and random profiles (bench/common.py).
Each codec runs over all of them in turn, the codecs interleaved, `--repeat` times, in one
process; prints the median per answer in ms, the size as a share of the plain bytes, and the
ratios. Not a test: compare medians and ratios from one run.

    python bench/packing.py [--profiles 60] [--repeat 9]
"""

import argparse
import statistics
import sys
import time
import zlib
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from advisor import encoding, packing  # noqa: E402
from advisor.advice import advise  # noqa: E402
from advisor.detail import lean_of, to_json  # noqa: E402
from bench.common import full_snapshot, golden_profiles, random_profiles  # noqa: E402


def per_answer(fn: Callable[[bytes], bytes], bodies: list[bytes]) -> tuple[float, list[bytes]]:
    began = time.perf_counter()
    out = [fn(b) for b in bodies]
    return (time.perf_counter() - began) * 1000 / len(bodies), out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--profiles", type=int, default=60, help="random ones, beside the golden")
    parser.add_argument("--repeat", type=int, default=9)
    args = parser.parse_args()
    snapshot = full_snapshot()
    advices = [advise(p, snapshot) for p in golden_profiles() + random_profiles(args.profiles)]
    full = [to_json(a) for a in advices]
    lean = [to_json(a, "lean") for a in advices]
    zlib_records = [zlib.compress(b, 1) for b in full]
    zstd_records = [packing.pack(b) for b in full]
    by_id = {id(a): a for a in advices}
    ids = [str(id(a)).encode() for a in advices]
    full_of = dict(zip(ids, full, strict=True))
    runs: dict[str, tuple[Callable[[bytes], bytes], list[bytes]]] = {
        "write: full": (lambda k: to_json(by_id[int(k)]), ids),
        "write: lean": (lambda k: to_json(by_id[int(k)], "lean"), ids),
        "cut: lean": (lambda k: lean_of(full_of[k], by_id[int(k)]), ids),
        "record: zlib 1": (lambda b: zlib.compress(b, 1), full),
        "record: zstd 1": (packing.pack, full),
        "answer: gzip 2": (lambda b: encoding.encoded(b, "gzip", 2, 0)[0], lean),
        "answer: zstd 1": (lambda b: encoding.encoded(b, "zstd", 1, 0)[0], lean),
        "read: zlib": (zlib.decompress, zlib_records),
        "read: zstd": (packing.unpack, zstd_records),
    }
    times: dict[str, list[float]] = {name: [] for name in runs}
    shares: dict[str, float] = {}
    for _ in range(args.repeat):
        for name, (fn, bodies) in runs.items():
            ms, out = per_answer(fn, bodies)
            times[name].append(ms)
            if not name.startswith(("read", "write", "cut")):
                shares[name] = sum(map(len, out)) / sum(map(len, bodies))
    print(f"{len(advices)} answers: full {statistics.median(map(len, full)) / 1000:.1f} KB, "
          f"lean {statistics.median(map(len, lean)) / 1000:.1f} KB (medians)")  # fmt: skip
    median = {name: statistics.median(t) for name, t in times.items()}
    for name in runs:
        share = f"{shares[name]:.3f} of the bytes" if name in shares else ""
        print(f"  {name:<16} {median[name]:7.3f} ms  {share}")
    pairs = (("write: lean", "cut: lean"), ("record: zlib 1", "record: zstd 1"),
             ("answer: gzip 2", "answer: zstd 1"), ("read: zlib", "read: zstd"))  # fmt: skip
    for slow, fast in pairs:
        print(f"  {slow} / {fast}: {median[slow] / median[fast]:.1f}x")


if __name__ == "__main__":
    main()
