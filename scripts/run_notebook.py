"""Execute notebooks/explore.ipynb on a lake and save its figures (part of `make demo`).

    python scripts/run_notebook.py --lake data_lake [--figures notebooks/figures] [--out data_lake/exports/explore.ipynb]

The executed copy goes to --out; the notebook in git stays without outputs.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lake", default=str(REPO / "data_lake"))
    ap.add_argument("--figures", default=str(REPO / "notebooks" / "figures"))
    ap.add_argument("--out", default=None)
    args = ap.parse_args(argv)
    import nbformat
    from nbclient import NotebookClient

    os.environ.update(DISCLOSURE_LAKE=str(Path(args.lake).resolve()), DISCLOSURE_FIGURES=str(Path(args.figures).resolve()),
                      MPLBACKEND="Agg")
    source = REPO / "notebooks" / "explore.ipynb"
    nb = nbformat.read(source, as_version=4)
    NotebookClient(nb, kernel_name="python3", timeout=300, resources={"metadata": {"path": str(source.parent)}}).execute()
    out = Path(args.out) if args.out else Path(args.lake) / "exports" / "explore.ipynb"
    out.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, out)
    print(f"notebook executed: {out}; figures in {args.figures}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
