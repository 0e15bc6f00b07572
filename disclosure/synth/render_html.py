"""HTML like the corpus: clean grids (synthetic-ceshishi), sh-gov-office-style cells with
<p align> and &nbsp; blanks, and Word-exported cells whose text is split over <span>s.
Sometimes GBK-encoded, with or without a charset declaration."""

from __future__ import annotations

import random
from html import escape

from disclosure.synth.document import Block, GCell, GTable
from disclosure.synth.spec import Spec

WORD_P = '<p style="text-align: justify; line-height: 2; font-family: 微软雅黑;" align="">'
WORD_SPAN = '<span style="font-family: 微软雅黑;">'


def _split(rng: random.Random, text: str) -> list[str]:
    """Word splits a label into runs at arbitrary points ('三','、本','年',…)."""
    if len(text) < 3 or rng.random() < 0.4:
        return [text]
    cuts = sorted(rng.sample(range(1, len(text)), min(len(text) - 1, rng.randint(1, 4))))
    return [text[a:b] for a, b in zip([0, *cuts], [*cuts, len(text)], strict=True)]


def _attrs(cell: GCell, style: str, rng: random.Random) -> str:
    parts = []
    if cell.cs > 1:
        parts.append(f'colspan="{cell.cs}"')
    if cell.rs > 1:
        parts.append(f'rowspan="{cell.rs}"')
    if style == "sh":
        parts.append(f'nowrap="nowrap" style="width:{20 + int(rng.random() * 200)}px;"')
    elif style == "word":
        parts.append(f'style="font-family: 微软雅黑;" width="{40 + int(rng.random() * 240)}" valign="center"')
    return (" " + " ".join(parts)) if parts else ""


def _content(cell: GCell, style: str, blank: str, rng: random.Random, markup: dict[str, str]) -> str:
    raw = markup.get(cell.key) if markup and cell.key else None
    if raw is not None:  # a variation's markup (sup, display:none, mso list marker): printed as is
        return f"{WORD_P}{WORD_SPAN}{raw}</span></p>" if style == "word" else f"<p>{raw}</p>" if style == "sh" else raw
    text = escape(cell.text, quote=False)
    if style == "word":
        if not cell.text:
            return f"{WORD_P}{WORD_SPAN}<o:p> </o:p></span></p>"
        runs = "".join(f"{WORD_SPAN}{escape(t, quote=False)}</span>" for t in _split(rng, cell.text))
        return f"{WORD_P}{runs}{WORD_SPAN}<o:p></o:p></span></p>"
    if not cell.text:
        text = blank
    if style == "sh":
        align = ' align="center"' if cell.kind != "label" else ""
        return f"<p{align}>{text}</p>"
    return text


def table_html(table: GTable, style: str, blank: str, rng: random.Random, markup: dict[str, str] | None = None) -> str:
    nl = "\n" if style != "sh" else ""
    rows = []
    for cells in table.rows:
        tds = "".join(f"<td{_attrs(c, style, rng)}>{_content(c, style, blank, rng, markup or {})}</td>" for c in cells)
        rows.append(f"<tr>{tds}</tr>")
    open_tag = {
        "plain": "<table>",
        "sh": '<table align="center" border="1" cellspacing="1"><tbody>',
        "word": '<table style="BORDER-COLLAPSE:collapse" cellspacing="0" cellpadding="2" bordercolor="#000000" border="1"><tbody>',
    }[style]
    close_tag = "</table>" if style == "plain" else "</tbody></table>"
    return open_tag + nl + nl.join(rows) + nl + close_tag


def _para(text: str, style: str, center: bool = False) -> str:
    text = escape(text, quote=False)
    if style == "word":
        return f'<p style="text-indent: 2em; text-align: justify; line-height: 2;" align="">{WORD_SPAN}{text}</span></p>'
    if center:
        return f"<p style='text-align: center;font-weight: bold;'>{text}</p>"
    return f"<p>{text}</p>"


def render(spec: Spec, doc: list[Block], rng: random.Random) -> tuple[bytes, list[str], list[str]]:
    style = rng.choice(("plain", "sh", "word"))
    blank = spec.null_text or rng.choice(("", "&nbsp;", "&nbsp;"))
    encoding = rng.choices(("utf-8", "gbk-meta", "gbk-nometa", "utf-8-nometa"), weights=(0.65, 0.17, 0.08, 0.1))[0]
    fragment = rng.random() < 0.25  # an article slice without <html>/<head> (sh-gov-office-2019)
    body: list[str] = []
    for kind, item in doc:
        if kind == "table":
            wrap = style == "word" and rng.random() < 0.5
            html = table_html(item, style, blank, rng, spec.markup)  # type: ignore[arg-type]
            body.append(f'<div align="">{html}</div>' if wrap else html)
        elif kind == "title":
            body.append(_para(str(item), style, center=True))
        else:
            body.append(_para(str(item), style))
    if not spec.title_has_agency and rng.random() < 0.5:
        body.insert(1, f"<p>发布日期：{spec.published}</p>")
    joined = "\n".join(body) if style != "sh" else "".join(body)
    charset = "gbk" if encoding.startswith("gbk") else "utf-8"
    meta = "" if encoding.endswith("nometa") else f'<meta charset="{charset}">' if rng.random() < 0.5 else \
        f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">'
    if fragment and not meta:
        page = joined
    else:
        source = f'<meta name="ContentSource" content="{escape(spec.agency.name)}">' if not spec.title_has_agency else ""
        page = (f"<!DOCTYPE html><html><head>{meta}<title>{escape(spec.title)}</title>{source}</head>\n"
                f'<body>\n<div id="zoom" class="article-content">\n{joined}\n</div>\n</body></html>\n')
    try:
        data = page.encode(charset)
    except UnicodeEncodeError:
        charset = "gb18030"
        data = page.encode(charset)
    notes = [f"HTML style {style}; blank cells print {blank!r}; encoding {charset}"
             f"{' without a charset declaration' if encoding.endswith('nometa') else ' (declared)'}"
             f"{'; fragment without <head>' if fragment and not meta else ''}."]
    return data, notes, []
