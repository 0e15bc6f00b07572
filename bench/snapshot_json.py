"""Guard for parser speed work: the JSON of every parse, written to a folder, to byte-diff before/after.

    .venv/bin/python bench/snapshot_json.py OUT_DIR [ROOT ...]     # default roots: tests/fixtures, ../shared corpus
    diff -r BEFORE_DIR AFTER_DIR                                   # must be empty unless a bug was fixed

Each file under the roots is parsed in process (`parse_bytes` + `to_json_dict`); a rejection
is written as its code and message, so a change in what is rejected shows up too.
PDF and DOCX files are included (their readers share tables.py/numbers.py).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from disclosure.model import RejectedReport
from disclosure.parse import parse_bytes

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_ROOTS = [ROOT / "tests" / "fixtures", Path("/work/shared/corpus/real")]
SKIP_SUFFIXES = {".json", ".csv", ".md5"}


def snapshot(path: Path) -> str:
    try:
        report = parse_bytes(path.read_bytes(), path)
    except RejectedReport as e:
        return json.dumps({"rejected": e.code, "message": e.message}, ensure_ascii=False, indent=1)
    except Exception as e:  # the guard records crashes too
        return json.dumps({"crash": f"{type(e).__name__}: {e}"}, ensure_ascii=False, indent=1)
    report.source_file = path.name
    return json.dumps(report.to_json_dict(), ensure_ascii=False, indent=1, sort_keys=True, default=str)


def main() -> None:
    # argparse, so that `--help` prints the usage (three helpers' `--help` runs wrote a `--help/` folder).
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path, help="folder the snapshot is written to")
    ap.add_argument("roots", type=Path, nargs="*", help="folders parsed (default: tests/fixtures and the shared corpus)")
    args = ap.parse_args()
    out = args.out
    roots = args.roots or DEFAULT_ROOTS
    n = 0
    for root in roots:
        if not root.exists():
            continue
        for p in sorted(root.rglob("*")):
            if not p.is_file() or p.suffix.lower() in SKIP_SUFFIXES or "expected" in p.parts:
                continue
            target = out / root.name / p.relative_to(root)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.with_name(p.name + ".json").write_text(snapshot(p), encoding="utf-8")
            n += 1
    # The lake rows of every accepted text/HTML report, as one batch (frames_for + validation).
    from disclosure.batch import parse_batch

    files = [p for root in roots if root.exists() for p in sorted(root.rglob("*"))
             if p.is_file() and p.suffix.lower() in (".txt", ".html", ".htm", ".md") and "expected" not in p.parts]
    batch = parse_batch(files)
    with open(out / "frames.txt", "w", encoding="utf-8") as fh:
        for table, df in batch.frames.items():
            fh.write(f"== {table} {list(df.dtypes.astype(str))}\n{df.to_csv(index=False)}\n")
        fh.write(f"== rejected\n{sorted(map(tuple, map(vars, batch.rejected)))}\n")
    print(f"{n} files written under {out}")


if __name__ == "__main__":
    main()
