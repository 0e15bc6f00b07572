"""Command line: `disclosure parse FILE [--agency NAME] [--year YYYY] [--json] [--ocr]`,
`disclosure audit [--lake DIR] [--json]`."""

from __future__ import annotations

import argparse
import json
import sys

from disclosure import vocabulary as v
from disclosure.model import RejectedReport


def _cmd_parse(args: argparse.Namespace) -> int:
    from disclosure.parse import parse_file

    ocr = None
    if args.ocr:
        from disclosure.ocr import OcrSettings

        ocr = OcrSettings()
    try:
        report = parse_file(args.file, agency=args.agency, year=args.year, ocr=ocr)
    except RejectedReport as e:
        print(f"disclosure: {args.file}: rejected ({e.code}): {e.message}", file=sys.stderr)
        return 2
    except OSError as e:
        print(f"disclosure: {args.file}: cannot read: {e.strerror or e}", file=sys.stderr)
        return 2
    doc = report.to_json_dict()
    if args.json:
        json.dump(doc, sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
        return 0
    print(summary(doc))
    return 0


def _cmd_audit(args: argparse.Namespace) -> int:
    from disclosure.audit import audit_lake
    from disclosure.lake import Lake

    lake = Lake.at(args.lake)
    if not lake.root.is_dir():
        print(f"disclosure: {lake.root}: no such lake", file=sys.stderr)
        return 2
    result = audit_lake(lake)
    if args.json:
        json.dump(result.to_dict(), sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    else:
        print(result.summary())
    return result.exit_status


def _fmt(x) -> str:
    if x is None:
        return "·"
    if isinstance(x, float) and x.is_integer():
        return str(int(x))
    return str(x)


def summary(doc: dict) -> str:
    ids = doc["identity_sources"]
    lines = [
        f"{doc['file']}: {doc['agency']} {doc['year']} (template {doc['template']}, {doc['format']})",
        f"  agency from {ids['agency']['source']}, year from {ids['year']['source']}",
        "",
        "表二 active_disclosure",
    ]
    for k, val in doc["active_disclosure"].items():
        lines.append(f"  {k:<40} {_fmt(val):>12}")
    lines += ["", "表三 applications".ljust(42) + "".join(f"{a[:8]:>9}" for a in v.APPLICANTS)]
    for row, cols in doc["applications"].items():
        lines.append(f"  {row:<40}" + "".join(f"{_fmt(cols[a]):>9}" for a in v.APPLICANTS))
    lines += ["", "表四 review_litigation".ljust(42) + "".join(f"{o:>10}" for o in v.OUTCOMES)]
    for p in v.PROCEEDINGS:
        lines.append(f"  {p:<40}" + "".join(f"{_fmt(doc['review_litigation'][f'{p}.{o}']):>10}" for o in v.OUTCOMES))
    counts: dict[str, int] = {}
    for c in doc["checks"]:
        counts[c["status"]] = counts.get(c["status"], 0) + 1
    lines += ["", "checks: " + ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))]
    lines += [f"  FAIL {c['check']} [{c['scope']}]: {c['detail']}" for c in doc["checks"] if c["status"] == "fail"]
    if doc["flags"]:
        lines += ["", f"flags ({len(doc['flags'])} cells):"]
        lines += [f"  {k}: {', '.join(f)}" for k, f in doc["flags"].items()]
    if doc["warnings"]:
        lines += ["", "warnings:"] + [f"  {w}" for w in doc["warnings"]]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="disclosure", description=__doc__)
    sub = ap.add_subparsers(dest="command", required=True)
    p = sub.add_parser("parse", help="parse one report and print its cells")
    p.add_argument("file")
    p.add_argument("--agency", help="agency name (overrides what the report says)")
    p.add_argument("--year", type=int, help="statistical year (overrides what the report says)")
    p.add_argument("--json", action="store_true", help="print one JSON document in the golden files' shape")
    p.add_argument("--ocr", action="store_true", help="read a scanned PDF or a PNG/JPEG page image by OCR "
                   "(cached in $DISCLOSURE_OCR_CACHE or ~/.cache/disclosure-lake/ocr)")
    p.set_defaults(func=_cmd_parse)
    a = sub.add_parser("audit", help="prove every input file of a lake is accounted for (exit 1 if not)")
    a.add_argument("--lake", help="lake root (default: $DISCLOSURE_LAKE_ROOT or data_lake/)")
    a.add_argument("--json", action="store_true", help="print the counts and findings as one JSON document")
    a.set_defaults(func=_cmd_audit)
    args = ap.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
