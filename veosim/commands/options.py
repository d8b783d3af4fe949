"""Options several commands share, parsed the same way everywhere."""

from __future__ import annotations

import argparse

from veosim.drivers.machine import PROFILES
from veosim.model import VeosimError


def add_client(parser: argparse.ArgumentParser, default: str = "reference") -> None:
    parser.add_argument(
        "--client",
        default=default,
        help="the client under test: a built-in name (see 'veosim clients') or "
        "package.module:Class (default: %(default)s)",
    )


def add_profile(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--profile",
        choices=PROFILES,
        default=None,
        help="search effort: dev (fast), ci (derandomized), nightly (long); "
        "default: $VEOSIM_PROFILE or dev",
    )
    parser.add_argument("--seed", type=int, default=None, help="seed the random search")


def add_json(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    parser.add_argument(
        "--no-timings", action="store_true", help="leave times out (byte-identical output)"
    )


def add_export(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--export",
        default="scenarios/found",
        metavar="DIR",
        help="where counterexamples are written as scenario files (default: %(default)s)",
    )


class UsageError(VeosimError):
    """A command-line value that is well formed but makes no sense."""
