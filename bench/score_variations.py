"""Score the parser on generated reports with issue 9's variations (disclosure.synth.variations).

    .venv/bin/python bench/score_variations.py               # 3,000 reports, seed 2027
    .venv/bin/python bench/score_variations.py -n 460 --json out.json
    make score-variations

Per variation (and per issue-9 class): reports, cells, exact, flagged (differs, with a warning
flag), silent (differs WITHOUT a flag — the bug this project exists to prevent), reports
rejected (an honest refusal: nothing of them reaches the lake), reports whose agency or year
was left null or uncertain (quarantined, never filed) and reports with a wrong agency or year. The golden values come from the generator, never from the parser. Exit status 1
when any cell is silently wrong, any identity is wrong or the parser raised, so the target can gate a merge.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from disclosure.identify import UNCERTAIN_IDENTITY_THRESHOLD
from disclosure.model import RejectedReport
from disclosure.parse import parse_bytes
from disclosure.synth import iter_variations
from disclosure.synth.golden import cell_keys
from disclosure.synth.score import score
from disclosure.synth.variations import BY_NAME

FIELDS = ("reports", "cells", "exact", "flagged", "silent", "rejected", "crashed", "identity_uncertain", "identity_wrong")
"""identity_uncertain: an agency or year that differs from the golden one but is null or below
identify.UNCERTAIN_IDENTITY_THRESHOLD (the inbox quarantines such a file as `uncertain_identity`:
it is never filed under that body or year); identity_wrong: a confident wrong value (the worst bug)."""


def run(n: int, seed: int, names: list[str] | None = None) -> tuple[dict[str, dict[str, int]], dict[str, list[str]], float]:
    stats: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(FIELDS, 0))
    examples: dict[str, list[str]] = defaultdict(list)
    started = time.perf_counter()
    for variation, name, data, golden in iter_variations(n, seed, names):
        s = stats[variation]
        s["reports"] += 1
        try:
            parsed = parse_bytes(data, name).to_json_dict()
        except RejectedReport as e:
            s["rejected"] += 1
            s["cells"] += len(cell_keys(golden))
            if len(examples[variation]) < 3:
                examples[variation].append(f"{name}: rejected {e.code}")
            continue
        except Exception as e:  # a parser bug: counted, shown, never hidden
            s["crashed"] += 1
            s["cells"] += len(cell_keys(golden))
            if len(examples[variation]) < 3:
                examples[variation].append(f"{name}: crashed {type(e).__name__}: {e}")
            continue
        result = score(golden, parsed)
        s["cells"] += result.n_cells
        s["exact"] += result.exact
        s["flagged"] += result.flagged
        s["silent"] += len(result.wrong)
        sources = parsed.get("identity_sources", {})
        wrong_identity = [
            e for e in result.identity_errors
            if ": parsed None != " not in e
            and (sources.get(e.split(":", 1)[0], {}).get("confidence") or 0) >= UNCERTAIN_IDENTITY_THRESHOLD
        ]
        s["identity_wrong"] += bool(wrong_identity)
        s["identity_uncertain"] += bool(result.identity_errors) and not wrong_identity
        if (result.wrong or result.identity_errors) and len(examples[variation]) < 3:
            examples[variation].append(f"{name}: {(result.wrong + result.identity_errors)[:3]}")
    return dict(stats), dict(examples), time.perf_counter() - started


def table(stats: dict[str, dict[str, int]]) -> str:
    lines = ["| variation | class | " + " | ".join(FIELDS) + " |", "|---|---|" + "---:|" * len(FIELDS)]
    by_class: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(FIELDS, 0))
    for name, s in stats.items():
        klass = BY_NAME[name].klass
        lines.append(f"| {name} | {klass} | " + " | ".join(str(s[f]) for f in FIELDS) + " |")
        for f in FIELDS:
            by_class[klass][f] += s[f]
    lines += ["", "| class | " + " | ".join(FIELDS) + " |", "|---|" + "---:|" * len(FIELDS)]
    for klass, s in by_class.items():
        lines.append(f"| {klass} | " + " | ".join(str(s[f]) for f in FIELDS) + " |")
    total = {f: sum(s[f] for s in stats.values()) for f in FIELDS}
    lines.append("| **all** | " + " | ".join(str(total[f]) for f in FIELDS) + " |")
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-n", type=int, default=3000, help="number of reports (default 3000)")
    ap.add_argument("--seed", type=int, default=2027)
    ap.add_argument("--only", nargs="*", help="variation names (default: all)")
    ap.add_argument("--json", type=Path, help="also write the per-variation figures as JSON")
    args = ap.parse_args()
    stats, examples, elapsed = run(args.n, args.seed, args.only)
    print(table(stats))
    print(f"\n{sum(s['reports'] for s in stats.values())} reports in {elapsed:.1f} s (seed {args.seed})")
    for name, ex in examples.items():
        print(f"  {name}: " + "; ".join(ex))
    if args.json:
        args.json.write_text(json.dumps({"seed": args.seed, "stats": stats, "examples": examples}, ensure_ascii=False, indent=2))
    bad = sum(s["silent"] + s["identity_wrong"] + s["crashed"] for s in stats.values())
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
