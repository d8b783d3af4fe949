"""Printing what the drivers found: tables, counterexamples, the check document.

Data in, text out; the commands decide where it goes. Everything printed is
deterministic for a given seed except the time columns, which `--no-timings` drops.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tabulate import tabulate

from veosim import report, scenario
from veosim.drivers.counterexample import Counterexample
from veosim.drivers.gate import CheckReport, PropertyResult
from veosim.drivers.replay import run_steps

CHECK_SCHEMA = "veosim.check/1"


def seconds(value: float) -> str:
    return f"{value:.1f}s"


def export_all(found: list[Counterexample], directory: str, client: str) -> dict[str, Path]:
    """Write each counterexample as a scenario file; property name -> path."""
    return {ce.violation.property: scenario.export(ce, directory, client) for ce in found}


def counterexample_text(
    ce: Counterexample, exported: Path | None, client: str, fmt: str = "table"
) -> str:
    """The violation, the steps ready to paste into a scenario, and the timeline."""
    lines = [
        f"== {ce.violation.property}: {ce.violation.message}",
        f"   start: {ce.start}; {len(ce.steps)} step{'s' if len(ce.steps) != 1 else ''}:",
        *(f"   {index}. {action.describe()}" for index, action in enumerate(ce.steps, 1)),
    ]
    if exported is not None:
        lines.append(f"   exported: {exported}")
        lines.append(f"   replay:   veosim run {exported} --client {client}")
    lines.append("")
    lines.append(report.render_trace(run_steps(ce.initial, ce.steps), fmt))
    return "\n".join(lines)


def _verdict(result: PropertyResult) -> str:
    return "holds" if result.holds else "VIOLATED"


def check_table(outcome: CheckReport, timings: bool = True) -> str:
    headers = ["property", "verdict", "found by", "steps", "examples", "machine steps", "states"]
    if timings:
        headers.append("time")
    rows = []
    for result in outcome.properties:
        ce = result.counterexample
        row: list[Any] = [
            result.name,
            _verdict(result),
            result.found_by or "-",
            len(ce.steps) if ce is not None else "-",
            result.examples,
            result.steps,
            result.states,
        ]
        if timings:
            row.append(seconds(result.seconds))
        rows.append(row)
    return tabulate(rows, headers=headers, tablefmt="simple", disable_numparse=True)


def sometimes_table(outcome: CheckReport) -> str:
    rows = [
        (name, count, "reached" if count else "NEVER REACHED") for name, count in outcome.sometimes
    ]
    return tabulate(
        rows, headers=("sometimes", "times reached", ""), tablefmt="simple", disable_numparse=True
    )


def laws_text(outcome: CheckReport) -> str:
    broken = [law for law in outcome.laws if not law.holds]
    if not outcome.laws:
        return "core laws: not run"
    examples = sum(law.examples for law in outcome.laws)
    head = f"core laws: {len(outcome.laws) - len(broken)} of {len(outcome.laws)} hold ({examples} examples)"
    return "\n".join([head, *(f"  {law.name} broken by {law.counterexample}" for law in broken)])


def scenarios_text(outcome: CheckReport) -> str:
    if not outcome.scenarios:
        return "scenarios: none replayed"
    wrong = [s for s in outcome.scenarios if not s.as_expected]
    head = (
        f"scenarios: {len(outcome.scenarios)} replayed, "
        f"{len(outcome.scenarios) - len(wrong)} as expected"
    )
    rows = [(s.path, s.expected, s.outcome) for s in wrong]
    if not rows:
        return head
    table = tabulate(rows, headers=("not as expected", "expected", "outcome"), tablefmt="simple")
    return f"{head}\n{table}"


def check_document(
    outcome: CheckReport, exported: dict[str, Path], code: int, timings: bool
) -> str:
    """The `--json` document (schema veosim.check/1)."""
    data: dict[str, Any] = {
        "schema": CHECK_SCHEMA,
        "client": outcome.client,
        "profile": outcome.profile,
        "seed": outcome.seed,
        "exit": code,
        "laws": [
            {
                "name": law.name,
                "holds": law.holds,
                "examples": law.examples,
                "counterexample": law.counterexample,
            }
            for law in outcome.laws
        ],
        "properties": [
            {
                "name": result.name,
                "doc": result.doc,
                "verdict": "holds" if result.holds else "violated",
                "found_by": result.found_by,
                "examples": result.examples,
                "machine_steps": result.steps,
                "explored_states": result.states,
                "counterexample": None
                if result.counterexample is None
                else {
                    "start": result.counterexample.start,
                    "steps": [a.describe() for a in result.counterexample.steps],
                    "message": result.counterexample.violation.message,
                    "exported": str(exported.get(result.name, "")) or None,
                },
            }
            for result in outcome.properties
        ],
        "sometimes": dict(outcome.sometimes),
        "scenarios": [
            {
                "path": s.path,
                "expected": s.expected,
                "outcome": s.outcome,
                "as_expected": s.as_expected,
            }
            for s in outcome.scenarios
        ],
    }
    if timings:
        data["timings"] = {
            "total": round(outcome.seconds, 3),
            "properties": {r.name: round(r.seconds, 3) for r in outcome.properties},
            "laws": {law.name: round(law.seconds, 3) for law in outcome.laws},
        }
    return json.dumps(data, indent=2, sort_keys=False)
