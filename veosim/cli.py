"""The command line: arguments, printing, exit codes.

Each command lives in `veosim/commands/<name>.py` with `add_arguments(parser)` and
`execute(args) -> int`. Exit codes: 0 as expected, 1 a property failed (or a scenario
did not turn out as it expects), 2 bad usage or input. A `VeosimError` is bad input:
printed as one line, no traceback. Anything else is our bug and keeps its traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from veosim.model import VeosimError

COMMANDS: dict[str, str] = {
    "check": "run every property with every driver against a client (the CI gate)",
    "run": "replay scenario files and print their timelines",
    "mutants": "run the catalogue of known-bad clients: the kill matrix",
    "explore": "explore every action sequence up to a depth",
    "clients": "list the built-in clients and what each gets wrong",
}


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"veosim: {message} (see 'veosim {self.prog.split()[-1]} --help')\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="veosim", description="Prove local/cloud reconciliation right.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for name, help_text in COMMANDS.items():
        module = importlib.import_module(f"veosim.commands.{name}")
        command = sub.add_parser(name, help=help_text, description=help_text)
        module.add_arguments(command)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    module = importlib.import_module(f"veosim.commands.{args.command}")
    try:
        code: int = module.execute(args)
    except VeosimError as error:
        print(f"veosim: {error}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0
    return code


if __name__ == "__main__":
    sys.exit(main())
