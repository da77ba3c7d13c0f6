"""Parquet export of the public views, for pandas, Polars, R and Spark users.

Each view is written Hive-partitioned by month (`<view>/month=YYYY-MM/*.parquet`, UTC) of the
date people filter it by. A fingerprint per partition is kept in `_export_state.json`: the row
count, plus for views whose rows change (all but fetch_log: a new version flips `is_current` of
the old ones, an article's status or topics change) an xor of row hashes over the columns that
identify a row and its state.

Which months to rewrite: from a read snapshot, the state also keeps the snapshot's row marks
(`snapshot_marks`: rows per growing table) as of the last export, so the rows added since are
those past the marks, and the months they touch are worked out from them: an article named in
new rows may have changed in every month one of its versions or changes falls in, and new
fetches touch their own months. Only those months are fingerprinted (with a date range the scan
prunes by), and those whose fingerprint changed rewritten, so a re-run with nothing new reads a
handful of rows and writes nothing. Small views without a month
(`runs`, `topic_trends`) are fingerprinted whole. Without marks to go by (the first export, the
live file, a snapshot rebuilt in full since), every partition is fingerprinted, and those whose
fingerprint changed are rewritten. Either way a month left empty is removed.

DuckDB writes the partitions to a local staging folder; fsspec copies them to the target, so the
target may be a local path or any fsspec URL (`s3://`, `gs://`, ...). The export reads the
published read snapshot by default, so it never holds the live file.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import fsspec

STATE_FILE = "_export_state.json"
SOURCE_KEY = "_source"  # in the state: the snapshot marks the export was last brought up to
UNPARTITIONED = "all"
# The snapshot's growing tables that name articles, and so mark them as possibly changed.
ARTICLE_EVIDENCE = ("fetches", "versions", "changes", "observation_errors", "version_topics")
# Below this many months to write, each month is written on its own with a date range the scan
# prunes by; above it, one pass over the view writes them all.
FEW_MONTHS = 4


@dataclass(frozen=True)
class ViewExport:
    """One exported view: its partition date, its columns, and what identifies a row's state."""

    view: str
    partition_by: str | None
    columns: str
    # The columns that identify a row and its state (`is_current` and `url` come from the article
    # and change in old rows); None: rows are only ever added, so the row count will do.
    identity: str | None
    # Rows whose `partition_by` months the new rows may have changed: `{touched}` is a query of
    # the articles they name, `{fetches}` the first new row of `fetches`. None: fingerprint all.
    changed_rows: str | None = None


# Every article is loaded with a version (warehouse/change_detection.py creates it at version 1), so
# the months of its versions' `published_at` cover every month it shows in, current or not.
_ARTICLE_VERSIONS = "versions WHERE article_id IN ({touched})"

# JSON columns are exported as text, which every Parquet reader shows as a string.
# latest_articles leaves out the recheck bookkeeping (last_checked, check_count, cosmetic_count,
# next_check_at): it changes on every recheck and would rewrite every recent month each run.
EXPORTS: tuple[ViewExport, ...] = (
    ViewExport(
        "latest_articles",
        "published_at",
        "article_id, url, channel, category, status, version, title, description, body, tags, "
        "authors, published_at, modified_at, parser_version, first_seen, last_changed",
        "article_id, status, version, last_changed",
        _ARTICLE_VERSIONS,
    ),
    ViewExport(
        "article_versions",
        "published_at",
        "* REPLACE (pages::VARCHAR AS pages)",
        "article_id, version, is_current, url",
        _ARTICLE_VERSIONS,
    ),
    ViewExport(
        "article_changes",
        "detected_at",
        "* REPLACE (diff::VARCHAR AS diff)",
        "change_id, url",
        "changes WHERE article_id IN ({touched})",
    ),
    ViewExport(
        "article_topics",
        "published_at",
        "*",
        "article_id, version, topic, source",
        _ARTICLE_VERSIONS,
    ),
    ViewExport("fetch_log", "attempted_at", "*", None, "fetches WHERE rowid >= {fetches}"),
    ViewExport(
        "runs",
        "started_at",
        "* REPLACE (counts::VARCHAR AS counts)",
        "run_id, finished_at, state, message",
    ),
    ViewExport(
        "topic_trends", None, "*", "period, period_start, topic, articles, edits, edited_articles"
    ),
)


@dataclass
class ExportReport:
    target: str
    written: dict[str, list[str]] = field(default_factory=dict)
    removed: dict[str, list[str]] = field(default_factory=dict)
    rows: int = 0
    seconds: float = 0.0
    # "new rows": the months to look at came from the rows added since the last export;
    # "fingerprints": every month of every view was fingerprinted (first export, live file...).
    basis: str = "fingerprints"

    @property
    def partitions_written(self) -> int:
        return sum(len(months) for months in self.written.values())

    @property
    def partitions_removed(self) -> int:
        return sum(len(months) for months in self.removed.values())


def export(con: duckdb.DuckDBPyConnection, target: str, source_note: str = "") -> ExportReport:
    """Bring the Parquet export at `target` (path or fsspec URL) up to date with `con`'s views."""
    started = time.monotonic()
    fs, root = fsspec.core.url_to_fs(target)
    root = root.rstrip("/")
    report = ExportReport(target=target)
    state_path = f"{root}/{STATE_FILE}"
    old_state: dict[str, dict] = (
        json.loads(fs.cat_file(state_path)) if fs.exists(state_path) else {}
    )
    marks = _snapshot_marks(con)
    since = _marks_since(old_state.get(SOURCE_KEY), marks)
    new_state: dict[str, dict] = {SOURCE_KEY: marks} if marks else {}
    staging = Path(tempfile.mkdtemp(prefix="liputan6-export-"))
    try:
        if since is not None:
            report.basis = "new rows"
            con.execute(f"CREATE OR REPLACE TEMP TABLE export_touched AS {_touched(since)}")
        for spec in EXPORTS:
            before: dict[str, str] = old_state.get(spec.view, {})
            if since is not None and spec.changed_rows is not None and spec.view in old_state:
                months = _months_changed(con, spec, since)
                kept = {m: fp for m, fp in before.items() if m not in months}
                fingerprints = kept | _fingerprints(con, spec, months)
            else:
                fingerprints = _fingerprints(con, spec)
            new_state[spec.view] = fingerprints
            changed = sorted(m for m, fp in fingerprints.items() if before.get(m) != fp)
            gone = sorted(set(before) - set(fingerprints))
            if changed:
                report.rows += _write(con, fs, spec, changed, staging, f"{root}/{spec.view}")
                report.written[spec.view] = changed
            for month in gone:
                fs.rm(_partition_path(root, spec, month), recursive=True)
            if gone:
                report.removed[spec.view] = gone
    finally:
        con.execute("DROP TABLE IF EXISTS temp.export_touched")
        shutil.rmtree(staging, ignore_errors=True)
    if new_state != old_state:
        with fs.open(f"{root}/README.md", "w", encoding="utf-8") as readme:
            readme.write(_readme(new_state, source_note))
        with fs.open(state_path, "w", encoding="utf-8") as state:
            json.dump(new_state, state, indent=1, sort_keys=True)
    report.seconds = time.monotonic() - started
    return report


def _snapshot_marks(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """The read snapshot's row marks (see warehouse/snapshot.py); empty for the live file."""
    found = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'snapshot_marks' "
        "AND database_name = current_database()"
    ).fetchone()
    if not found or not found[0]:
        return {}
    return dict(con.execute("SELECT name, rows FROM snapshot_marks").fetchall())


def _marks_since(old: dict[str, int] | None, now: dict[str, int]) -> dict[str, int] | None:
    """The marks to take new rows from, or None when only fingerprinting everything is safe.

    The marks must come from the same build of the snapshot (a full rebuild gets a new
    `_generation`) and every growing table must have grown or stayed.
    """
    if not old or not now or old.get("_generation") != now.get("_generation"):
        return None
    if old.get("_schema") != now.get("_schema"):
        return None
    if any(now.get(table, -1) < old.get(table, 0) for table in ARTICLE_EVIDENCE):
        return None
    return old


def _touched(since: dict[str, int]) -> str:
    """The articles named in rows added since `since`: only these can have changed.

    A 304 moves only the recheck bookkeeping, which the export leaves out (one that restores a
    removed article also adds a `changes` row), so those fetches do not count: at a year's
    rate they are most of the new rows, and would send the export to every month's articles.
    """
    return " UNION ".join(
        f"SELECT article_id FROM {table} WHERE rowid >= {int(since[table])}"
        + (" AND outcome <> 'not_modified'" if table == "fetches" else "")
        for table in ARTICLE_EVIDENCE
    )


def _months_changed(
    con: duckdb.DuckDBPyConnection, spec: ViewExport, since: dict[str, int]
) -> list[str]:
    assert spec.changed_rows is not None and spec.partition_by is not None
    rows = spec.changed_rows.format(
        touched="SELECT article_id FROM export_touched", fetches=int(since["fetches"])
    )
    found = con.execute(f"SELECT DISTINCT {_month(spec)} FROM {rows}").fetchall()
    return sorted(row[0] for row in found)


def _month(spec: ViewExport) -> str:
    if spec.partition_by is None:
        return f"'{UNPARTITIONED}'"
    return f"coalesce(strftime({spec.partition_by} AT TIME ZONE 'UTC', '%Y-%m'), 'unknown')"


def _in_month(spec: ViewExport, month: str) -> str:
    """A filter for one month that the scan can prune row groups by (a plain date range)."""
    column = spec.partition_by
    if month == "unknown":
        return f"{column} IS NULL"
    start = datetime.strptime(month, "%Y-%m").replace(tzinfo=UTC)
    end = (start + timedelta(days=32)).replace(day=1)
    low, high = (f"'{day:%Y-%m-%d} 00:00:00+00'::TIMESTAMPTZ" for day in (start, end))
    return f"{column} >= {low} AND {column} < {high}"


def _fingerprints(
    con: duckdb.DuckDBPyConnection, spec: ViewExport, months: list[str] | None = None
) -> dict[str, str]:
    """Each month's fingerprint: of every month, or only of `months` (those with rows)."""
    digest = f"bit_xor(hash({spec.identity}))" if spec.identity else "0"
    if months is None:
        rows = con.execute(
            f"SELECT {_month(spec)} AS month, count(*), {digest} FROM {spec.view} GROUP BY ALL"
        ).fetchall()
    else:
        rows = []
        for month in months:
            found = con.execute(
                f"SELECT count(*), {digest} FROM {spec.view} WHERE {_in_month(spec, month)}"
            ).fetchone()
            assert found is not None  # an aggregate without GROUP BY always returns one row
            rows.append((month, *found))
    return {month: f"{count}:{digest}" for month, count, digest in rows if count}


def _partition_path(root: str, spec: ViewExport, month: str) -> str:
    if spec.partition_by is None:
        return f"{root}/{spec.view}/data.parquet"
    return f"{root}/{spec.view}/month={month}"


def _write(
    con: duckdb.DuckDBPyConnection,
    fs: fsspec.AbstractFileSystem,
    spec: ViewExport,
    months: list[str],
    staging: Path,
    target: str,
) -> int:
    """Write the changed partitions locally, then replace them at the target; returns rows."""
    local = staging / spec.view
    if spec.partition_by is None:
        local.mkdir(parents=True)
        query = f"SELECT {spec.columns} FROM {spec.view} ORDER BY ALL"
        rows = _copy(con, f"COPY ({query}) TO '{_sql(local / 'data.parquet')}' (FORMAT parquet)")
        fs.makedirs(target, exist_ok=True)
        fs.put_file(str(local / "data.parquet"), f"{target}/data.parquet")
        return rows
    if len(months) <= FEW_MONTHS:
        rows = 0
        for month in months:
            (local / f"month={month}").mkdir(parents=True)
            query = f"SELECT {spec.columns} FROM {spec.view} WHERE {_in_month(spec, month)}"
            part = _sql(local / f"month={month}" / "part_0.parquet")
            rows += _copy(
                con, f"COPY ({query} ORDER BY {spec.partition_by}) TO '{part}' (FORMAT parquet)"
            )
    else:
        where = f"{_month(spec)} IN (SELECT unnest(?::VARCHAR[]))"
        query = f"SELECT {spec.columns}, {_month(spec)} AS month FROM {spec.view} WHERE {where}"
        rows = _copy(
            con,
            f"""COPY ({query} ORDER BY {spec.partition_by}) TO '{_sql(local)}'
                (FORMAT parquet, PARTITION_BY (month), FILENAME_PATTERN 'part_{{i}}')""",
            [months],
        )
    for month in months:
        destination = f"{target}/month={month}"
        if fs.exists(destination):
            fs.rm(destination, recursive=True)
        fs.makedirs(destination, exist_ok=True)
        for parquet in sorted((local / f"month={month}").glob("*.parquet")):
            fs.put_file(str(parquet), f"{destination}/{parquet.name}")
    return rows


def _copy(con: duckdb.DuckDBPyConnection, sql: str, params: list[object] | None = None) -> int:
    """Run a COPY ... TO; DuckDB answers with the number of rows written."""
    found = con.execute(sql, params or []).fetchone()
    return int(found[0]) if found else 0


def _sql(path: Path) -> str:
    return str(path).replace("'", "''")


def _readme(state: dict[str, dict[str, str]], source_note: str) -> str:
    lines = [
        "# liputan6-monitor: Parquet export",
        "",
        "The public views of the liputan6-monitor warehouse, one folder per view, Hive-partitioned",
        "by month (UTC) of the column below: `<view>/month=YYYY-MM/part_N.parquet`.",
        "`topic_trends` is small and not partitioned. `_export_state.json` lets",
        "`liputan6-monitor export` rewrite only the months that changed; do not edit it.",
        "",
        "| view | partitioned by | months |",
        "|---|---|---|",
    ]
    for spec in EXPORTS:
        months = sorted(state.get(spec.view, {}))
        shown = f"{months[0]} … {months[-1]} ({len(months)})" if months else "none yet"
        shown = shown if spec.partition_by else "-"
        lines.append(f"| `{spec.view}` | `{spec.partition_by or '-'}` | {shown} |")
    lines += [
        "",
        "Columns are those of the views documented in `warehouse/README-sql.md`; `latest_articles`",
        "leaves out the recheck bookkeeping (`last_checked`, `check_count`, `cosmetic_count`,",
        "`next_check_at`).",
        "",
        f"Source: {source_note or 'the liputan6-monitor warehouse'}.",
        "",
        "## Reading it",
        "",
        "```python",
        "import duckdb",
        "duckdb.sql(\"SELECT month, count(*) FROM read_parquet('article_changes/*/*.parquet',"
        ' hive_partitioning = true) GROUP BY month")',
        "",
        "import polars as pl",
        'pl.scan_parquet("article_changes/**/*.parquet", hive_partitioning=True).collect()',
        "",
        "import pandas as pd   # with pyarrow",
        'pd.read_parquet("article_changes")',
        "```",
        "",
        "```r",
        'arrow::open_dataset("article_changes") |> dplyr::collect()',
        "```",
        "",
        'Spark: `spark.read.parquet("article_changes")` discovers the `month` partitions.',
        "",
    ]
    return "\n".join(lines)
