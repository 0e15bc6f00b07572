"""Command line: `disclosure parse FILE [--agency NAME] [--year YYYY] [--json]`,
`disclosure audit [--lake DIR] [--json]`, `disclosure export {marts,tables,report,build-marts} …`,
`disclosure release --lake DIR --out DIR [--date YYYY-MM-DD]`."""

from __future__ import annotations

import argparse
import json
import sys

from disclosure import vocabulary as v
from disclosure.model import RejectedReport


def _cmd_parse(args: argparse.Namespace) -> int:
    from disclosure.parse import parse_file

    try:
        report = parse_file(args.file, agency=args.agency, year=args.year)
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


def _open_lake(path: str | None):
    from disclosure.lake import Lake

    lake = Lake.at(path)
    if not lake.root.is_dir():
        print(f"disclosure: {lake.root}: no such lake", file=sys.stderr)
        return None
    return lake


def _cmd_export(args: argparse.Namespace) -> int:
    from pathlib import Path

    from disclosure import exports

    lake = _open_lake(args.lake)
    if lake is None:
        return 2
    try:
        if args.what == "build-marts":
            from disclosure.mart_store import build_lake_marts

            written = [p for p, _, _ in build_lake_marts(lake)]
        elif args.what == "marts":
            written = exports.export_marts(lake, Path(args.out), formats=args.format or ("csv", "xlsx"))
        elif args.what == "tables":
            written = exports.export_body_tables(lake, args.agency, args.year, Path(args.out))
        else:
            written = exports.export_comparison_report(lake, args.agency, Path(args.out))
    except LookupError as e:
        print(f"disclosure: {e.args[0]}", file=sys.stderr)
        return 2
    for p in written:
        print(p)
    return 0


def _cmd_release(args: argparse.Namespace) -> int:
    from datetime import date
    from pathlib import Path

    from disclosure.release import ReleaseError, write_release

    lake = _open_lake(args.lake)
    if lake is None:
        return 2
    try:
        day = date.fromisoformat(args.date) if args.date else None
    except ValueError:
        print(f"disclosure: --date {args.date!r}: expected YYYY-MM-DD", file=sys.stderr)
        return 2
    try:
        result = write_release(lake, Path(args.out), day=day)
    except ReleaseError as e:
        print(f"disclosure: release refused: {e}", file=sys.stderr)
        return 1
    state = "written" if result.written else "unchanged (identical release already there)"
    print(f"{result.path}: {result.n_files} files, {state}; content digest sha256:{result.digest}")
    return 0


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
    p.set_defaults(func=_cmd_parse)
    a = sub.add_parser("audit", help="prove every input file of a lake is accounted for (exit 1 if not)")
    a.add_argument("--lake", help="lake root (default: $DISCLOSURE_LAKE_ROOT or data_lake/)")
    a.add_argument("--json", action="store_true", help="print the counts and findings as one JSON document")
    a.set_defaults(func=_cmd_audit)
    e = sub.add_parser("export", help="CSV/xlsx of the marts, a report's tables as printed, a comparison report")
    e.add_argument("what", choices=("marts", "tables", "report", "build-marts"),
                   help="marts: every mart as CSV + marts.xlsx; tables: one agency-year's 表二/三/四 (HTML + xlsx); "
                   "report: one body's comparison report (HTML, with its tables pages); build-marts: (re)build "
                   "the marts from the warehouse without Dagster")
    e.add_argument("--lake", help="lake root (default: $DISCLOSURE_LAKE_ROOT or data_lake/)")
    e.add_argument("--out", default="exports", help="output folder (default: exports/)")
    e.add_argument("--agency", help="canonical agency name (tables, report)")
    e.add_argument("--year", type=int, help="statistical year (tables)")
    e.add_argument("--format", action="append", choices=("csv", "xlsx"), help="marts: csv and/or xlsx (default both)")
    e.set_defaults(func=_cmd_export)
    r = sub.add_parser("release", help="a dated, checksummed export of the warehouse and marts with a data dictionary")
    r.add_argument("--lake", help="lake root (default: $DISCLOSURE_LAKE_ROOT or data_lake/)")
    r.add_argument("--out", required=True, help="folder that receives disclosure-lake-<date>/")
    r.add_argument("--date", help="release date (default: today, UTC)")
    r.set_defaults(func=_cmd_release)
    args = ap.parse_args(argv)
    if args.command == "export" and args.what in ("tables", "report") and not args.agency:
        ap.error(f"export {args.what} needs --agency")
    if args.command == "export" and args.what == "tables" and args.year is None:
        ap.error("export tables needs --year")
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
