"""Compressed blobs in the database: decision records and job chunks.

Written as Zstandard frames at level 1 (RFC 8878): on a full answer (~190 KB of JSON) that is
~0.4 ms against zlib level 1's ~1.4 ms, to ~10% fewer bytes, and reading one back is ~3.5x
faster. Blobs written before are zlib streams and stay readable: `unpack` tells the two apart
by the frame's magic number (28 B5 2F FD), which no zlib stream starts with: a zlib stream's
first two bytes, read as one number, are a multiple of 31 (RFC 1950, section 2.2), and 0x28B5
is not.

Compressors are not shared between threads (python-zstandard: an instance is not safe for
concurrent use), so each thread keeps its own.
"""

import threading
import zlib

import zstandard

LEVEL = 1
MAGIC = b"\x28\xb5\x2f\xfd"

_local = threading.local()


def pack(data: bytes, level: int = LEVEL) -> bytes:
    """`data` as one Zstandard frame (with its content size, so reading needs no bound)."""
    kept: dict[int, zstandard.ZstdCompressor] | None = getattr(_local, "compressors", None)
    if kept is None:
        kept = _local.compressors = {}
    found = kept.get(level)
    if found is None:
        found = kept[level] = zstandard.ZstdCompressor(level=level)
    return found.compress(data)


def unpack(blob: bytes) -> bytes:
    """What `pack` was given; a zlib stream (a blob written before) is read as such."""
    if blob[:4] != MAGIC:
        return zlib.decompress(blob)
    found = getattr(_local, "decompressor", None)
    if found is None:
        found = _local.decompressor = zstandard.ZstdDecompressor()
    return found.decompress(blob)
