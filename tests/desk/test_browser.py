"""The desk in a real browser (Debian's headless Chromium driven by Playwright): search → open a document →
correct a flagged number with the keyboard → reload shows it → records.csv and the catalogue have it → a
second browser session sees it."""

from __future__ import annotations

import csv
import io
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from vn_dispatch_parser.desk import Catalogue
from vn_dispatch_parser.desk.server import create_app

from .conftest import ServerThread

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]

playwright_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        pytest.skip("chromium is not installed (make system-deps installs it)")
    with playwright_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


def test_search_open_correct_with_the_keyboard_and_see_it_everywhere(desk_out: Path, browser: object) -> None:
    app = create_app(desk_out, who="lan")
    with ServerThread(app) as server:
        ctx = browser.new_context()  # type: ignore[attr-defined]
        page = ctx.new_page()
        page.goto(server.url + "/")
        page.fill("#q", "chan chinh thuc thi")
        page.keyboard.press("Enter")
        page.wait_for_selector("#results")
        assert page.locator("#results tbody tr").count() == 2
        # open the flagged document from the results
        row = page.locator("#results tbody tr", has_text="a_flagged.txt")
        row.locator("a.open").click()
        page.wait_for_selector("#fields")
        doc_url = page.url
        assert page.locator('tr[data-field="number"]').get_attribute("class") == "flagged"
        page.click("a.badge.warn")  # "Rà soát 2 trường"
        page.wait_for_selector("#review")
        # keyboard only: the number field has the focus; typing replaces the empty value, Enter saves it
        assert page.evaluate("document.activeElement.name") == "number"
        page.keyboard.type("1865")
        page.keyboard.press("Enter")
        playwright_api.expect(page.locator('input[name="number_symbol"]')).to_be_focused()
        assert page.input_value('input[name="number_symbol"]') == "1865/SYT-VP"  # follows the corrected number
        review_url = page.url
        page.keyboard.press("Enter")  # accept: the document is done, the next one of the queue opens by itself
        page.wait_for_url(lambda url: url != review_url)
        assert "/review" in page.url
        # reload the document: the correction is there, no longer flagged
        page.goto(doc_url)
        page.reload()
        number = page.locator('tr[data-field="number"]')
        assert number.locator("td.v").inner_text() == "1865"
        assert number.get_attribute("class") != "flagged"
        assert page.locator('tr[data-field="number_symbol"] td.v').inner_text() == "1865/SYT-VP"
        ctx.close()
        # records.csv and the catalogue have it
        rows = list(csv.DictReader(io.StringIO((desk_out / "records.csv").read_text(encoding="utf-8-sig"),
                                               newline="")))
        row_a = next(r for r in rows if r["file"] == "a_flagged.txt")
        assert (row_a["number"], row_a["number_symbol"], row_a["needs_review"]) == ("1865", "1865/SYT-VP", "")
        cat = Catalogue(desk_out)
        hits = [m for m in cat.search("1865/SYT-VP") if m.file == "a_flagged.txt"]
        assert hits and hits[0].needs_review == [] and hits[0].duplicates  # now a duplicate of b and c
        cat.close()
        # a second browser session sees it
        other = browser.new_context()  # type: ignore[attr-defined]
        page2 = other.new_page()
        page2.goto(server.url + "/?q=1865%2FSYT-VP")
        assert page2.locator("#results tbody tr").count() == 3
        page2.locator("#results tbody tr", has_text="a_flagged.txt").locator("a.open").click()
        page2.wait_for_selector("#fields")
        assert page2.locator('tr[data-field="number"] td.v').inner_text() == "1865"
        other.close()


def test_invalid_value_is_refused_in_the_page_and_one_key_accepts_the_rest(desk_out: Path, browser: object) -> None:
    app = create_app(desk_out, who="lan")
    cat = Catalogue(desk_out)
    doc_id = cat.search("chan chinh", needs_review=True)[0].id
    cat.close()
    with ServerThread(app) as server:
        ctx = browser.new_context()  # type: ignore[attr-defined]
        page = ctx.new_page()
        page.goto(f"{server.url}/review/{doc_id}")
        page.keyboard.type("12a")
        page.keyboard.press("Tab")  # Tab moves on without deciding
        assert page.evaluate("document.activeElement.name") == "number_symbol"
        page.keyboard.press("PageDown")  # accepts the rest (the typed number included): next document opens
        page.wait_for_url(lambda url: not url.endswith(f"/review/{doc_id}"))
        page.goto(f"{server.url}/doc/{doc_id}")
        assert page.locator('tr[data-field="number"] td.v').inner_text() == "12a"
        ctx.close()
