"""Time to validate a completed life-situation check (evaluate + clean), against a JSON round trip.

Prints p50/p95 in milliseconds and the ratio to the baseline measured in the same run; exits 1
when the p95 budget is missed (validation is only part of the issue's 15 ms save budget).
"""

from __future__ import annotations

import datetime as dt
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from desktop_app.forms import clean, evaluate, load_shipped_forms

BUDGET_P95_MS = 5.0
ROUNDS = 400
TODAY = dt.date(2026, 11, 25)


def answers() -> dict[str, Any]:
    children = [
        {
            "child_name": f"Kind {i}",
            "child_birth": f"{2010 + i}-0{1 + i % 9}",
            "child_lives": "with_person",
            "child_care": "school" if i < 4 else "daycare",
        }
        for i in range(6)
    ]
    return {
        "family_name": "Петрова",
        "given_names": "Мария",
        "name_latin": "Petrova Mariya",
        "date_of_birth": "1986-04-02",
        "sex": "female",
        "nationality": "bulgarian",
        "languages": ["bg", "tr", "de"],
        "phone": "+49 231 000000",
        "arrival_date": "2025-09",
        "address_registration": "registered",
        "tax_id": "yes",
        "partner": "here",
        "household_size": 8,
        "children_count": 6,
        "children": children,
        "housing_type": "shared_overcrowded",
        "rent": 450,
        "rent_contract": "no",
        "housing_exploitation_signs": ["rent_per_bed", "no_receipt", "overcrowding"],
        "insurance_status": "unclear",
        "pregnant": "yes",
        "due_date": "2027-03",
        "prenatal_care": "no",
        "urgent_medical_need": "yes",
        "urgent_medical_details": "Schmerzen seit einer Woche. " * 40,
        "children_vaccinations": "incomplete",
        "children_u_checks": "no",
        "work_status": ["minijob", "looking"],
        "working_field": "Reinigung",
        "work_contract": "no",
        "benefits": ["none"],
        "kindergeld_status": "not_applied",
        "debts": "yes",
        "work_exploitation_signs": ["wages_withheld", "documents_taken"],
        "exploitation_notes": "Lohn seit zwei Monaten nicht gezahlt.\n" * 30,
        "session_language": "bg",
        "topics": ["jobcenter", "kindergeld", "health_insurance"],
        "urgency": "today",
        "notes": "Begleitung zum Jobcenter am Montag.\n" * 100,
    }


def timings(run: Callable[[], object]) -> tuple[list[float], list[float]]:
    """Wall-clock and thread-CPU milliseconds per call. On a shared, loaded machine the wall
    tail mostly measures other processes, so the budget is checked on CPU time."""
    for _ in range(20):
        run()
    wall, cpu = [], []
    for _ in range(ROUNDS):
        start, start_cpu = time.perf_counter(), time.thread_time()
        run()
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.thread_time() - start_cpu) * 1000)
    return wall, cpu


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


def main() -> int:
    form = load_shipped_forms()["life_situation"]
    data = answers()
    state = evaluate(form, data, today=TODAY)
    assert state.errors == [], state.errors

    def validate_and_clean() -> None:
        clean(form, data, today=TODAY, require_complete=True)

    def baseline() -> None:
        json.loads(json.dumps(data))

    wall, cpu = timings(validate_and_clean)
    base_wall, base_cpu = timings(baseline)
    print(f"fields answered: {len(data)} top-level, {len(data['children'])} children")
    for name, values, base in (("wall", wall, base_wall), ("cpu", cpu, base_cpu)):
        print(
            f"validate+clean life_situation ({name}): p50 {statistics.median(values):.3f} ms, "
            f"p95 {p95(values):.3f} ms; baseline json round trip p95 {p95(base):.3f} ms; "
            f"ratio {p95(values) / max(p95(base), 1e-6):.1f}x"
        )
    print(f"budget: cpu p95 <= {BUDGET_P95_MS} ms")
    return 0 if p95(cpu) <= BUDGET_P95_MS else 1


if __name__ == "__main__":
    sys.exit(main())
