"""`veosim check`: the CI gate. Every driver of the profile against one client.

Runs the core's laws, the state machine, the exhaustive explorer and the scenario
corpus; prints a table (or `--json`); prints each counterexample as a timeline and
exports it as a scenario file before exiting. Exit 0 when everything holds, 1 when a
property is violated (or a scenario is not as expected, or in the ci profile a
sometimes-state was never reached), 2 on bad usage or input.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from veosim.clients import resolve
from veosim.commands import options, output
from veosim.drivers import gate
from veosim.drivers.machine import current_profile


def add_arguments(parser: argparse.ArgumentParser) -> None:
    options.add_client(parser)
    options.add_profile(parser)
    options.add_export(parser)
    options.add_json(parser)
    parser.add_argument(
        "--scenarios",
        default="scenarios",
        metavar="DIR",
        help="replay DIR/*.toml too (default: %(default)s, when it exists; '' for none)",
    )
    parser.add_argument(
        "--format",
        choices=("table", "markdown", "mermaid", "json"),
        default="table",
        help="how to print counterexample timelines (default: %(default)s)",
    )


def scenario_files(directory: str) -> list[Path]:
    if not directory:
        return []
    root = Path(directory)
    return sorted(root.glob("*.toml")) if root.is_dir() else []


def execute(args: argparse.Namespace) -> int:
    spec = resolve(args.client)
    profile = args.profile or current_profile()
    outcome = gate.check(spec, profile, args.seed, scenario_files(args.scenarios))
    found = [r.counterexample for r in outcome.properties if r.counterexample is not None]
    exported = output.export_all(found, args.export, spec.name)
    code = 0 if outcome.passed else 1
    timings = not args.no_timings
    if args.json:
        print(output.check_document(outcome, exported, code, timings))
        return code
    seed = args.seed if args.seed is not None else ("derandomized" if profile == "ci" else "random")
    print(f"veosim check: client {spec.name}, profile {profile}, seed {seed}")
    print()
    print(output.laws_text(outcome))
    print()
    print(output.check_table(outcome, timings))
    print()
    print(output.sometimes_table(outcome))
    print()
    print(output.scenarios_text(outcome))
    for ce in found:
        print()
        print(
            output.counterexample_text(
                ce, exported.get(ce.violation.property), spec.name, args.format
            )
        )
    print()
    broken = [r.name for r in outcome.properties if not r.holds]
    if code == 0:
        print(f"all {len(outcome.properties)} properties hold for {spec.name}")
    elif broken:
        print(f"{spec.name} violates: {', '.join(broken)}")
    else:
        print(f"{spec.name}: a scenario or sometimes-state is not as required")
    return code
