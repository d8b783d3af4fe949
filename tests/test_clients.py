"""Unit tests for veosim.clients: built-in names, user clients by import path, errors."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from veosim import actions as act
from veosim import world as w
from veosim.clients import BUILT_IN, CATALOGUE, REFERENCE, ClientError, resolve
from veosim.clients.reference import ReferenceClient
from veosim.contract import Client
from veosim.model import Job, VeosimError

ROOT = Path(__file__).resolve().parent.parent
BUILT_IN_NAMES = ", ".join(BUILT_IN)


@pytest.fixture
def importable(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """The repository root and a scratch directory are importable; new modules are forgotten."""
    monkeypatch.syspath_prepend(str(ROOT))
    monkeypatch.syspath_prepend(str(tmp_path))
    before = set(sys.modules)
    yield tmp_path
    for name in set(sys.modules) - before:
        del sys.modules[name]


def error_of(name: str) -> str:
    with pytest.raises(ClientError) as caught:
        resolve(name)
    return str(caught.value)


class TestBuiltIn:
    def test_reference(self) -> None:
        """`reference` is the reference client, described by its docstring's first line."""
        spec = resolve("reference")
        assert spec is REFERENCE
        assert (spec.name, spec.factory) == ("reference", ReferenceClient)
        assert spec.description == "The correct client (`--client reference`)."

    def test_seed_prefix_first_in_catalogue(self) -> None:
        """The seed's pre-fix client heads the catalogue of bad clients."""
        spec = resolve("seed-prefix")
        assert CATALOGUE[0] is spec
        assert spec.description == (
            "The detail view returns the cloud version whenever the cloud answers "
            "(the seed app before the fix)."
        )

    def test_names(self) -> None:
        """The reference comes first, then the catalogue, names unique."""
        assert list(BUILT_IN)[:2] == ["reference", "seed-prefix"]
        assert list(BUILT_IN) == [REFERENCE.name, *(spec.name for spec in CATALOGUE)]

    @pytest.mark.parametrize("name", list(BUILT_IN))
    def test_every_built_in_resolves_and_runs(self, name: str) -> None:
        """Each built-in resolves to itself, has a description, and offers the contract."""
        spec = resolve(name)
        assert spec.name == name and spec.description
        client = spec.factory(None, None, None, None)  # type: ignore[arg-type]
        assert isinstance(client, Client)
        hash(client.private_state())

    @pytest.mark.parametrize("spec", CATALOGUE, ids=lambda spec: spec.name)
    def test_catalogue_subclasses_reference(self, spec: object) -> None:
        """Each bad client is the reference with one step done wrong."""
        assert issubclass(spec.factory, ReferenceClient)  # type: ignore[attr-defined]
        assert spec.factory is not ReferenceClient  # type: ignore[attr-defined]


class TestUnknownName:
    def test_did_you_mean(self) -> None:
        """A near miss suggests the built-in it resembles."""
        assert error_of("refrence") == (
            f"unknown client 'refrence'; did you mean 'reference'? "
            f"(built in: {BUILT_IN_NAMES}; or package.module:Class)"
        )

    def test_underscore_for_dash(self) -> None:
        """An underscore for a dash is caught as a near miss."""
        assert error_of("seed_prefix").startswith(
            "unknown client 'seed_prefix'; did you mean 'seed-prefix'? (built in: "
        )

    def test_no_close_match(self) -> None:
        """A name like nothing known lists the built-ins, without a suggestion."""
        assert error_of("zzz") == (
            f"unknown client 'zzz' (built in: {BUILT_IN_NAMES}; or package.module:Class)"
        )

    def test_client_error_is_a_veosim_error(self) -> None:
        """ClientError is one of veosim's own errors (the CLI prints it and exits 2)."""
        assert issubclass(ClientError, VeosimError)


@pytest.mark.usefixtures("importable")
class TestImport:
    def test_user_class(self) -> None:
        """`package.module:Class` loads the user's class, described by its docstring."""
        spec = resolve("tests.sample_client:SampleClient")
        from tests.sample_client import SampleClient

        assert spec.factory is SampleClient
        assert spec.name == "tests.sample_client:SampleClient"
        assert spec.description == "A sample user client that behaves like the reference."

    def test_user_class_runs_in_the_world(self) -> None:
        """A loaded user client drives a world like the reference does."""
        factory = resolve("tests.sample_client:SampleClient").factory
        world = w.initial_world(factory, devices=("d1",))
        result = w.step(world, act.StartJob("d1", "j1"))
        assert result.crashes == ()
        assert result.world.cloud.blob("j1") == Job("j1", "in_progress", 0, 1001, 1001)

    def test_dotted_attribute(self) -> None:
        """The part after the colon may be a dotted path inside the module."""
        spec = resolve("tests.sample_client:Nested.Inner")
        assert spec.factory.__qualname__ == "Nested.Inner"  # type: ignore[attr-defined]

    def test_function_without_docstring(self) -> None:
        """A factory function is accepted; without a docstring its description is empty."""
        spec = resolve("tests.sample_client:undocumented_factory")
        assert callable(spec.factory) and spec.description == ""

    def test_missing_module(self) -> None:
        """A module that does not exist is one line naming it and the import error."""
        assert error_of("tests.no_such_module:Client") == (
            "client 'tests.no_such_module:Client': cannot import 'tests.no_such_module' "
            "(ModuleNotFoundError: No module named 'tests.no_such_module') "
            "(is its folder on sys.path? e.g. PYTHONPATH=. veosim ...)"
        )

    def test_a_client_that_cannot_be_constructed_is_bad_input(self, importable: Path) -> None:
        """A class whose constructor raises is one ClientError line, before any run."""
        (importable / "boom_client.py").write_text(
            "from veosim.clients.reference import ReferenceClient\n"
            "class Boom(ReferenceClient):\n"
            "    def __init__(self, *args):\n"
            "        raise RuntimeError('constructor exploded')\n"
        )
        assert error_of("boom_client:Boom") == (
            "client 'boom_client:Boom': constructing it raised RuntimeError: constructor exploded"
        )

    def test_an_object_without_the_operations_is_bad_input(self, importable: Path) -> None:
        """A class that is not a client names the operations it lacks."""
        (importable / "not_client.py").write_text(
            "class Thing:\n    def __init__(self, *args):\n        pass\n"
            "    def tick(self):\n        pass\n"
        )
        assert error_of("not_client:Thing") == (
            "client 'not_client:Thing': Thing has no list_jobs, get_job, save_job, sync_job, "
            "delete_job, private_state (see veosim/contract.py)"
        )

    def test_module_that_fails_to_import(self, importable: Path) -> None:
        """A module raising at import is one ClientError line, not a traceback."""
        (importable / "broken_client.py").write_text("raise RuntimeError('config missing')\n")
        message = error_of("broken_client:Client")
        assert message == (
            "client 'broken_client:Client': cannot import 'broken_client' "
            "(RuntimeError: config missing)"
        )
        assert "\n" not in message

    def test_missing_attribute(self) -> None:
        """A name the module lacks is reported with the module."""
        assert error_of("tests.sample_client:Nope") == (
            "client 'tests.sample_client:Nope': module 'tests.sample_client' has no 'Nope'"
        )

    def test_not_callable(self) -> None:
        """Something that cannot build a client is refused."""
        assert error_of("tests.sample_client:NOT_CALLABLE") == (
            "client 'tests.sample_client:NOT_CALLABLE': 'NOT_CALLABLE' is not a class or callable"
        )

    @pytest.mark.parametrize("name", [":Client", "tests.sample_client:"])
    def test_malformed(self, name: str) -> None:
        """Both sides of the colon are needed."""
        assert error_of(name) == f"client {name!r} must look like package.module:Class"
