"""Parquet export of the public views, for pandas, Polars, R and Spark users.

Each view is written Hive-partitioned by month (`<view>/month=YYYY-MM/*.parquet`, UTC) of the
date people filter it by. A fingerprint per partition is kept in `_export_state.json`: the row
count, plus for views whose rows change (latest_articles, article_topics, runs, topic_trends) an
xor of row hashes over the columns that identify a row and its state; a re-run writes
only the partitions whose fingerprint changed, removes the ones that vanished, and writes nothing
at all when nothing is new. DuckDB writes the partitions to a local staging folder; fsspec copies
them to the target, so the target may be a local path or any fsspec URL (`s3://`, `gs://`, ...).

The export reads the published read snapshot by default, so it never holds the live file.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import fsspec

STATE_FILE = "_export_state.json"
UNPARTITIONED = "all"


@dataclass(frozen=True)
class ViewExport:
    """One exported view: its partition date, its columns, and what identifies a row's state."""

    view: str
    partition_by: str | None
    columns: str
    identity: str | None  # None: rows are only ever added, so a partition's row count will do


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
    ),
    ViewExport(
        "article_versions",
        "published_at",
        "* REPLACE (pages::VARCHAR AS pages)",
        None,
    ),
    ViewExport(
        "article_changes",
        "detected_at",
        "* REPLACE (diff::VARCHAR AS diff)",
        None,
    ),
    ViewExport("article_topics", "published_at", "*", "article_id, version, topic, source"),
    ViewExport("fetch_log", "attempted_at", "*", None),
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
    old_state: dict[str, dict[str, str]] = (
        json.loads(fs.cat_file(state_path)) if fs.exists(state_path) else {}
    )
    new_state: dict[str, dict[str, str]] = {}
    staging = Path(tempfile.mkdtemp(prefix="liputan6-export-"))
    try:
        for spec in EXPORTS:
            fingerprints = _fingerprints(con, spec)
            new_state[spec.view] = fingerprints
            before = old_state.get(spec.view, {})
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
        shutil.rmtree(staging, ignore_errors=True)
    if new_state != old_state:
        with fs.open(f"{root}/README.md", "w", encoding="utf-8") as readme:
            readme.write(_readme(new_state, source_note))
        with fs.open(state_path, "w", encoding="utf-8") as state:
            json.dump(new_state, state, indent=1, sort_keys=True)
    report.seconds = time.monotonic() - started
    return report


def _month(spec: ViewExport) -> str:
    if spec.partition_by is None:
        return f"'{UNPARTITIONED}'"
    return f"coalesce(strftime({spec.partition_by} AT TIME ZONE 'UTC', '%Y-%m'), 'unknown')"


def _fingerprints(con: duckdb.DuckDBPyConnection, spec: ViewExport) -> dict[str, str]:
    digest = f"bit_xor(hash({spec.identity}))" if spec.identity else "0"
    rows = con.execute(
        f"SELECT {_month(spec)} AS month, count(*), {digest} FROM {spec.view} GROUP BY ALL"
    ).fetchall()
    return {month: f"{count}:{digest}" for month, count, digest in rows}


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
    """Write the changed partitions locally in one pass, then replace them at the target."""
    local = staging / spec.view
    if spec.partition_by is None:
        local.mkdir(parents=True)
        query = f"SELECT {spec.columns} FROM {spec.view} ORDER BY ALL"
        con.execute(f"COPY ({query}) TO '{_sql(local / 'data.parquet')}' (FORMAT parquet)")
        fs.makedirs(target, exist_ok=True)
        fs.put_file(str(local / "data.parquet"), f"{target}/data.parquet")
        return _count(con, f"SELECT count(*) FROM {spec.view}")
    where = f"{_month(spec)} IN (SELECT unnest(?::VARCHAR[]))"
    query = f"SELECT {spec.columns}, {_month(spec)} AS month FROM {spec.view} WHERE {where}"
    con.execute(
        f"""COPY ({query} ORDER BY {spec.partition_by}) TO '{_sql(local)}'
            (FORMAT parquet, PARTITION_BY (month), FILENAME_PATTERN 'part_{{i}}')""",
        [months],
    )
    for month in months:
        destination = f"{target}/month={month}"
        if fs.exists(destination):
            fs.rm(destination, recursive=True)
        fs.makedirs(destination, exist_ok=True)
        for part in sorted((local / f"month={month}").glob("*.parquet")):
            fs.put_file(str(part), f"{destination}/{part.name}")
    return _count(con, f"SELECT count(*) FROM {spec.view} WHERE {where}", [months])


def _count(con: duckdb.DuckDBPyConnection, sql: str, params: list[object] | None = None) -> int:
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
