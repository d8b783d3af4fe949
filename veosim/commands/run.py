"""`veosim run FILE...`: replay scenario files and print their timelines.

Every file is loaded before any is replayed, so a bad file stops the command before it
prints anything (exit 2, one line: `path:line: message`). Each scenario is replayed with
the chosen client and judged against its own `[expect]`: exit 0 when every file turns
out as it expects, 1 when one does not.
"""

from __future__ import annotations

import argparse

from veosim import report
from veosim.clients import resolve
from veosim.commands import options
from veosim.drivers.replay import replay_file
from veosim.scenario import load


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", metavar="FILE", help="scenario files (TOML)")
    options.add_client(parser)
    parser.add_argument(
        "--format",
        choices=report.FORMATS,
        default="table",
        help="how to print each timeline (default: %(default)s)",
    )


def execute(args: argparse.Namespace) -> int:
    spec = resolve(args.client)
    scenarios = [load(path) for path in args.files]
    runs = [replay_file(scenario, spec.factory, spec.name) for scenario in scenarios]
    print(report.render_runs(runs, args.format))
    return 0 if all(run.verdict.as_expected for run in runs) else 1
