"""Synthetic disclosure reports with golden JSON, deterministic by seed.

    from disclosure.synth import generate, iter_reports
    paths = generate(100, seed=7, out_dir=Path("synth"))          # files + synth/expected/*.json
    for name, data, golden in iter_reports(20_000, seed=7):        # streaming, nothing kept
        ...

Report i of seed s is the same bytes whatever n is; its format is formats[i % len(formats)].
Golden values are the numbers the generator printed (blank → null), never a parser's output.
See docs/synth.md.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from disclosure.synth.document import Block, blocks
from disclosure.synth.golden import Golden, build_golden, cell_keys, cell_value, identity_failures
from disclosure.synth.layout import render_layout
from disclosure.synth.render_dump import render_box, render_cells, render_grid, render_grid_narrow, render_tab
from disclosure.synth.render_html import render as render_html
from disclosure.synth.render_text import render_crawler, render_markdown, render_pipe
from disclosure.synth.spec import EXTENSIONS, FORMATS, Spec, build_spec
from disclosure.synth.variations import BY_NAME, VARIATIONS, variation_cases, variation_rng

__all__ = [
    "FORMATS", "VARIATIONS", "Golden", "cell_keys", "cell_value", "generate", "identity_failures", "iter_reports",
    "iter_variations", "make_report",
]

Renderer = Callable[[Spec, list[Block], object], tuple[bytes, list[str], list[str]]]
RENDERERS: dict[str, Renderer] = {
    "html": render_html,  # type: ignore[dict-item]
    "text-pipe": render_pipe,  # type: ignore[dict-item]
    "text-layout": render_layout,  # type: ignore[dict-item]
    "text-crawler": render_crawler,  # type: ignore[dict-item]
    "markdown": render_markdown,  # type: ignore[dict-item]
    # dump formats (issue 9): opt-in, see disclosure.synth.variations
    "text-tab": render_tab,  # type: ignore[dict-item]
    "text-box": render_box,  # type: ignore[dict-item]
    "text-cells": render_cells,  # type: ignore[dict-item]
    "text-grid": render_grid,  # type: ignore[dict-item]
    "text-grid-narrow": render_grid_narrow,  # type: ignore[dict-item]
}


def _docx_renderer() -> Renderer:
    from disclosure.synth.render_docx import render_docx  # python-docx is optional

    return render_docx  # type: ignore[return-value]


def make_report(seed: int, index: int, fmt: str, variation: str | None = None) -> tuple[str, bytes, Golden]:
    """Report `index` of `seed` in format `fmt`: (file name, raw bytes, golden dict).

    `variation` (a name of `disclosure.synth.variations.VARIATIONS`) prints the same report in
    one of issue 9's forms; the golden file still holds the generator's values."""
    if fmt not in EXTENSIONS:
        raise ValueError(f"unknown format {fmt!r}; choose from {', '.join(EXTENSIONS)}")
    var = None
    if variation is not None:
        if variation not in BY_NAME:
            raise ValueError(f"unknown variation {variation!r}; choose from {', '.join(BY_NAME)}")
        var = BY_NAME[variation]
    spec = build_spec(seed, index, fmt)
    rng = spec.rng
    vrng = variation_rng(seed, index, variation) if var else None
    if var is not None:
        spec.name = spec.name.replace(f"-{index:06d}.", f"-{index:06d}-{var.name}.")
        spec.notes.insert(0, f"Variation {var.name} ({var.klass}): {var.doc}")
        if var.spec is not None:
            spec.notes += var.spec(spec, vrng)  # type: ignore[arg-type]
    doc = blocks(spec, rng, header_rowspan=rng.random() < 0.7)
    if var is not None and var.table is not None:
        doc = [(k, var.table(x, spec, vrng) if k == "table" else x) for k, x in doc]  # type: ignore[arg-type]
    render = _docx_renderer() if fmt == "docx" else RENDERERS[fmt]
    data, fmt_notes, ambiguous = render(spec, doc, rng)
    if var is not None and var.page is not None:
        data = var.page(data, spec, vrng)  # type: ignore[arg-type]
    return spec.name, data, build_golden(spec, fmt_notes, ambiguous)


def iter_variations(n: int, seed: int, names: Sequence[str] | None = None) -> Iterator[tuple[str, str, bytes, Golden]]:
    """Yield (variation, file name, bytes, golden) for n reports with issue 9's variations,
    round robin over the variations (or `names`) and each one's formats."""
    for variation, index, fmt in variation_cases(n, seed, tuple(names) if names else None):
        yield (variation, *make_report(seed, index, fmt, variation))


def iter_reports(n: int, seed: int, formats: Sequence[str] = FORMATS) -> Iterator[tuple[str, bytes, Golden]]:
    """Yield (file name, bytes, golden) for reports 0..n-1 without keeping any of them."""
    for i in range(n):
        yield make_report(seed, i, formats[i % len(formats)])


def generate(n: int, seed: int, out_dir: Path, formats: Sequence[str] = FORMATS) -> list[Path]:
    """Write n reports to out_dir and their golden files to out_dir/expected/<file>.json."""
    out_dir = Path(out_dir)
    expected = out_dir / "expected"
    expected.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    for name, data, golden in iter_reports(n, seed, formats):
        path = out_dir / name
        path.write_bytes(data)
        (expected / f"{name}.json").write_text(json.dumps(golden, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        paths.append(path)
    return paths
