"""Command line: `disclosure parse FILE [--agency NAME] [--year YYYY] [--json] [--ocr]`,
`disclosure audit [--lake DIR] [--json]`, `disclosure review list|show|accept|set …`,
`disclosure export {marts,tables,report,build-marts} …`, `disclosure release --lake DIR --out DIR [--date YYYY-MM-DD]`."""

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


def _review_lake(args: argparse.Namespace):
    from disclosure.lake import Lake

    lake = Lake.at(args.lake)
    if not lake.root.is_dir():
        raise SystemExit(f"disclosure: {lake.root}: no such lake")
    return lake


def _cmd_review_list(args: argparse.Namespace) -> int:
    import pandas as pd

    from disclosure.review import build_queue, curated_years, filter_queue

    lake = _review_lake(args)
    years = [args.year] if args.year else curated_years(lake)
    frames = [build_queue(lake, y) for y in years]
    q = pd.concat(frames, ignore_index=True) if frames else None
    if q is None or not len(q):
        print("review queue: empty")
        return 0
    q = filter_queue(q, agency=args.agency, flag=args.flag, status=None if args.all else "open")
    if args.json:
        json.dump([{k: (x.tolist() if hasattr(x, "tolist") else None if x is pd.NA else x) for k, x in r.items()}
                   for r in q.to_dict("records")], sys.stdout, ensure_ascii=False, indent=1, default=str)
        sys.stdout.write("\n")
        return 0
    print(f"review queue: {len(q)} item(s)")
    for r in q.to_dict("records"):
        what = (f"printed {r['raw_text']!r}" if r["item"] == "cell" else f"{_fmt(r['lhs'])} vs {_fmt(r['rhs'])}")
        cands = f" candidates {[_fmt(c) for c in r['candidates']][:8]}" if r["candidates"] is not None else ""
        print(f"  {r['year']} {r['agency']} [{r['status']}] {r['key']} ({', '.join(r['flags'])}): {what}{cands}"
              f" @ {r['where'] or '-'}")
    return 0


def _find_cell(lake, args: argparse.Namespace):
    """(queue-like record of the cell, its partition frames) or SystemExit naming what is missing."""
    from disclosure.review import build_queue_for, key_columns, read_partition, split_cell_key

    try:
        table, a, b = split_cell_key(args.cell)
    except ValueError as e:
        raise SystemExit(f"disclosure: {e}") from None
    if args.report:
        from disclosure.lake import decode_agency_key

        found = next(iter(lake.raw.glob(f"year=*/agency=*/{args.report}*.json")), None)
        if found is None:
            raise SystemExit(f"disclosure: no raw file in {lake.raw} is named {args.report}…")
        agency, year = decode_agency_key(found.parent.name.split("=", 1)[1]), int(found.parent.parent.name.split("=")[1])
    elif args.agency and args.year:
        agency, year = args.agency, args.year
    else:
        raise SystemExit("disclosure: name the report (--report SHA) or the agency-year (--agency, --year)")
    frames = read_partition(lake, agency, year)
    if frames is None or not len(frames["reports"]):
        raise SystemExit(f"disclosure: {agency}|{year} is not curated in {lake.root}")
    df = frames[table]
    ca, cb = key_columns(table)
    rows = df[(df[ca] == a) & (df[cb] == b)]
    if not len(rows):
        raise SystemExit(f"disclosure: {agency}|{year} has no cell {args.cell}")
    q = build_queue_for(lake, frames)
    item = q[(q["item"] == "cell") & (q["key"] == args.cell)]
    return rows.iloc[0], (item.iloc[0] if len(item) else None), frames, q


def _cmd_review_show(args: argparse.Namespace) -> int:
    from disclosure.review import excerpt, read_document, sources_of

    lake = _review_lake(args)
    cell, item, frames, _ = _find_cell(lake, args)
    rep = frames["reports"].iloc[0]
    src = sources_of(lake, frames["reports"])[str(rep["report_id"])]
    flags = list(cell["flags"]) if cell["flags"] is not None else []
    cands = cell["candidates"]
    print(f"{args.cell} of {rep['agency']} {rep['year']} (report {rep['report_id']})")
    print(f"  value:      {_fmt(None if cell['value'] is None or cell['value'] is pd_na() else cell['value'])}")
    print(f"  flags:      {', '.join(flags) or 'none'}")
    print(f"  printed:    {cell['raw_text']!r}")
    print(f"  candidates: {[_fmt(c) for c in cands] if cands is not None else '-'}")
    print(f"  where:      {cell['where'] or '-'}")
    if "corrected" in flags:
        print(f"  original:   {_fmt(cell['original_value'])} flags {list(cell['original_flags'] or [])}")
    if item is not None:
        print(f"  to decide:  {item['reason']}")
    print(f"  source:     {src.source_file} ({src.raw_path})")
    if src.raw_path:
        ex = excerpt(read_document(lake, src.raw_path), cell["where"], cell["raw_text"])
        print("  excerpt:")
        print("\n".join("    " + ln for ln in (ex.text(raw_text=cell["raw_text"]) or "(the printed text was not found in the source)").splitlines()))
    return 0


def pd_na():
    import pandas as pd

    return pd.NA


def _cmd_review_correct(args: argparse.Namespace) -> int:
    from disclosure.corrections import Correction, CorrectionError, append_correction, now

    lake = _review_lake(args)
    cell, _, frames, _ = _find_cell(lake, args)
    rep = frames["reports"].iloc[0]
    cands = [float(c) for c in cell["candidates"]] if cell["candidates"] is not None else []
    flags = list(cell["flags"]) if cell["flags"] is not None else []
    value = args.candidate if args.command_review == "accept" else args.value
    if args.command_review == "accept" and float(value) not in cands:
        print(f"disclosure: {args.cell}: {_fmt(value)} is not among its candidates {[_fmt(c) for c in cands]}"
              " (use `set --value … --override` to enter another value)", file=sys.stderr)
        return 2
    if "ambiguous" in flags and cands and value is not None and float(value) not in cands and not args.override:
        print(f"disclosure: {args.cell} is ambiguous: {_fmt(value)} is not among its candidates "
              f"{[_fmt(c) for c in cands]}; pass --override to enter it anyway", file=sys.stderr)
        return 2
    c = Correction(cell=args.cell, value=None if value is None else float(value), reviewer=args.reviewer,
                   reason=args.reason, date=now(), report_id=str(rep["report_id"]), agency=str(rep["agency"]),
                   year=int(rep["year"]), override=bool(getattr(args, "override", False)))
    try:
        c = append_correction(lake, c)
    except CorrectionError as e:
        print(f"disclosure: {e}", file=sys.stderr)
        return 2
    print(f"correction recorded (line {c.line}): {c.cell} of {c.agency} {c.year} = {_fmt(c.value)}; "
          "the corrections sensor re-curates the partition (or re-run curation)")
    return 0


def _add_review(sub) -> None:
    r = sub.add_parser("review", help="the review queue: list it, show a cell, accept a candidate or set a value")
    rs = r.add_subparsers(dest="command_review", required=True)

    def common(p, cell: bool) -> None:
        p.add_argument("--lake", help="lake root (default: $DISCLOSURE_LAKE_ROOT or data_lake/)")
        p.add_argument("--agency")
        p.add_argument("--year", type=int)
        if cell:
            p.add_argument("--report", help="report_id (SHA-256, or its first characters) instead of --agency/--year")
            p.add_argument("--cell", required=True, help="cell key, e.g. applications.granted.natural_person")

    ls = rs.add_parser("list", help="list the open review items (filters: --year, --agency, --flag)")
    common(ls, cell=False)
    ls.add_argument("--flag", help="only items carrying this flag (ambiguous, not_found, identity_failed …)")
    ls.add_argument("--all", action="store_true", help="include corrected cells")
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(func=_cmd_review_list)
    sh = rs.add_parser("show", help="show a cell with the printed text around it in the source file")
    common(sh, cell=True)
    sh.set_defaults(func=_cmd_review_show)
    for name, helptext in (("accept", "accept one of an ambiguous cell's candidates"), ("set", "set a cell's value")):
        p = rs.add_parser(name, help=helptext + " (appends to corrections/corrections.jsonl)")
        common(p, cell=True)
        if name == "accept":
            p.add_argument("--candidate", type=float, required=True)
        else:
            g = p.add_mutually_exclusive_group(required=True)
            g.add_argument("--value", type=float)
            g.add_argument("--blank", dest="value", action="store_const", const=None,
                           help="the cell is printed blank (null)")
            p.add_argument("--override", action="store_true", help="allow a value not among the candidates")
        p.add_argument("--reviewer", required=True)
        p.add_argument("--reason", required=True)
        p.set_defaults(func=_cmd_review_correct, override=False)


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
    _add_review(sub)
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
