"""The published site in a real browser: Debian's headless Chromium at phone and desktop widths.

Screenshots are saved (to `LIPUTAN6_SCREENSHOTS` when set, else the test's temporary folder) for
a person to look at; the test itself checks the rendered DOM and that the Content-Security-Policy
blocked nothing the page needs (Chromium logs every violation to the console).
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
from pathlib import Path

import lxml.html
import pytest
from support.browser_support import CHROMIUM_FLAGS
from support.publish_support import (
    FIRST_TITLE,
    HOSTILE_ID,
    NOW,
    SCRIPT,
    SECOND_TITLE,
    build_warehouse,
)
from support.warehouse_support import ARTICLE_ID

from publishing import PublishOptions, publish_site

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).is_file(), reason="chromium is not installed")
FLAGS = (
    "--headless",
    *CHROMIUM_FLAGS,
    "--hide-scrollbars",
    "--enable-logging=stderr",
    "--v=0",
)
WIDTHS = (390, 1280)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("browser")
    db = build_warehouse(root / "warehouse.duckdb")
    publish_site(db, root / "site", PublishOptions(), now=NOW)
    return root / "site"


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = Path(os.environ.get("LIPUTAN6_SCREENSHOTS") or tmp_path_factory.mktemp("shots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def chromium(page: Path, profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args, page.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )


def png_size(path: Path) -> tuple[int, int]:
    width, height = struct.unpack(">II", path.read_bytes()[16:24])
    return width, height


def csp_violations(log: str) -> list[str]:
    return [line for line in log.splitlines() if "Content Security Policy" in line]


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", ["index.html", f"articles/{ARTICLE_ID}.html"])
def test_screenshot_at_phone_and_desktop_width(
    site: Path, shots: Path, tmp_path: Path, name: str, width: int
) -> None:
    target = shots / f"{name.replace('/', '-').removesuffix('.html')}-{width}.png"
    done = chromium(
        site / name, tmp_path / "profile", f"--window-size={width},1800", f"--screenshot={target}"
    )
    assert not csp_violations(done.stderr)
    assert png_size(target) == (width, 1800)
    print(f"screenshot: {target}")


def rendered(site: Path, name: str, profile: Path) -> lxml.html.HtmlElement:
    done = chromium(site / name, profile, "--window-size=390,1800", "--dump-dom")
    assert not csp_violations(done.stderr)
    return lxml.html.fromstring(done.stdout)


def test_rendered_index_shows_headline_before_and_after(site: Path, tmp_path: Path) -> None:
    dom = rendered(site, "index.html", tmp_path / "profile")
    headlines = dom.xpath("//p[@class='headline']")
    pairs = [(h.xpath("string(del)"), h.xpath("string(ins)")) for h in headlines]
    assert (FIRST_TITLE, SECOND_TITLE) in pairs
    assert not dom.xpath("//script")


def test_rendered_article_has_the_diff_markers(site: Path, tmp_path: Path) -> None:
    dom = rendered(site, f"articles/{ARTICLE_ID}.html", tmp_path / "profile")
    table = dom.xpath("//table[@class='diff']")[0]
    assert table.xpath(".//del") and table.xpath(".//ins")
    assert FIRST_TITLE.split()[-1] in table.xpath("string(.//tr[2]/following::del[1])")
    assert dom.xpath("string(//section//p[@class='headline']/ins)") == SECOND_TITLE


def test_rendered_hostile_article_stays_text(site: Path, tmp_path: Path) -> None:
    dom = rendered(site, f"articles/{HOSTILE_ID}.html", tmp_path / "profile")
    assert not dom.xpath("//script | //img | //*[@onerror]")
    assert SCRIPT in dom.xpath("string(//h1)")
