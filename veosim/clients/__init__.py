"""Clients under test: the reference, the catalogue of bad ones, and loading by name.

`resolve("reference")`, `resolve("seed-prefix")`, or `resolve("package.module:Class")`
for a user's own Python client. Unknown names and import failures raise `ClientError`,
one line that says what would work.
"""

from __future__ import annotations

import difflib
import importlib
from typing import cast

import attrs

from veosim.clients import catalogue
from veosim.clients.reference import ReferenceClient
from veosim.contract import ClientFactory
from veosim.model import VeosimError


class ClientError(VeosimError):
    """A client that cannot be loaded, or that broke the protocol."""


@attrs.frozen
class ClientSpec:
    name: str
    factory: ClientFactory
    description: str


def _spec(name: str, factory: ClientFactory) -> ClientSpec:
    doc = (factory.__doc__ or "").strip().splitlines()
    return ClientSpec(name, factory, doc[0] if doc else "")


REFERENCE = _spec("reference", ReferenceClient)

CATALOGUE: tuple[ClientSpec, ...] = (
    _spec("seed-prefix", catalogue.SeedPrefixClient),
    _spec("detail-caches-cloud", catalogue.DetailCachesCloudClient),
    _spec("presence-badge", catalogue.PresenceBadgeClient),
    _spec("offline-raises", catalogue.OfflineRaisesClient),
    _spec("sync-on-open", catalogue.SyncOnOpenClient),
    _spec("unconditional-put", catalogue.UnconditionalPutClient),
    _spec("stale-edit", catalogue.StaleEditClient),
    _spec("resurrect", catalogue.ResurrectClient),
    _spec("no-pull", catalogue.NoPullClient),
    _spec("tick-resync", catalogue.TickResyncClient),
    _spec("rank-only", catalogue.RankOnlyClient),
    _spec("offline-drop", catalogue.OfflineDropClient),
    _spec("local-delete", catalogue.LocalDeleteClient),
)
"""The known-bad clients, the seed's pre-fix client first."""

BUILT_IN: dict[str, ClientSpec] = {spec.name: spec for spec in (REFERENCE, *CATALOGUE)}


def resolve(name: str) -> ClientSpec:
    """The client a `--client` value names."""
    if name in BUILT_IN:
        return BUILT_IN[name]
    if ":" in name:
        return _checked(_import(name))
    close = difflib.get_close_matches(name, BUILT_IN, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    if not close and "." in name:
        hint = f"; a client of your own is named module:Class, e.g. '{name}:Client'"
    raise ClientError(
        f"unknown client {name!r}{hint} (built in: {', '.join(BUILT_IN)}; or package.module:Class)"
    )


def _import(name: str) -> ClientSpec:
    module_name, _, attribute = name.partition(":")
    if not module_name or not attribute:
        raise ClientError(f"client {name!r} must look like package.module:Class")
    try:
        module = importlib.import_module(module_name)
    except Exception as error:  # the user's module failed to import: say so in one line
        hint = (
            " (is its folder on sys.path? e.g. PYTHONPATH=. veosim ...)"
            if isinstance(error, ModuleNotFoundError)
            else ""
        )
        raise ClientError(
            f"client {name!r}: cannot import {module_name!r} "
            f"({type(error).__name__}: {error}){hint}"
        ) from None
    target: object = module
    for part in attribute.split("."):
        target = getattr(target, part, None)
        if target is None:
            raise ClientError(f"client {name!r}: module {module_name!r} has no {attribute!r}")
    if not callable(target):
        raise ClientError(f"client {name!r}: {attribute!r} is not a class or callable")
    doc = (getattr(target, "__doc__", None) or "").strip().splitlines()
    return ClientSpec(name, cast(ClientFactory, target), doc[0] if doc else "")


def _checked(spec: ClientSpec) -> ClientSpec:
    """A user's client is built once up front, so that one that cannot be constructed or
    lacks an operation is bad input (one line), not a run full of crashes."""
    from veosim.world import probe_client

    problem = probe_client(spec.factory)
    if problem is not None:
        raise ClientError(f"client {spec.name!r}: {problem}")
    return spec
