"""Content codings for large answers: which one the client accepts, and the body in it.

/v1/match and /v1/match/batch compress where the answer is made (an engine thread, a batch
process), so the event loop never does; GZipMiddleware passes an answer that already has a
`content-encoding` on as it is. Two codings are offered (RFC 9110, section 8.4.1):

- `zstd` (Zstandard, RFC 8878) at ADVISOR_ZSTD_LEVEL (default 1): a lean answer of ~103 KB in
  ~0.18 ms of CPU to ~23% of its size. Asked for by httpx when the `zstandard` package is
  installed (it is a dependency of this package) and by Chromium (Debian's 156 sends
  `gzip, deflate, br, zstd`, to http://127.0.0.1 too; tests/page checks the page gets zstd).
- `gzip` at ADVISOR_GZIP_LEVEL (default 2): the same answer to ~24% of its size. Levels 1-3 are
  written by ISA-L's igzip (the `isal` package), 4-9 by zlib, which GZipMiddleware uses. At the
  same level igzip's output is within 5% of zlib's size (smaller at level 1) in about a fifth of
  the CPU: 0.17 against 0.88 ms at level 2 (median over 60 lean answers, shipped catalogue).

The client's weights decide (section 12.5.3: `q=0` is "not acceptable", `*` stands for codings
it does not name, `x-gzip` is `gzip`); on equal weights zstd is chosen: about as quick to make
as gzip by igzip (0.18 against 0.17 ms, bench/packing.py), a little smaller, and about 2.5x
quicker to read.
"""

import zlib

from isal import isal_zlib

from advisor import packing

ZSTD, GZIP = "zstd", "gzip"
GZIP_WBITS = 16 + zlib.MAX_WBITS  # a gzip member, as GZipMiddleware's compressor writes
IGZIP_LEVELS = range(1, 4)  # the levels ISA-L has (its 0 is not zlib's "stored" 0)


def weights(header: str | None) -> dict[str, float]:
    """Each coding an Accept-Encoding header names, with its weight (the best one given)."""
    found: dict[str, float] = {}
    for part in (header or "").split(","):
        name, *params = part.split(";")
        coding = name.strip().lower()
        if coding == "x-gzip":
            coding = GZIP
        weight = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    weight = min(max(float(value.strip()), 0.0), 1.0)
                except ValueError:
                    weight = 0.0  # a weight that cannot be read accepts nothing
        if coding:
            found[coding] = max(weight, found.get(coding, 0.0))
    return found


def acceptable(header: str | None, coding: str) -> bool:
    """Whether the client accepts `coding` (named, or through `*`, with a weight above 0)."""
    given = weights(header)
    return given.get(coding, given.get("*", 0.0)) > 0.0


def accepted(header: str | None) -> str | None:
    """`zstd`, `gzip` or None (send as it is), from an Accept-Encoding header."""
    given = weights(header)
    anything = given.get("*", 0.0)
    zstd, gzip = given.get(ZSTD, anything), given.get(GZIP, anything)
    if max(zstd, gzip) <= 0.0:
        return None
    return ZSTD if zstd >= gzip else GZIP


def encoded(
    body: bytes, coding: str | None, level: int, min_bytes: int
) -> tuple[bytes, str | None]:
    """`body` in `coding` at `level` when it is at least `min_bytes` long, and the coding it is
    in (None: as it is). gzip bytes are one gzip member (one deflate stream, a header with no
    time), as GZipMiddleware sends, from igzip at levels 1-3 and zlib above; zstd bytes are one
    frame with its content size."""
    if coding is None or len(body) < min_bytes:
        return body, None
    if coding == GZIP:
        compress = isal_zlib.compress if level in IGZIP_LEVELS else zlib.compress
        return compress(body, level, wbits=GZIP_WBITS), GZIP
    if coding != ZSTD:
        raise ValueError(f"unknown content coding {coding!r}")
    return packing.pack(body, level), ZSTD  # the frame a stored record is kept as


def headers(coding: str | None) -> dict[str, str]:
    """The headers an answer in `coding` carries; none for one sent as it is (GZipMiddleware
    adds its own when it compresses such an answer)."""
    return {} if coding is None else {"content-encoding": coding, "vary": "Accept-Encoding"}
