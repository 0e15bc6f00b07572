"""The numbers of one synthetic report: consistent by construction, then printed.

`true_*` functions build numbers that satisfy every identity of vocabulary.md; `print_*`
functions turn them into what the report prints (blank cells → None), optionally break
one identity on purpose. The golden file is made from the printed numbers only.
"""

from __future__ import annotations

import random
from decimal import Decimal

from disclosure import vocabulary as v

Num = int | float | None
AppTable = dict[str, dict[str, int | None]]

ORG_COLUMNS = v.ORG_APPLICANTS
VALUE_COLUMNS = (*v.APPLICANTS[:6],)

# Relative weight of each outcome row (2021 layout); jittered per report.
OUTCOME_WEIGHTS: dict[str, float] = {
    "granted": 0.34,
    "partially_granted": 0.07,
    "withheld.state_secret": 0.004,
    "withheld.prohibited_by_law": 0.01,
    "withheld.endangers_security": 0.004,
    "withheld.third_party_rights": 0.01,
    "withheld.internal_affairs": 0.02,
    "withheld.process_info": 0.02,
    "withheld.enforcement_file": 0.015,
    "withheld.administrative_query": 0.02,
    "unable.not_held": 0.24,
    "unable.needs_creation": 0.03,
    "unable.unclear_after_correction": 0.02,
    "not_processed.petition": 0.03,
    "not_processed.duplicate": 0.02,
    "not_processed.publication": 0.003,
    "not_processed.mass_repetitive": 0.01,
    "not_processed.confirm_or_reissue": 0.004,
    "other_handling.overdue_correction": 0.03,
    "other_handling.overdue_fee": 0.004,
    "other_handling.other": 0.06,
}
SIZE_CLASSES: tuple[tuple[str, float, int, int], ...] = (
    # name, probability, min and max new applications
    ("none", 0.08, 0, 0),
    ("tiny", 0.22, 1, 6),
    ("small", 0.32, 6, 60),
    ("medium", 0.24, 60, 600),
    ("large", 0.14, 600, 6000),
)


def pick_size(rng: random.Random) -> tuple[str, int]:
    roll = rng.random()
    for name, p, lo, hi in SIZE_CLASSES:
        if roll < p:
            return name, rng.randint(lo, hi)
        roll -= p
    return "small", rng.randint(6, 60)


def allocate(rng: random.Random, n: int, weights: dict[str, float]) -> dict[str, int]:
    """Split n into the keys of `weights` (jittered proportions, exact sum)."""
    if n <= 0:
        return dict.fromkeys(weights, 0)
    keys = list(weights)
    rnd = rng.random
    # Minor rows are often empty in real tables; the big ones (weight > 0.2) never are.
    jittered = [w * (0.2 + 1.6 * rnd()) if w > 0.2 or rnd() > 0.35 else 0.0 for w in weights.values()]
    if not any(jittered):
        jittered[0] = 1.0
    total = sum(jittered)
    counts = [int(n * w / total) for w in jittered]
    rest = n - sum(counts)
    live = [i for i, w in enumerate(jittered) if w > 0]
    for i in rng.choices(live, weights=[jittered[i] for i in live], k=rest):
        counts[i] += 1
    return dict(zip(keys, counts, strict=True))


def split_applicants(rng: random.Random, n: int, org_share: float) -> dict[str, int]:
    """n applications across the six applicant columns (natural persons dominate)."""
    orgs = {c: 0 for c in ORG_COLUMNS}
    if n and org_share:
        org_total = min(n, round(n * org_share))
        orgs = allocate(rng, org_total, {"commercial_enterprise": 0.6, "research_institution": 0.03,
                                          "social_welfare_org": 0.05, "legal_service_org": 0.2, "other_org": 0.12})
    return {"natural_person": n - sum(orgs.values()), **orgs}


def true_applications(rng: random.Random, n_new: int, org_share: float) -> AppTable:
    """Table 三 in the 2021 layout with every identity holding."""
    new = split_applicants(rng, n_new, org_share)
    table: AppTable = {row: {} for row in v.APPLICATION_ROWS_2021}
    carry_rate = rng.choice((0.0, 0.0, rng.uniform(0, 0.08)))
    forward_rate = rng.choice((0.0, 0.0, rng.uniform(0, 0.1)))
    weights = {k: w * rng.uniform(0.5, 1.5) for k, w in OUTCOME_WEIGHTS.items()}
    for col in VALUE_COLUMNS:
        if new[col] == 0 and carry_rate == 0:
            for row in table:
                table[row][col] = 0
            continue
        carried = round(new[col] * carry_rate * (0.5 + rng.random()))
        available = new[col] + carried
        forward = min(available, round(available * forward_rate * (0.5 + rng.random())))
        done = available - forward
        outcome = allocate(rng, done, weights)
        table["new_received"][col] = new[col]
        table["carried_over"][col] = carried
        for row, count in outcome.items():
            table[row][col] = count
        table["results_total"][col] = done
        table["carried_forward"][col] = forward
    for cells in table.values():
        cells["total"] = sum(cells[c] for c in VALUE_COLUMNS)
    return table


def one_row_other(table: AppTable) -> AppTable:
    """The same numbers in the 2019 layout (三(六) 其他处理 as one row)."""
    merged: AppTable = {}
    for row in v.APPLICATION_ROWS_ONE_ROW_OTHER:
        if row == "other_handling":
            merged[row] = {c: sum(table[s][c] for s in v.OTHER_HANDLING_SUBROWS) for c in v.APPLICANTS}
        else:
            merged[row] = dict(table[row])
    return merged


def true_review(rng: random.Random, size: str, n_new: int) -> dict[str, int]:
    out: dict[str, int] = {}
    scale = {"none": 0, "tiny": 0.1, "small": 0.08, "medium": 0.06, "large": 0.08}[size]
    for proc, share in (("review", 1.0), ("litigation_direct", 0.25), ("litigation_after_review", 0.3)):
        n = round(n_new * scale * share * rng.uniform(0, 2)) if rng.random() < 0.7 else 0
        parts = allocate(rng, n, {"upheld": 0.5, "corrected": 0.1, "other": 0.3, "pending": 0.1})
        for outcome, count in parts.items():
            out[f"{proc}.{outcome}"] = count
        out[f"{proc}.total"] = n
    return {k: out[k] for k in v.REVIEW_LITIGATION_KEYS}


def _magnitude(rng: random.Random, size: str, lo: int, hi: int) -> int:
    factor = {"none": 0.05, "tiny": 0.1, "small": 0.3, "medium": 0.7, "large": 1.0}[size]
    return int(rng.uniform(lo, hi) ** rng.uniform(0.3, 1.0) * factor) if rng.random() < 0.8 else 0


def money_10k(rng: random.Random, size: str) -> Decimal:
    """A fee amount in 万元 as printed (0, integer or up to 6 decimals)."""
    roll = rng.random()
    if roll < 0.25:
        return Decimal(0)
    base = Decimal(_magnitude(rng, size, 1, 60000) + rng.randint(0, 9))
    places = rng.choice((0, 0, 1, 2, 2, 4, 6))
    frac = Decimal(rng.randint(0, 10**places - 1)) / (Decimal(10) ** places) if places else Decimal(0)
    return base + frac


def true_active(rng: random.Random, template: str, size: str, is_government: bool) -> dict[str, int | Decimal]:
    out: dict[str, int | Decimal] = {}
    if template == "2021":
        for cat in ("regulations", "normative_documents"):
            if cat == "regulations" and not is_government:
                issued = abolished = in_force = 0
            else:
                hi = 8 if cat == "regulations" else 80
                issued = _magnitude(rng, size, 0, hi)
                abolished = _magnitude(rng, size, 0, hi)
                in_force = issued + _magnitude(rng, size, 0, hi * 12)
            out.update({f"{cat}.issued": issued, f"{cat}.abolished": abolished, f"{cat}.in_force": in_force})
        out["licensing.decisions"] = _magnitude(rng, size, 0, 600000)
        out["punishment.decisions"] = _magnitude(rng, size, 0, 400000)
        out["enforcement.decisions"] = _magnitude(rng, size, 0, 20000)
        out["fees.amount_10k_yuan"] = money_10k(rng, size)
        return out
    for cat in ("regulations", "normative_documents"):
        if cat == "regulations" and not is_government:
            made = published = total = 0
        else:
            made = _magnitude(rng, size, 0, 10 if cat == "regulations" else 90)
            published = made if rng.random() < 0.8 else rng.randint(0, made)
            total = published + _magnitude(rng, size, 0, 600)
        out.update({f"{cat}.made": made, f"{cat}.published": published, f"{cat}.total_public": total})
    for cat in ("licensing", "other_services", "punishment", "enforcement"):
        prev = _magnitude(rng, size, 0, 3000)
        change = rng.randint(-min(prev, 30), 60) if rng.random() < 0.6 else 0
        out.update({f"{cat}.prev_items": prev, f"{cat}.change": change, f"{cat}.decisions": _magnitude(rng, size, 0, 5000)})
    prev = _magnitude(rng, size, 0, 60)
    out.update({"fees.prev_items": prev, "fees.change": rng.randint(-min(prev, 20), 10) if rng.random() < 0.5 else 0})
    out["procurement.items"] = _magnitude(rng, size, 0, 500)
    out["procurement.amount_10k_yuan"] = Decimal(0)  # set by the printing step (unit choice)
    return out


def yuan_to_10k(yuan: Decimal) -> float:
    """Exact decimal conversion (251000元 → 25.1), as the golden files record it."""
    return float((yuan / Decimal(10000)).normalize())


def as_number(value: int | Decimal) -> int | float:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value
