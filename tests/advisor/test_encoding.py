"""Which content coding an answer is sent in (RFC 9110 sections 8.4.1, 12.5.3), and its bytes."""

import gzip

import pytest
import zstandard

from advisor.encoding import acceptable, accepted, encoded, headers


@pytest.mark.parametrize(
    ("header", "coding"),
    [
        (None, None),
        ("", None),
        ("identity", None),
        ("gzip", "gzip"),
        ("GZip", "gzip"),
        ("x-gzip", "gzip"),
        ("zstd", "zstd"),
        ("gzip, deflate, br, zstd", "zstd"),  # Chromium over HTTPS: equal weights, zstd
        ("gzip, deflate, zstd", "zstd"),  # httpx with zstandard installed
        ("gzip;q=1, zstd;q=0.5", "gzip"),  # the client's weights decide
        ("zstd;q=0.9, gzip;q=0.8", "zstd"),
        ("zstd;q=0, gzip", "gzip"),  # q=0: not acceptable
        ("gzip;q=0", None),
        ("gzip; q=0.000", None),
        ("gzip;q=0, zstd;q=0", None),
        ("*", "zstd"),  # * stands for every coding not named
        ("*;q=0.5, gzip", "gzip"),
        ("*;q=0, gzip;q=0.1", "gzip"),
        ("gzip, *;q=0", "gzip"),
        ("br, deflate", None),
        ("gzip;q=abc, zstd;q=0", None),  # an unreadable weight accepts nothing
        ("gzip;q=0.3, gzip;q=0.7, zstd;q=0.5", "gzip"),  # a coding named twice: its best weight
        (" , ;q=1, gzip", "gzip"),
    ],
)
def test_the_coding_follows_the_clients_weights(header: str | None, coding: str | None) -> None:
    assert accepted(header) == coding


def test_each_coding_gives_back_the_body_and_small_bodies_go_as_they_are() -> None:
    body = b'{"options":[' + b'{"instrument_id":"elena","score":3.5},' * 400 + b"{}]}"
    as_gzip, coding = encoded(body, "gzip", 2, 1024)
    assert coding == "gzip" and gzip.decompress(as_gzip) == body and len(as_gzip) < len(body) // 3
    as_zstd, coding = encoded(body, "zstd", 1, 1024)
    assert coding == "zstd" and as_zstd[:4] == b"\x28\xb5\x2f\xfd"
    assert zstandard.ZstdDecompressor().decompress(as_zstd) == body
    assert len(as_zstd) < len(body) // 3
    assert encoded(body, "zstd", 1, len(body)) == (as_zstd, "zstd")  # at least min_bytes
    assert encoded(body, "zstd", 1, len(body) + 1) == (body, None)
    assert encoded(body, None, 1, 0) == (body, None)
    with pytest.raises(ValueError, match="br"):
        encoded(body, "br", 1, 0)


def test_an_encoded_answer_varies_on_accept_encoding() -> None:
    assert headers(None) == {}
    assert headers("zstd") == {"content-encoding": "zstd", "vary": "Accept-Encoding"}


@pytest.mark.parametrize(
    ("header", "gzip_ok"),
    [("gzip", True), ("gzip;q=0", False), ("*", True), ("*;q=0", False), ("zstd", False),
     ("zstd, *;q=0.2", True), (None, False)],
)  # fmt: skip
def test_gzip_acceptable_only_when_weighed_above_zero(header: str | None, gzip_ok: bool) -> None:
    assert acceptable(header, "gzip") is gzip_ok
