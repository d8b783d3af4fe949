"""`veosim mutants`: the catalogue of known-bad clients against the properties.

Each bad client goes through the same gate as `veosim check` (state machine and
explorer; the laws are about the core, not the client, and are left out). The kill
matrix shows, per client and property, the length of the shortest counterexample
found. Exit 0 when every bad client is caught, 1 when one survives.
"""

from __future__ import annotations

import argparse
import json
import os
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from tabulate import tabulate

from veosim import properties
from veosim.clients import CATALOGUE, ClientSpec, resolve
from veosim.commands import options, output
from veosim.drivers import gate
from veosim.drivers.machine import current_profile

MUTANTS_SCHEMA = "veosim.mutants/1"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    options.add_profile(parser)
    options.add_json(parser)
    parser.add_argument(
        "--jobs",
        type=int,
        default=os.cpu_count() or 1,
        help="clients checked in parallel (default: %(default)s, the CPU count)",
    )
    parser.add_argument(
        "clients", nargs="*", metavar="CLIENT", help="only these catalogued clients"
    )


def _check(job: tuple[str, str, int | None]) -> gate.CheckReport:
    name, profile, seed = job
    return gate.check(resolve(name), profile, seed, (), with_laws=False)


def execute(args: argparse.Namespace) -> int:
    profile = args.profile or current_profile()
    chosen: list[ClientSpec] = [resolve(name) for name in args.clients] or list(CATALOGUE)
    jobs = [(spec.name, profile, args.seed) for spec in chosen]
    if args.jobs > 1 and len(jobs) > 1:
        with ProcessPoolExecutor(max_workers=args.jobs) as pool:
            reports = list(pool.map(_check, jobs))
    else:
        reports = [_check(job) for job in jobs]
    survivors = [r.client for r in reports if all(p.holds for p in r.properties)]
    code = 1 if survivors else 0
    timings = not args.no_timings
    if args.json:
        print(json.dumps(_document(chosen, reports, code, timings), indent=2))
        return code
    print(kill_matrix(chosen, reports, timings))
    print()
    if survivors:
        print(f"survived: {', '.join(survivors)}")
    else:
        print(f"all {len(reports)} bad clients caught (profile {profile})")
    return code


def _cell(result: gate.PropertyResult) -> str:
    if result.counterexample is None:
        return "."
    return str(len(result.counterexample.steps))


def detect_seconds(report: gate.CheckReport) -> float | None:
    caught = [p.seconds for p in report.properties if not p.holds]
    return min(caught) if caught else None


def kill_matrix(
    chosen: list[ClientSpec], reports: list[gate.CheckReport], timings: bool = True
) -> str:
    """Bad client x property: steps of the shortest counterexample ('.' = not caught)."""
    short = [name.replace("_", " ") for name in properties.PROPERTY_NAMES]
    headers = ["client", *short, "caught"]
    if timings:
        headers.append("time to detect")
    rows = []
    for spec, report in zip(chosen, reports, strict=True):
        caught = sum(not p.holds for p in report.properties)
        row = [spec.name, *(_cell(p) for p in report.properties), "yes" if caught else "NO"]
        if timings:
            found = detect_seconds(report)
            row.append(output.seconds(found) if found is not None else "-")
        rows.append(row)
    legend = "\n".join(f"  {spec.name}: {spec.description}" for spec in chosen)
    table = tabulate(rows, headers=headers, tablefmt="simple", disable_numparse=True)
    return f"{table}\n\ncells: steps in the shortest counterexample; '.': not caught\n{legend}"


def _document(
    chosen: list[ClientSpec], reports: list[gate.CheckReport], code: int, timings: bool
) -> dict[str, Any]:
    clients = []
    for spec, report in zip(chosen, reports, strict=True):
        entry: dict[str, Any] = {
            "client": spec.name,
            "description": spec.description,
            "caught_by": {
                p.name: {
                    "steps": len(p.counterexample.steps),
                    "found_by": p.found_by,
                    "start": p.counterexample.start,
                    "trace": [a.describe() for a in p.counterexample.steps],
                }
                for p in report.properties
                if p.counterexample is not None
            },
        }
        if timings:
            entry["seconds_to_detect"] = detect_seconds(report)
        clients.append(entry)
    return {"schema": MUTANTS_SCHEMA, "exit": code, "clients": clients}
