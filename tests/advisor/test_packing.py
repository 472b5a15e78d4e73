"""Stored blobs: Zstandard frames now, zlib streams written before still read back."""

import threading
import zlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from advisor import packing
from advisor.advice import advise
from advisor.detail import to_json
from catalogue.snapshot import Snapshot
from tests.builders import make_profile


@given(st.binary(max_size=4096))
def test_a_packed_blob_reads_back(data: bytes) -> None:
    assert packing.unpack(packing.pack(data)) == data
    assert packing.pack(data)[:4] == packing.MAGIC


@given(st.binary(max_size=2048), st.integers(0, 9), st.integers(9, 15))
def test_a_zlib_blob_written_before_reads_back(data: bytes, level: int, wbits: int) -> None:
    """Any zlib stream (every level, every window size) is read as zlib, never as a frame:
    its first two bytes are a multiple of 31 (RFC 1950 section 2.2), and 0x28B5 is not."""
    compressor = zlib.compressobj(level, zlib.DEFLATED, wbits)
    blob = compressor.compress(data) + compressor.flush()
    assert blob[:4] != packing.MAGIC
    assert packing.unpack(blob) == data


def test_a_full_answer_reads_back_byte_for_byte_and_smaller_than_zlib(snapshot: Snapshot) -> None:
    body = to_json(advise(make_profile(), snapshot))
    packed = packing.pack(body)
    assert packing.unpack(packed) == body
    assert len(packed) < len(zlib.compress(body, 1))


@pytest.mark.parametrize("level", [1, 3])
def test_threads_packing_at_once_each_get_their_own_bytes(level: int) -> None:
    """Compressors are kept per thread: blobs packed concurrently read back as their own data."""
    datas = [bytes([i]) * 50_000 + str(i).encode() * 3_000 for i in range(8)]
    found: dict[int, list[bytes]] = {}

    def work(i: int) -> None:
        found[i] = [packing.unpack(packing.pack(datas[i], level)) for _ in range(40)]

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(found[i] == [datas[i]] * 40 for i in range(8))
