"""Timelines as text: a terminal table, a markdown table, a mermaid diagram, or JSON.

Data in, text out: every function takes traces (and their verdicts) and returns a
string or plain data; nothing here steps the world, reads files or prints. The same
input gives the same text byte for byte: no clock, no dict-order surprises.

JSON documents carry `"schema": "veosim.run/1"` (see docs/scenarios.md); any change to
their shape bumps the version.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import attrs
from tabulate import tabulate

from veosim.drivers.replay import Frame, Replayed, Trace, Verdict
from veosim.model import DetailEntry, Job, ListEntry, Summary, summary_label
from veosim.world import Outcome, Request

SCHEMA = "veosim.run/1"
FORMATS = ("table", "markdown", "mermaid", "json")

_ABSENT = "-"


# --- cells ----------------------------------------------------------------------------------


def _job(job: Job | None) -> str:
    return _ABSENT if job is None else job.label()


def _cloud(row: Summary | None, blob: Job | None) -> str:
    if blob is not None and row == blob.summary():
        return blob.label()
    if row is None and blob is None:
        return _ABSENT
    row_text = _ABSENT if row is None else summary_label(row)
    return f"row {row_text} / blob {_job(blob)}"


def _entry(entry: ListEntry | DetailEntry | None, crash: str | None) -> str:
    if crash is not None:
        return f"raised {crash}"
    return _ABSENT if entry is None else entry.label()


def _cell(values: Sequence[tuple[str, str]], many: bool, newline: str) -> str:
    if not many:
        return values[0][1] if values else _ABSENT
    return newline.join(f"{job_id}: {text}" for job_id, text in values) or _ABSENT


def _action(frame: Frame) -> str:
    return "start" if frame.action is None else frame.action.describe()


def _rows(trace: Trace, newline: str) -> tuple[list[str], list[list[str]]]:
    many = len(trace.job_ids()) > 1
    headers = ["#", "step"]
    headers += [f"{device} local" for device in trace.devices]
    headers.append("cloud")
    for device in trace.devices:
        headers += [f"{device} list", f"{device} detail"]
    headers.append("violated")
    rows = []
    for frame in (trace.initial, *trace.frames):
        row = [str(frame.step), _action(frame)]
        for device in trace.devices:
            values = [(s.job_id, _job(dict(s.local)[device])) for s in frame.stores]
            row.append(_cell(values, many, newline))
        row.append(_cell([(s.job_id, _cloud(s.row, s.blob)) for s in frame.stores], many, newline))
        for device in trace.devices:
            mine = [v for v in frame.views if v.device == device]
            row.append(
                _cell([(v.job_id, _entry(v.listed, v.list_crash)) for v in mine], many, newline)
            )
            row.append(
                _cell([(v.job_id, _entry(v.detail, v.detail_crash)) for v in mine], many, newline)
            )
        names = sorted({v.property for v in frame.violations})
        row.append(newline.join(names))
        rows.append(row)
    return headers, rows


def _first_violations(trace: Trace) -> list[str]:
    """Each property's first violation only: what a reader needs, without repeats."""
    seen: set[str] = set()
    lines = []
    for frame in (trace.initial, *trace.frames):
        for v in frame.violations:
            if v.property not in seen:
                seen.add(v.property)
                lines.append(f"step {frame.step}: {v.property}: {v.message}")
    return lines


# --- table ----------------------------------------------------------------------------------


def table(trace: Trace) -> str:
    """The timeline as a terminal table, then each property's first violation."""
    headers, rows = _rows(trace, "\n")
    text = tabulate(rows, headers=headers, tablefmt="simple", disable_numparse=True)
    first = _first_violations(trace)
    if first:
        text += "\n\nfirst violations:\n" + "\n".join(f"  {line}" for line in first)
    return text


def _verdict_line(verdict: Verdict) -> str:
    judged = "as expected" if verdict.as_expected else "NOT as expected"
    return f"expected: {verdict.expected}; outcome: {verdict.outcome}: {judged}"


def _table_run(run: Replayed) -> str:
    lines = [f"{run.scenario.path}: {run.scenario.title} (client {run.client})", table(run.trace)]
    lines.append(_verdict_line(run.verdict))
    lines.extend(f"  {reason}" for reason in run.verdict.reasons)
    return "\n".join(lines)


# --- markdown -------------------------------------------------------------------------------


def _md(text: str) -> str:
    return text.replace("|", "\\|")


def markdown(trace: Trace) -> str:
    """The timeline as a GitHub markdown table, ready to paste into a bug report."""
    headers, rows = _rows(trace, "<br>")
    text = tabulate(
        [[_md(cell) for cell in row] for row in rows],
        headers=[_md(h) for h in headers],
        tablefmt="github",
        disable_numparse=True,
    )
    first = _first_violations(trace)
    if first:
        text += "\n\n" + "\n".join(f"- {_md(line)}" for line in first)
    return text


def _markdown_run(run: Replayed) -> str:
    parts = [f"### {run.scenario.title}", ""]
    if run.scenario.description:
        parts += [run.scenario.description.strip(), ""]
    parts += [f"`{run.scenario.path}`, client `{run.client}`", "", markdown(run.trace), ""]
    parts.append(f"**{_verdict_line(run.verdict)}**")
    parts.extend(f"- {_md(reason)}" for reason in run.verdict.reasons)
    return "\n".join(parts)


# --- mermaid --------------------------------------------------------------------------------


def _mm(text: str) -> str:
    """Text safe in a mermaid message: no statement separators, comments or entities."""
    return " ".join(text.replace(";", ",").replace("#", "no. ").replace("%%", "%").split())


def _request_lines(request: Request) -> list[str]:
    device = request.device
    target = f"{request.method.value} {request.job}" if request.job else request.method.value
    if request.effect.startswith("late: ") or request.effect == "dropped":
        if request.effect == "dropped":
            return [f"    Note over network: {_mm(f'dropped {device} {target}')}"]
        return [f"    network->>cloud: {_mm(f'{target} from {device} ({request.effect})')}"]
    if request.effect == "in flight":
        return [f"    {device}-)network: {_mm(f'{target} ({request.outcome.value}, in flight)')}"]
    if request.outcome is Outcome.OK:
        return [
            f"    {device}->>cloud: {_mm(target)}",
            f"    cloud-->>{device}: {_mm(request.effect)}",
        ]
    if request.outcome is Outcome.TORN:
        return [
            f"    {device}->>cloud: {_mm(target)}",
            f"    cloud--x{device}: {_mm(f'500 after the row was written ({request.effect})')}",
        ]
    return [
        f"    {device}-xnetwork: {_mm(target)}",
        f"    network--x{device}: {_mm(request.outcome.value)}",
    ]


def _participant(name: str) -> str:
    return name if name.replace("_", "").isalnum() else f'"{_mm(name)}"'


def mermaid(trace: Trace, title: str | None = None) -> str:
    """The timeline as a mermaid `sequenceDiagram`: devices, the network, the cloud."""
    devices = [_participant(device) for device in trace.devices]
    lines = ["sequenceDiagram"]
    if title is not None:
        lines.append(f"    %% {_mm(title)}")
    lines += [f"    participant {device}" for device in devices]
    lines += ["    participant network", "    participant cloud"]
    for frame in trace.frames:
        assert frame.action is not None
        device = getattr(frame.action, "device", None)
        over = _participant(device) if isinstance(device, str) else "network"
        if frame.action.actor == "world":
            over = f"{devices[0]},cloud"
        label = f"{frame.step}. {frame.action.actor}: {frame.action.describe()}"
        lines.append(f"    Note over {over}: {_mm(label)}")
        for request in frame.requests:
            lines += _request_lines(request)
        for view in frame.opened:
            who = _participant(view.device)
            if view.crash is not None:
                lines.append(f"    Note over {who}: {_mm(f'raised {view.crash}')}")
            elif view.job is None:
                shown = ", ".join(f"{e.job_id} {e.label()}" for e in view.entries) or "empty"
                lines.append(f"    Note over {who}: {_mm(f'list: {shown}')}")
            else:
                shown = view.detail.label() if view.detail is not None else "nothing"
                lines.append(f"    Note over {who}: {_mm(f'detail {view.job}: {shown}')}")
        for violation in frame.violations:
            text = f"VIOLATED {violation.property}: {violation.message}"
            lines.append(f"    Note over {devices[0]},cloud: {_mm(text)}")
    return "\n".join(lines)


# --- json -----------------------------------------------------------------------------------


def _summary_data(summary: Summary | None) -> dict[str, Any] | None:
    if summary is None:
        return None
    return {**attrs.asdict(summary)}


def _job_data(job: Job | None) -> dict[str, Any] | None:
    if job is None:
        return None
    return {**job.to_dict(), "digest": job.digest}


def _entry_data(entry: ListEntry | DetailEntry | None) -> dict[str, Any] | None:
    """A list row (shown: a summary) or a detail view (shown: the full job)."""
    if entry is None:
        return None
    shown = entry.shown
    return {
        "shown": _job_data(shown) if isinstance(shown, Job) else _summary_data(shown),
        "source": entry.source.value,
        "status": entry.status.value,
    }


def _frame_data(frame: Frame) -> dict[str, Any]:
    return {
        "step": frame.step,
        "action": None
        if frame.action is None
        else {"kind": frame.action.kind, "actor": frame.action.actor, **frame.action.arguments()},
        "clock": frame.clock,
        "stores": [
            {
                "job_id": s.job_id,
                "local": {device: _job_data(job) for device, job in s.local},
                "row": _summary_data(s.row),
                "blob": _job_data(s.blob),
            }
            for s in frame.stores
        ],
        "views": [
            {
                "device": v.device,
                "job_id": v.job_id,
                "list": _entry_data(v.listed),
                "list_crash": v.list_crash,
                "detail": _entry_data(v.detail),
                "detail_crash": v.detail_crash,
            }
            for v in frame.views
        ],
        "screens": {device: _entry_data(screen) for device, screen in frame.screens},
        "requests": [
            {
                "device": r.device,
                "method": r.method.value,
                "job_id": r.job,
                "outcome": r.outcome.value,
                "effect": r.effect,
            }
            for r in frame.requests
        ],
        "crashes": [
            {"device": c.device, "operation": c.operation, "error": c.error} for c in frame.crashes
        ],
        "violations": [{"property": v.property, "message": v.message} for v in frame.violations],
        "reached": sorted(frame.reached),
        "in_flight": frame.in_flight,
        "settling": None
        if frame.settling is None
        else {"rounds": list(frame.settling.rounds), "quiet": frame.settling.quiet},
    }


def trace_data(trace: Trace) -> dict[str, Any]:
    """A trace as plain data (the `trace` member of a run in the JSON document)."""
    return {
        "devices": list(trace.devices),
        "jobs": list(trace.job_ids()),
        "frames": [_frame_data(frame) for frame in (trace.initial, *trace.frames)],
        "violated": list(trace.violated()),
        "first_violation": trace.first_violation(),
        "reached": list(trace.reached()),
    }


def run_data(run: Replayed) -> dict[str, Any]:
    """One replayed scenario as plain data."""
    expect = run.scenario.expect
    return {
        "path": run.scenario.path,
        "title": run.scenario.title,
        "client": run.client,
        "expect": {"holds": True}
        if expect.holds
        else {"violated": list(expect.violated), "from_step": expect.from_step},
        "verdict": {
            "as_expected": run.verdict.as_expected,
            "expected": run.verdict.expected,
            "outcome": run.verdict.outcome,
            "reasons": list(run.verdict.reasons),
        },
        "trace": trace_data(run.trace),
    }


def document(runs: Sequence[Replayed]) -> dict[str, Any]:
    """The `--format json` document for `veosim run`."""
    return {
        "schema": SCHEMA,
        "as_expected": all(run.verdict.as_expected for run in runs),
        "runs": [run_data(run) for run in runs],
    }


def _json(data: object) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False)


# --- entry points ---------------------------------------------------------------------------


def render_trace(trace: Trace, fmt: str) -> str:
    """One trace (e.g. a counterexample) in the given format."""
    if fmt == "table":
        return table(trace)
    if fmt == "markdown":
        return markdown(trace)
    if fmt == "mermaid":
        return mermaid(trace)
    if fmt == "json":
        return _json({"schema": SCHEMA, "trace": trace_data(trace)})
    raise ValueError(f"unknown format {fmt!r}; expected one of: {', '.join(FORMATS)}")


def render_runs(runs: Sequence[Replayed], fmt: str) -> str:
    """What `veosim run` prints for these replayed scenarios."""
    if fmt == "json":
        return _json(document(runs))
    if fmt == "mermaid":
        return "\n\n".join(
            mermaid(run.trace, f"{run.scenario.path}: {run.scenario.title}") for run in runs
        )
    render = _markdown_run if fmt == "markdown" else _table_run
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; expected one of: {', '.join(FORMATS)}")
    body = "\n\n".join(render(run) for run in runs)
    good = sum(run.verdict.as_expected for run in runs)
    return f"{body}\n\n{good} of {len(runs)} scenarios as expected"
