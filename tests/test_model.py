"""Unit tests for veosim.model: validators, the content digest, summaries, frozen values."""

from __future__ import annotations

import attrs
import pytest

from veosim.model import (
    KNOWN_STATUSES,
    CloudListing,
    DetailEntry,
    Job,
    ListEntry,
    Source,
    Summary,
    SyncStatus,
    VeosimError,
    content_digest,
    summary_label,
)

SEED_LOCAL = Job("j1", "completed", 3, 1005, 1000)
SEED_LOCAL_DIGEST = "43bb8bc03290447d"


def job(**changes: object) -> Job:
    fields: dict[str, object] = {
        "job_id": "j1",
        "status": "completed",
        "scenes": 3,
        "timestamp": 1005,
        "created_at": 1000,
    }
    fields.update(changes)
    return Job(**fields)  # type: ignore[arg-type]


class TestJobValidators:
    def test_negative_scenes(self) -> None:
        """A negative scene count is refused with the field, the bound and the value."""
        with pytest.raises(ValueError) as caught:
            job(scenes=-1)
        assert str(caught.value) == "'scenes' must be >= 0 (got -1)"

    @pytest.mark.parametrize("field", ["timestamp", "created_at"])
    def test_negative_times(self, field: str) -> None:
        """Negative timestamps are refused in the same words."""
        with pytest.raises(ValueError) as caught:
            job(**{field: -5})
        assert str(caught.value) == f"'{field}' must be >= 0 (got -5)"

    def test_zero_is_allowed(self) -> None:
        """Zero scenes at time zero is a valid fresh job."""
        assert job(scenes=0, timestamp=0, created_at=0).scenes == 0

    def test_bool_scenes(self) -> None:
        """True is not a scene count, although bool is an int."""
        with pytest.raises(TypeError) as caught:
            job(scenes=True)
        assert str(caught.value) == "'scenes' must be an int (got True)"

    def test_string_timestamp(self) -> None:
        """A timestamp given as text is refused with its repr."""
        with pytest.raises(TypeError) as caught:
            job(timestamp="5")
        assert str(caught.value) == "'timestamp' must be an int (got '5')"

    def test_empty_job_id(self) -> None:
        """An empty job id is refused."""
        with pytest.raises(ValueError) as caught:
            job(job_id="")
        assert str(caught.value) == "'job_id' must be a non-empty string (got '')"

    def test_non_string_job_id(self) -> None:
        """A job id that is not a string is refused by attrs' instance_of."""
        with pytest.raises(TypeError) as caught:
            job(job_id=1)
        assert caught.value.args[0] == (
            "'job_id' must be <class 'str'> (got 1 that is a <class 'int'>)."
        )

    def test_non_string_status(self) -> None:
        """A status that is not a string is refused."""
        with pytest.raises(TypeError) as caught:
            job(status=3)
        assert caught.value.args[0] == (
            "'status' must be <class 'str'> (got 3 that is a <class 'int'>)."
        )

    def test_non_string_payload(self) -> None:
        """The payload is text; None is refused."""
        with pytest.raises(TypeError) as caught:
            job(payload=None)
        assert caught.value.args[0] == (
            "'payload' must be <class 'str'> (got None that is a <class 'NoneType'>)."
        )

    def test_unknown_status_allowed(self) -> None:
        """A status the app does not know is kept as given (it ranks lowest elsewhere)."""
        assert job(status="queued").status == "queued"
        assert "queued" not in KNOWN_STATUSES

    def test_known_statuses_best_first(self) -> None:
        """The known statuses are listed best first."""
        assert KNOWN_STATUSES == ("completed", "partial", "failed", "in_progress")

    def test_payload_defaults_to_empty(self) -> None:
        """A job without a payload has the empty payload."""
        assert job().payload == ""


class TestSummaryValidators:
    def test_empty_digest(self) -> None:
        """A summary row without a content tag is refused."""
        with pytest.raises(ValueError) as caught:
            Summary("j1", "completed", 1, 2, 1, "")
        assert str(caught.value) == "'digest' must be a non-empty string (got '')"

    def test_negative_scenes(self) -> None:
        """Summaries validate their counts like jobs do."""
        with pytest.raises(ValueError) as caught:
            Summary("j1", "completed", -1, 2, 1, "abc")
        assert str(caught.value) == "'scenes' must be >= 0 (got -1)"


class TestDigest:
    def test_pinned_value(self) -> None:
        """The digest of a known version is pinned: changing it changes every tie-break."""
        assert SEED_LOCAL.digest == SEED_LOCAL_DIGEST

    def test_content_digest_of_fields(self) -> None:
        """The job's digest is content_digest of its six fields in declaration order."""
        assert content_digest(("j1", "completed", 3, 1005, 1000, "")) == SEED_LOCAL_DIGEST

    def test_stable_across_instances(self) -> None:
        """Two equal jobs built separately carry the same digest."""
        assert job().digest == job().digest == SEED_LOCAL_DIGEST

    def test_short_hex(self) -> None:
        """A digest is 16 lowercase hex digits."""
        assert len(SEED_LOCAL.digest) == 16
        assert set(SEED_LOCAL.digest) <= set("0123456789abcdef")

    @pytest.mark.parametrize(
        "changes",
        [
            {"job_id": "j2"},
            {"status": "partial"},
            {"scenes": 4},
            {"timestamp": 1006},
            {"created_at": 999},
            {"payload": "x"},
        ],
    )
    def test_every_field_counts(self, changes: dict[str, object]) -> None:
        """Changing any one field changes the digest (the payload included)."""
        assert job(**changes).digest != SEED_LOCAL_DIGEST

    def test_not_an_init_argument(self) -> None:
        """The digest is computed, never given."""
        with pytest.raises(TypeError):
            Job("j1", "completed", 3, 1005, 1000, "", "43bb8bc03290447d")  # type: ignore[call-arg]

    def test_not_in_repr(self) -> None:
        """The repr shows the fields, not the digest."""
        assert repr(SEED_LOCAL) == (
            "Job(job_id='j1', status='completed', scenes=3, timestamp=1005, "
            "created_at=1000, payload='')"
        )


class TestSummary:
    def test_fields(self) -> None:
        """A job's summary row carries its ranked fields and its digest, no payload."""
        assert job(payload="logs").summary() == Summary(
            job_id="j1",
            status="completed",
            scenes=3,
            timestamp=1005,
            created_at=1000,
            digest=job(payload="logs").digest,
        )

    def test_payload_only_shows_in_digest(self) -> None:
        """Two versions differing only in payload have summaries that differ only in digest."""
        a, b = job(payload="a").summary(), job(payload="b").summary()
        assert a != b
        assert attrs.evolve(a, digest="same") == attrs.evolve(b, digest="same")

    def test_label(self) -> None:
        """The summary label is status/scenes@timestamp."""
        assert summary_label(SEED_LOCAL.summary()) == "completed/3@1005"


class TestJobHelpers:
    def test_to_dict(self) -> None:
        """to_dict gives the six fields as plain data, digest left out."""
        assert job(payload="p").to_dict() == {
            "job_id": "j1",
            "status": "completed",
            "scenes": 3,
            "timestamp": 1005,
            "created_at": 1000,
            "payload": "p",
        }

    def test_to_dict_round_trips(self) -> None:
        """A job rebuilt from its dict is equal and has the same digest."""
        rebuilt = Job(**job(payload="p").to_dict())  # type: ignore[arg-type]
        assert rebuilt == job(payload="p")
        assert rebuilt.digest == job(payload="p").digest

    def test_label_without_payload(self) -> None:
        """The label of a job without payload is status/scenes@timestamp."""
        assert SEED_LOCAL.label() == "completed/3@1005"

    def test_label_with_payload(self) -> None:
        """The payload is quoted after the label when there is one."""
        assert job(payload="edited").label() == "completed/3@1005 'edited'"


class TestEntries:
    def test_list_entry_label(self) -> None:
        """A list row's label is the shown summary and the sync status."""
        entry = ListEntry("j1", SEED_LOCAL.summary(), Source.LOCAL, SyncStatus.UNSYNCED)
        assert entry.label() == "completed/3@1005 unsynced"

    def test_detail_entry_label(self) -> None:
        """A detail view's label is the shown job's label and the sync status."""
        entry = DetailEntry("j1", job(payload="x"), Source.BOTH, SyncStatus.SYNCED)
        assert entry.label() == "completed/3@1005 'x' synced"

    def test_sync_status_values(self) -> None:
        """The three sync statuses have stable string values."""
        assert [status.value for status in SyncStatus] == ["synced", "unsynced", "offline"]

    def test_cloud_listing_defaults_to_no_deletions(self) -> None:
        """A listing without deleted ids has the empty frozenset."""
        assert CloudListing(rows=()).deleted == frozenset()


class TestFrozen:
    def test_job_is_frozen(self) -> None:
        """A job cannot be changed in place; evolve makes a changed copy."""
        original = job()
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            original.scenes = 4  # type: ignore[misc]
        changed = attrs.evolve(original, scenes=4)
        assert (original.scenes, changed.scenes) == (3, 4)

    def test_evolve_recomputes_digest(self) -> None:
        """An evolved job carries the digest of its new content."""
        assert attrs.evolve(job(), scenes=4).digest == job(scenes=4).digest

    def test_evolve_validates(self) -> None:
        """evolve runs the validators too."""
        with pytest.raises(ValueError) as caught:
            attrs.evolve(job(), scenes=-2)
        assert str(caught.value) == "'scenes' must be >= 0 (got -2)"

    @pytest.mark.parametrize(
        "value",
        [
            SEED_LOCAL,
            SEED_LOCAL.summary(),
            ListEntry("j1", SEED_LOCAL.summary(), Source.LOCAL, SyncStatus.UNSYNCED),
            DetailEntry("j1", SEED_LOCAL, Source.LOCAL, SyncStatus.OFFLINE),
            CloudListing(rows=(SEED_LOCAL.summary(),), deleted=frozenset({"j2"})),
        ],
        ids=["Job", "Summary", "ListEntry", "DetailEntry", "CloudListing"],
    )
    def test_values_are_frozen_and_hashable(self, value: attrs.AttrsInstance) -> None:
        """Every value type is frozen, slotted and hashable, so world states hash."""
        hash(value)
        assert not hasattr(value, "__dict__")
        field = attrs.fields(type(value))[0].name
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            setattr(value, field, "changed")

    def test_equal_jobs_hash_equal(self) -> None:
        """Equal jobs are interchangeable as set members."""
        assert {job(), job()} == {job()}


class TestVeosimError:
    def test_is_an_exception(self) -> None:
        """VeosimError is the root of veosim's own errors."""
        assert issubclass(VeosimError, Exception)
