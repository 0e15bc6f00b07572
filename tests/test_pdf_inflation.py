"""The decompression-bomb check of the PDF reader measures each stream by its own bytes."""

from __future__ import annotations

import random
import zlib

import pytest
from test_reader_pdf import assemble_pdf

from disclosure.model import RejectedReport
from disclosure.readers.pdf import _inflated_size, check_inflation

PADDING = random.Random(0).randbytes(400_000)
"""Incompressible bytes after the bomb (an unfiltered stream: never inflated, never counted)."""


def _bomb_then_padding() -> bytes:
    bomb = zlib.compress(b" " * (80 * 2**20), 9)
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(bomb) + bomb + b"\nendstream",
        b"<< /Length %d >>\nstream\n" % len(PADDING) + PADDING + b"\nendstream",
    ]
    return assemble_pdf(objs)


def test_bomb_stream_followed_by_other_data_is_refused_by_its_own_ratio():
    # The check feeds zlib the bytes up to the stream's `endstream` first, then more: a bomb's
    # data runs on past any point, and what follows it must not count as its compressed bytes.
    data = _bomb_then_padding()
    with pytest.raises(RejectedReport) as err:
        check_inflation(data, "bomb.pdf")
    assert err.value.code == "zip_bomb" and "decompression bomb" in err.value.message


def test_a_streams_consumed_bytes_end_where_its_zlib_data_ends():
    # (They were counted to the end of the 1 MB window fed to zlib, the next 400 KB included.)
    payload = zlib.compress(b"BT /F1 12 Tf (x) Tj ET" * 50)
    data = b"stream\n" + payload + b"\nendstream\n" + PADDING
    size, consumed = _inflated_size(data, len(b"stream\n"), 1 << 20)
    assert (size, consumed) == (len(b"BT /F1 12 Tf (x) Tj ET") * 50, len(payload))
