"""veosim's benchmarks: how fast the drivers search, and how fast they find known bugs.

Speed and memory goals are measured here, never by timed tests. Every input is fixed
(seeds, domains, depths, the corpus), so two runs on one machine measure the same work;
only the clock readings differ. Usage:

    python benchmarks/run.py            # the full run (20 to 35 minutes on 2 cores)
    python benchmarks/run.py --quick    # fewer seeds and repeats, no SMALL depth 4
    python benchmarks/run.py --json     # the same numbers as JSON, for tools
    python benchmarks/run.py --save results.json   # markdown out, JSON to a file too

The results go to stdout (a markdown report, or JSON); progress goes to stderr. The exit
code is 1 when a known bug went undetected for some seed, else 0.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import datetime
import gc
import json
import math
import multiprocessing
import os
import platform
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import hypothesis

from veosim import scenario
from veosim.clients import CATALOGUE, resolve
from veosim.domain import STARTS, Domain
from veosim.drivers import gate
from veosim.drivers.explore import ONE_DEVICE, SMALL, explore
from veosim.drivers.machine import run_machine
from veosim.drivers.replay import run_steps

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "scenarios"

SEED_BUG_CLIENT = "seed-prefix"
SEED_BUG_PROPERTIES = ("list_detail_agree", "view_keeps_status")

EXPLORER_RUNS: tuple[tuple[str, Domain, tuple[str, ...], int], ...] = (
    ("SMALL", SMALL, tuple(STARTS), 3),
    ("SMALL", SMALL, tuple(STARTS), 4),
    ("ONE_DEVICE", ONE_DEVICE, ("empty",), 5),
)
"""(domain name, domain, starts, depth): the starts are those `gate.EXPLORATIONS` uses."""

T = TypeVar("T")
Row = dict[str, Any]


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def nearest_rank(values: Sequence[float], fraction: float) -> float:
    """The nearest-rank percentile: the smallest value with `fraction` of them at or below."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def median_run(runs: int, work: Callable[[], T], seconds: Callable[[T], float]) -> tuple[T, float]:
    """Run `work` `runs` times; the last result and the median of its timings."""
    timings: list[float] = []
    result: T | None = None
    for _ in range(runs):
        result = work()
        timings.append(seconds(result))
    assert result is not None
    return result, statistics.median(timings)


# --- 1. state machine throughput ----------------------------------------------------------


def machine_throughput(runs: int) -> Row:
    """The ci profile against the reference, every property: examples/s and steps/s."""
    spec = resolve("reference")
    rates: list[tuple[float, float, float]] = []
    examples = steps = 0
    for index in range(runs):
        report = run_machine(spec.factory, spec.name, profile="ci")
        if report.counterexample is not None:
            raise SystemExit(f"the reference failed {report.counterexample.violation.property}")
        examples, steps = report.examples, report.steps
        rates.append(
            (report.seconds, report.examples / report.seconds, report.steps / report.seconds)
        )
        log(f"  machine run {index + 1}/{runs}: {report.seconds:.2f} s")
    return {
        "runs": runs,
        "examples": examples,
        "steps": steps,
        "seconds": statistics.median(r[0] for r in rates),
        "examples_per_second": statistics.median(r[1] for r in rates),
        "steps_per_second": statistics.median(r[2] for r in rates),
    }


# --- 2. time to find the seed bug ---------------------------------------------------------


def seed_bug(seeds: Sequence[int]) -> Row:
    """The machine against the seed's pre-fix client, from the empty start, per seed."""
    spec = resolve(SEED_BUG_CLIENT)
    per_seed: list[Row] = []
    for seed in seeds:
        report = run_machine(
            spec.factory,
            spec.name,
            checked=SEED_BUG_PROPERTIES,
            profile="ci",
            seed=seed,
            starts=("empty",),
        )
        ce = report.counterexample
        per_seed.append(
            {
                "seed": seed,
                "found": ce is not None,
                "seconds": report.seconds,
                "steps": len(ce.steps) if ce is not None else None,
                "property": ce.violation.property if ce is not None else None,
            }
        )
        log(f"  seed-bug seed {seed}: {report.seconds:.2f} s, {per_seed[-1]['steps']} steps")
    times = [row["seconds"] for row in per_seed]
    lengths = [row["steps"] for row in per_seed if row["steps"] is not None]
    return {
        "seeds": list(seeds),
        "found": sum(row["found"] for row in per_seed),
        "median_seconds": statistics.median(times),
        "p90_seconds": nearest_rank(times, 0.9),
        "max_seconds": max(times),
        "max_steps": max(lengths, default=None),
        "per_seed": per_seed,
    }


# --- 3. catalogue detection ---------------------------------------------------------------


def detect(client: str, seed: int) -> Row:
    """One `gate.check` of one catalogue client (runs in a worker process)."""
    report = gate.check(resolve(client), "ci", seed, (), with_laws=False)
    violated = [p for p in report.properties if p.counterexample is not None]
    shortest = min(
        (len(p.counterexample.steps) for p in violated if p.counterexample), default=None
    )
    return {
        "client": client,
        "seed": seed,
        "caught": bool(violated),
        "violated": [p.name for p in violated],
        "shortest_steps": shortest,
        "detect_seconds": min((p.seconds for p in violated), default=None),
        "check_seconds": report.seconds,
    }


def catalogue(seeds: Sequence[int], workers: int) -> list[Row]:
    """Every catalogue client over every seed, in a pool; one summary row per client."""
    jobs = [(spec.name, seed) for spec in CATALOGUE for seed in seeds]
    results: list[Row] = []
    # spawn: each worker starts clean, with no Hypothesis state inherited from this process.
    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = {pool.submit(detect, name, seed): (name, seed) for name, seed in jobs}
        for done, future in enumerate(concurrent.futures.as_completed(futures), start=1):
            row = future.result()
            results.append(row)
            verdict = (
                f"caught ({', '.join(row['violated'])}) in {row['detect_seconds']:.2f} s, "
                f"{row['shortest_steps']} steps"
                if row["caught"]
                else "NOT CAUGHT"
            )
            log(f"  [{done}/{len(jobs)}] {row['client']} seed {row['seed']}: {verdict}")
    summary: list[Row] = []
    for spec in CATALOGUE:
        rows = sorted((r for r in results if r["client"] == spec.name), key=lambda r: r["seed"])
        caught = [r for r in rows if r["caught"]]
        violated = sorted({name for r in caught for name in r["violated"]})
        summary.append(
            {
                "client": spec.name,
                "seeds": len(rows),
                "caught": len(caught),
                "worst_shortest_steps": max((r["shortest_steps"] for r in caught), default=None),
                "worst_detect_seconds": max((r["detect_seconds"] for r in caught), default=None),
                "median_check_seconds": statistics.median(r["check_seconds"] for r in rows),
                "violated": violated,
                "per_seed": rows,
            }
        )
    return summary


# --- 4. explorer --------------------------------------------------------------------------


def explorer(runs: tuple[tuple[str, Domain, tuple[str, ...], int], ...]) -> list[Row]:
    """States/s and transitions/s untraced, then the tracemalloc peak in a second run:
    tracing slows the search about fourfold, so it must not share a run with the timing."""
    spec = resolve("reference")
    rows: list[Row] = []
    for name, domain, starts, depth in runs:
        gc.collect()
        report = explore(spec.factory, spec.name, depth, domain, starts)
        log(f"  explore {name} depth {depth}: {report.states} states, {report.seconds:.2f} s")
        gc.collect()
        tracemalloc.start()
        tracemalloc.reset_peak()
        traced = explore(spec.factory, spec.name, depth, domain, starts)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        del traced
        log(f"  explore {name} depth {depth} traced: peak {peak / 2**20:.1f} MiB")
        rows.append(
            {
                "domain": name,
                "starts": list(starts),
                "depth": depth,
                "states": report.states,
                "transitions": report.transitions,
                "complete": report.complete,
                "seconds": report.seconds,
                "states_per_second": report.states / report.seconds,
                "transitions_per_second": report.transitions / report.seconds,
                "peak_mib": peak / 2**20,
            }
        )
    return rows


# --- 5. replayer --------------------------------------------------------------------------


def replayer(runs: int) -> Row:
    """Each corpus file loaded, then replayed against the reference: median ms per file."""
    factory = resolve("reference").factory
    files: list[Row] = []
    for path in sorted(CORPUS.glob("*.toml")):
        load_ms: list[float] = []
        replay_ms: list[float] = []
        actions = 0
        for _ in range(runs):
            began = time.perf_counter()
            loaded = scenario.load(path)
            loaded_at = time.perf_counter()
            steps = [action for _, action, _ in loaded.actions()]
            run_steps(loaded.initial(factory), steps)
            ended = time.perf_counter()
            load_ms.append((loaded_at - began) * 1000)
            replay_ms.append((ended - loaded_at) * 1000)
            actions = len(steps)
        files.append(
            {
                "file": path.name,
                "actions": actions,
                "load_ms": statistics.median(load_ms),
                "replay_ms": statistics.median(replay_ms),
            }
        )
    log(f"  replayed {len(files)} files x {runs}")
    total = sum(f["load_ms"] + f["replay_ms"] for f in files)
    return {
        "runs": runs,
        "files": files,
        "total_ms": total,
        "mean_ms_per_file": total / len(files) if files else 0.0,
    }


# --- output -------------------------------------------------------------------------------


def machine_facts() -> Row:
    try:
        commit = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        commit = "unknown"
    return {
        "date": datetime.date.today().isoformat(),
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "cpu_count": os.cpu_count(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "hypothesis": hypothesis.__version__,
        "commit": commit,
    }


def _num(value: float | None, digits: int = 2) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


def markdown(results: Row) -> str:
    facts = results["facts"]
    lines = [
        "## veosim benchmarks",
        "",
        f"{facts['date']}, commit {facts['commit']}; Python {facts['python']} "
        f"({facts['implementation']}), Hypothesis {facts['hypothesis']}; "
        f"{facts['cpu_count']} CPUs, {facts['platform']}"
        + (" (--quick)" if results["quick"] else ""),
        "",
    ]
    m = results["machine"]
    lines += [
        f"### 1. State machine throughput (reference, profile ci, median of {m['runs']})",
        "",
        "| examples | steps | seconds | examples/s | steps/s |",
        "|---:|---:|---:|---:|---:|",
        f"| {m['examples']} | {m['steps']} | {_num(m['seconds'])} "
        f"| {_num(m['examples_per_second'], 1)} | {_num(m['steps_per_second'], 0)} |",
        "",
    ]
    s = results["seed_bug"]
    seeds = s["seeds"]
    lines += [
        f"### 2. Time to find the seed bug ({SEED_BUG_CLIENT}, seeds {seeds[0]}..{seeds[-1]})",
        "",
        "| found | median s | p90 s | max s | max counterexample steps |",
        "|---:|---:|---:|---:|---:|",
        f"| {s['found']}/{len(seeds)} | {_num(s['median_seconds'])} | {_num(s['p90_seconds'])} "
        f"| {_num(s['max_seconds'])} | {s['max_steps']} |",
        "",
    ]
    lines += [
        f"### 3. Catalogue detection (gate.check, profile ci, no laws, "
        f"{results['catalogue_seeds']} seeds each)",
        "",
        "| client | caught | worst shortest counterexample (steps) | worst time to detect (s) "
        "| median check (s) | properties violated |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for row in results["catalogue"]:
        lines.append(
            f"| {row['client']} | {row['caught']}/{row['seeds']} | {row['worst_shortest_steps']} "
            f"| {_num(row['worst_detect_seconds'])} | {_num(row['median_check_seconds'])} "
            f"| {', '.join(row['violated'])} |"
        )
    lines += [
        "",
        "### 4. Explorer (reference)",
        "",
        "| domain | depth | states | transitions | seconds | states/s | transitions/s | peak MiB |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in results["explorer"]:
        lines.append(
            f"| {row['domain']} | {row['depth']} | {row['states']:,} | {row['transitions']:,} "
            f"| {_num(row['seconds'])} | {_num(row['states_per_second'], 0)} "
            f"| {_num(row['transitions_per_second'], 0)} | {_num(row['peak_mib'], 1)} |"
        )
    r = results["replayer"]
    lines += [
        "",
        f"### 5. Replayer (scenarios/*.toml against reference, median of {r['runs']})",
        "",
        "| file | actions | load ms | replay ms |",
        "|---|---:|---:|---:|",
    ]
    for row in r["files"]:
        lines.append(
            f"| {row['file']} | {row['actions']} | {_num(row['load_ms'])} "
            f"| {_num(row['replay_ms'])} |"
        )
    lines.append(
        f"| **all {len(r['files'])} files** | | | **{_num(r['total_ms'], 1)} ms total, "
        f"{_num(r['mean_ms_per_file'])} ms per file** |"
    )
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer seeds and repeats")
    parser.add_argument("--json", action="store_true", help="print JSON instead of markdown")
    parser.add_argument("--workers", type=int, default=2, help="processes for the catalogue")
    parser.add_argument("--save", type=Path, help="also write the JSON results to this file")
    args = parser.parse_args(argv)
    # The example database and a profile from the environment would change the inputs.
    os.environ.pop("VEOSIM_DATABASE", None)
    os.environ.pop("VEOSIM_PROFILE", None)

    repeats = 1 if args.quick else 3
    bug_seeds = range(1, 6) if args.quick else range(1, 21)
    catalogue_seeds = range(1, 4) if args.quick else range(1, 21)
    explorations = tuple(r for r in EXPLORER_RUNS if not (args.quick and r[3] == 4))

    began = time.perf_counter()
    results: Row = {"facts": machine_facts(), "quick": args.quick}
    log("1. state machine throughput")
    results["machine"] = machine_throughput(repeats)
    log("2. time to find the seed bug")
    results["seed_bug"] = seed_bug(list(bug_seeds))
    log("4. explorer")
    results["explorer"] = explorer(explorations)
    log("5. replayer")
    results["replayer"] = replayer(5 if args.quick else 20)
    # Last, and alone: the pool keeps every core busy, which would skew the others.
    log(f"3. catalogue detection ({len(CATALOGUE)} clients x {len(catalogue_seeds)} seeds)")
    results["catalogue_seeds"] = len(catalogue_seeds)
    results["catalogue"] = catalogue(list(catalogue_seeds), args.workers)
    results["seconds"] = time.perf_counter() - began
    log(f"done in {results['seconds']:.0f} s")

    if args.save is not None:
        args.save.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(results, indent=2) if args.json else markdown(results))
    missed = [r["client"] for r in results["catalogue"] if r["caught"] < r["seeds"]]
    if results["seed_bug"]["found"] < len(bug_seeds):
        missed.insert(0, f"{SEED_BUG_CLIENT} (machine)")
    if missed:
        log(f"undetected for some seed: {', '.join(missed)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
