"""`veosim clients`: the built-in clients, and what each bad one gets wrong."""

from __future__ import annotations

import argparse

from tabulate import tabulate

from veosim.clients import BUILT_IN


def add_arguments(parser: argparse.ArgumentParser) -> None:
    del parser  # no options


def execute(args: argparse.Namespace) -> int:
    rows = [(spec.name, spec.description) for spec in BUILT_IN.values()]
    print(tabulate(rows, headers=("client", "what it does"), tablefmt="simple"))
    return 0
