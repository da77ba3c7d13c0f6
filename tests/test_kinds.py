"""Every list of kinds, outcomes and counts is derived from the enums in warehouse/kinds.py: a
member added there reaches the load report, the run summary and the CLI without another edit."""

from __future__ import annotations

import duckdb
import pytest
from typer.testing import CliRunner

from commands.main import app
from flows.reporting import RunSummary
from warehouse.kinds import (
    FETCH_COUNTS,
    LOAD_COUNTS,
    MERGED_LOAD_COUNTS,
    RUN_COUNTS,
    ArticleStatus,
    ChangeKind,
    Count,
    EventKind,
    FetchOutcome,
    ObservationOutcome,
)
from warehouse.report import LoadReport
from warehouse.schema import CHECKED, migrate

runner = CliRunner()


def test_every_change_kind_is_an_event_kind():
    assert {k.value for k in ChangeKind} <= {k.value for k in EventKind}


@pytest.mark.parametrize("kind", list(EventKind))
def test_every_event_kind_is_counted_in_the_load_report(kind):
    report = LoadReport(batch_id="b")
    report.record(kind)
    counts = report.counts()
    assert counts[Count.of_event(kind)] == 1
    assert sum(counts.values()) == 1
    assert report[Count.of_event(kind)] == 1


def test_load_report_counts_every_load_count():
    assert list(LoadReport(batch_id="b").counts()) == [c.value for c in LOAD_COUNTS]
    assert set(LOAD_COUNTS) == {Count.of_event(kind) for kind in EventKind}


def test_a_count_that_is_not_a_load_count_is_refused():
    with pytest.raises(KeyError, match="discovered is not a load count"):
        LoadReport(batch_id="b")[Count.discovered]


@pytest.mark.parametrize("outcome", list(ObservationOutcome))
def test_every_observation_outcome_has_a_fetch_count(outcome):
    assert Count.of_outcome(outcome) in FETCH_COUNTS


def test_run_summary_lists_every_run_count():
    items = [row["item"] for row in RunSummary("monitor").as_rows()]
    assert items == [c.value for c in RUN_COUNTS]
    assert set(MERGED_LOAD_COUNTS) <= set(RUN_COUNTS)
    assert not set(MERGED_LOAD_COUNTS) & set(FETCH_COUNTS)


def test_changes_command_offers_every_change_kind():
    result = runner.invoke(app, ["changes", "--help"], env={"COLUMNS": "300"})
    assert result.exit_code == 0, result.output
    assert "|".join(k.value for k in ChangeKind) in result.output


def test_changes_command_refuses_an_unknown_kind_with_a_usage_error(tmp_path):
    args = ["changes", "--kind", "bogus", "--db", str(tmp_path / "none.duckdb")]
    result = runner.invoke(app, args, env={"COLUMNS": "300"})
    assert result.exit_code == 2
    assert "Usage:" in result.output and "bogus" in result.output
    for kind in ChangeKind:
        assert f"'{kind.value}'" in result.output
    assert not (tmp_path / "none.duckdb").exists()


@pytest.fixture(scope="module")
def migrated(tmp_path_factory):
    path = tmp_path_factory.mktemp("kinds") / "warehouse.duckdb"
    migrate(path)
    return path


def test_every_closed_vocabulary_column_is_checked_against_its_enum():
    vocabularies = {(table, column): set(values) for table, column, values in CHECKED}
    assert vocabularies == {
        ("articles", "status"): set(ArticleStatus),
        ("changes", "kind"): set(ChangeKind),
        ("fetches", "outcome"): set(FetchOutcome),
        ("observation_errors", "outcome"): {
            EventKind.failed,
            EventKind.parse_error,
            EventKind.skipped,
        },
    }


@pytest.mark.parametrize(("table", "column", "values"), CHECKED)
def test_check_constraint_allows_exactly_the_enum(migrated, table, column, values):
    with duckdb.connect(str(migrated), read_only=True) as con:
        (expression,) = con.execute(
            """SELECT expression FROM duckdb_constraints()
               WHERE constraint_type = 'CHECK' AND table_name = ?""",
            [table],
        ).fetchone()
        for value in values:
            assert f"'{value.value}'" in expression
        allowed = {v.value for v in values}
        assert con.execute(
            f"SELECT count(*) FROM (SELECT unnest(?::VARCHAR[]) AS {column}) WHERE {expression}",
            [sorted(allowed | {"bogus"})],
        ).fetchone() == (len(allowed),)
