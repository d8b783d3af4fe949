"""`veosim explore`: every action sequence up to a depth, breadth first.

Equal states are merged, so the count of distinct states is the size of the search;
the first violation of each property is a shortest one. Prints a table, each
counterexample as a timeline, and exports them as scenario files. Exit like check.
"""

from __future__ import annotations

import argparse

from tabulate import tabulate

from veosim import properties
from veosim.clients import resolve
from veosim.commands import options, output
from veosim.domain import STARTS
from veosim.drivers.explore import ONE_DEVICE, SMALL, explore

DOMAINS = {"small": SMALL, "one-device": ONE_DEVICE}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    options.add_client(parser)
    options.add_export(parser)
    parser.add_argument("--depth", type=int, default=3, help="steps deep (default: %(default)s)")
    parser.add_argument(
        "--domain",
        choices=tuple(DOMAINS),
        default="small",
        help="small: two devices, one job; one-device: one device, one job",
    )
    parser.add_argument(
        "--start",
        choices=tuple(STARTS),
        action="append",
        help="starting worlds (repeatable; default: all)",
    )
    parser.add_argument("--max-states", type=int, default=None, help="stop after this many")


def execute(args: argparse.Namespace) -> int:
    spec = resolve(args.client)
    if args.depth < 0:
        raise options.UsageError(f"--depth must be >= 0 (got {args.depth})")
    domain = DOMAINS[args.domain]
    starts = tuple(args.start or STARTS)
    report = explore(spec.factory, spec.name, args.depth, domain, starts, None, args.max_states)
    exported = output.export_all(list(report.counterexamples), args.export, spec.name)
    found = {ce.violation.property: ce for ce in report.counterexamples}
    rows = [
        (
            name,
            "VIOLATED" if name in found else "holds",
            len(found[name].steps) if name in found else "-",
        )
        for name in properties.PROPERTY_NAMES
    ]
    print(
        f"veosim explore: client {spec.name}, domain {args.domain}, depth {args.depth}, "
        f"starts {', '.join(starts)}"
    )
    print(
        f"{report.states} distinct states, {report.transitions} transitions, "
        f"{output.seconds(report.seconds)}{'' if report.complete else ' (cut short by --max-states)'}"
    )
    print()
    print(
        tabulate(
            rows, headers=("property", "verdict", "steps"), tablefmt="simple", disable_numparse=True
        )
    )
    for ce in report.counterexamples:
        print()
        print(output.counterexample_text(ce, exported.get(ce.violation.property), spec.name))
    return 1 if report.counterexamples else 0
