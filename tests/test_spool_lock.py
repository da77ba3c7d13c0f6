"""Two runs draining one spool at once: listing, reading, quarantining and removing batches under
the writer lock, so neither reads a file the other just loaded and removed (a FileNotFoundError
that Prefect's single task retry used to hide), nothing is loaded twice or lost."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from support.warehouse_support import batch, make_article, ok, rows

from config.settings import Settings
from flows import spool
from flows.steps import LoadOutcome, load_spool

pytestmark = pytest.mark.usefixtures("prefect_harness")

BATCHES = 40


def test_concurrent_drains_load_every_batch_once_and_quarantine_nothing(tmp_path: Path) -> None:
    settings = Settings(db_path=tmp_path / "w.duckdb", spool_dir=tmp_path / "spool")
    start = datetime.now(UTC) - timedelta(hours=1)
    for n in range(BATCHES):
        article = make_article(article_id=1000 + n, title=f"Judul {n}")
        spool.write(settings.spool_dir, batch(ok(article, start), run_id=f"run-{n}"))
    (settings.spool_dir / f"00000000000000000000-broken{spool.SUFFIX}").write_bytes(b"nope")
    outcomes: list[LoadOutcome] = []
    errors: list[BaseException] = []

    def drain() -> None:
        try:
            outcomes.append(load_spool(settings))
        except BaseException as exc:  # collected: the assertion below names it
            errors.append(exc)

    threads = [threading.Thread(target=drain) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert errors == []
    assert sum(o.loaded_batches for o in outcomes) == BATCHES
    assert rows(settings.db_path, "SELECT count(*) FROM latest_articles") == [(BATCHES,)]
    assert spool.pending(settings.spool_dir) == []
    quarantined = sorted(p.name for p in (settings.spool_dir / "quarantine").iterdir())
    assert quarantined == [
        f"00000000000000000000-broken{spool.SUFFIX}",
        f"00000000000000000000-broken{spool.SUFFIX}.reason.txt",
    ]
    warnings = [w for o in outcomes for w in o.warnings]
    assert len(warnings) == 1 and "broken unreadable, quarantined" in warnings[0]
