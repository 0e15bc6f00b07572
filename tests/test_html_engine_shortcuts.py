"""The HTML reader's speed shortcuts read exactly what the general path reads.

Each shortcut (UTF-8 bytes handed to lxml as they came, byte scans instead of str scans, Word's
one-block cell read in `_row`, <sup>/<sub> found in the tree) must not change a cell's text.
"""

from __future__ import annotations

import codecs

import pytest

from disclosure.readers.encoding import decode, decode_to_utf8
from disclosure.readers.html import read_html

ZH = "政府信息公开工作年度报告"


@pytest.mark.parametrize(
    "data",
    [
        f"<p>{ZH}</p>".encode(),  # strict UTF-8: handed on as it came
        codecs.BOM_UTF8 + f"<p>{ZH}</p>".encode(),
        f"<p>{ZH}</p>".encode("utf-16"),
        f"<p>{ZH}</p>".encode("gb18030"),
        f"<p>{ZH}</p>".encode() + b"\xe6",  # a truncated last character, replaced
        codecs.BOM_UTF8 + f"<p>{ZH}</p>".encode("gb18030"),  # an editor's BOM on GBK bytes
    ],
)
def test_decode_to_utf8_gives_the_decoded_text_and_its_utf8_bytes(data: bytes) -> None:
    text, note, raw = decode_to_utf8(data)
    assert (text, note) == decode(data)
    assert raw == text.encode("utf-8", "surrogatepass")


def test_decode_to_utf8_hands_strict_utf8_on_without_copying_it() -> None:
    data = f"<p>{ZH}</p>".encode()
    assert decode_to_utf8(data)[2] is data


def cells(html: str, encoding: str = "utf-8") -> list[list[str]]:
    doc = read_html(html.encode(encoding), "inline.html")
    return [[c.text for c in line.cells] for line in doc.lines if line.table is not None]


@pytest.mark.parametrize(
    ("cell", "text"),
    [
        ("<p><span>信息</span><span>内容</span></p>", "信息内容"),  # Word's cell: one plain block
        ("\n  <p>12</p>\n", "12"),
        ("one<p>two</p>", "one two"),  # text before the block: a line break, not glued
        ("<p>one</p>two", "one two"),  # text after it
        ("<p>one<br>two</p>", "one two"),  # a special element inside the block
        ("<p>one</p><p>two</p>", "one two"),  # two blocks
    ],
)
def test_a_cell_with_one_block_reads_as_the_general_walk_does(cell: str, text: str) -> None:
    assert cells(f"<table><tr><td>{cell}</td><td>x</td></tr></table>") == [[text, "x"]]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16", "gb18030"])
def test_an_upper_case_sup_mark_is_found_in_any_encoding(encoding: str) -> None:
    doc = read_html("<table><tr><td>规章</td><td>87<SUP>2</SUP></td></tr></table>".encode(encoding))
    row = next(line for line in doc.lines if line.table is not None)
    assert [(c.text, c.footnote) for c in row.cells] == [("规章", None), ("87", "<sup>2</sup>")]


def test_nul_bytes_in_a_utf8_page_are_dropped_as_in_its_text() -> None:
    assert cells("<table><tr><td>1\x002</td><td>规\x00章</td></tr></table>") == [["12", "规章"]]
