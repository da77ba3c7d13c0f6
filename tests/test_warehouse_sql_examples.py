"""Every example query in warehouse/README-sql.md runs, and finds what it promises."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest
from support.warehouse_support import ARTICLE_ID, PARAGRAPHS, batch, gone, make_article, ok

from parsers.models import TopicTag
from warehouse import load_batch

README = Path(__file__).parent.parent / "warehouse" / "README-sql.md"
QUERIES = re.findall(r"```sql\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
FLOOD = TopicTag(topic="bencana", source="taxonomy", score=1.0, evidence=["banjir"])


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    db = tmp_path_factory.mktemp("examples") / "warehouse.duckdb"
    start = datetime.now(UTC) - timedelta(hours=6)
    edited = make_article(
        title="Banjir Rob Rendam Ribuan Rumah",
        paragraphs=[*PARAGRAPHS[:2], "Pompa air mati total."],
    )
    load_batch(db, batch(ok(make_article(), start, topics=[FLOOD])))
    load_batch(db, batch(ok(edited, start + timedelta(hours=1), topics=[FLOOD])))
    load_batch(db, batch(gone(ARTICLE_ID, start + timedelta(hours=2))))
    with duckdb.connect(str(db), read_only=True) as connection:
        yield connection


def test_readme_has_the_promised_examples():
    assert len(QUERIES) >= 5


@pytest.mark.parametrize("query", QUERIES, ids=[f"example-{i}" for i in range(len(QUERIES))])
def test_example_runs(con, query):
    con.execute(query).fetchall()


def test_examples_find_the_edit_and_the_deletion(con):
    headlines, most_edited, deleted, one_article, trends, by_topic = (
        con.execute(q).fetchall() for q in QUERIES[:6]
    )
    assert [row[1:4] for row in headlines] == [
        (
            ARTICLE_ID,
            "Banjir Rob Rendam Ratusan Rumah di Pesisir Utara",
            "Banjir Rob Rendam Ribuan Rumah",
        )
    ]
    assert most_edited[0][0] == ARTICLE_ID and most_edited[0][2] == 1
    assert [(row[1], row[4]) for row in deleted] == [(ARTICLE_ID, "removed")]
    assert [row[3] for row in one_article] == ["edit", "removed"]
    assert one_article[0][-1] == [PARAGRAPHS[2]]
    assert sum(row[3] for row in trends if row[1] == "bencana") == 1
    assert by_topic[0][:2] == ("bencana", 1)
