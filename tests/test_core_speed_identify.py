"""Identity fast paths (core speed work, 2026-12-02) against the code they replace."""

from __future__ import annotations

import random
import re
from pathlib import Path

from disclosure.identify import _CHROME_DATE, strip_chrome

FIXTURES = Path(__file__).parent / "fixtures"


def strip_chrome_before(text: str) -> str:
    """`strip_chrome` as it was: both substitutions on every text."""
    text = _CHROME_DATE.sub(" ", text)
    return re.sub(r"\d{4}/\d{1,2}/\d{1,2}\s*(?:(?:上午|下午)\s*)?\d{1,2}:\d{2}(?::\d{2})?", " ", text)


def test_strip_chrome_on_every_fixture_text_is_as_before() -> None:
    n = 0
    for p in sorted(FIXTURES.rglob("*")):
        if p.suffix in (".txt", ".md", ".html", ".htm"):
            text = p.read_bytes().decode("utf-8", "replace")
            for part in (text, text[:40000], *text.splitlines()[:200]):
                assert strip_chrome(part) == strip_chrome_before(part)
                n += 1
    assert n > 1000


def test_strip_chrome_on_random_stamps_is_as_before() -> None:
    rng = random.Random(5)
    pieces = ["2025/2/14 09:30", "2025/12/1 下午 3:05:59", "今天是2026年3月2日 星期一", "当前日期：2026-03-02",
              "/", ":", "：", "1", "2024", "年", "报告", " ", "\n", "http://x.gov.cn/a/b", "12:30", "2023/1/1"]
    for _ in range(3000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randrange(0, 12)))
        assert strip_chrome(text) == strip_chrome_before(text)
    assert strip_chrome("打印于 2025/2/14 09:30 某县") == "打印于   某县"  # the stamp still goes


def mentions_disclosure_before(body: str) -> bool:
    norm = "".join(body.split())
    return not ("政府信息公开" not in norm and "信息公开" not in norm)


def test_disclosure_mention_gate_is_as_before() -> None:
    from disclosure.parse import mentions_disclosure

    rng = random.Random(3)
    pieces = ["政府", "信息", "公开", "信息公开", " ", "\n", "\u3000", "年度报告", "息", "信"]
    for _ in range(5000):
        body = "".join(rng.choice(pieces) for _ in range(rng.randrange(0, 8)))
        assert mentions_disclosure(body) == mentions_disclosure_before(body)
    for p in sorted(FIXTURES.rglob("*")):
        if p.suffix in (".txt", ".md", ".html"):
            text = p.read_bytes().decode("utf-8", "replace")
            assert mentions_disclosure(text) == mentions_disclosure_before(text)
    assert mentions_disclosure("政府信息\n公开工作年度报告")  # broken over two lines: still a report
