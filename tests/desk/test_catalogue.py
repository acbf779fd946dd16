"""The catalogue on both back ends: the same search tests on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from vn_dispatch_parser.cli import app
from vn_dispatch_parser.desk import Catalogue, CatalogueError
from vn_dispatch_parser.desk.fold import fold, parse_query
from vn_dispatch_parser.desk.schema import SCHEMA_VERSION, current_version

from .conftest import make_outputs


def files_of(matches: list) -> list[str]:
    return sorted(m.file for m in matches)


def test_fold_and_query_language() -> None:
    assert fold("V/v chấn chỉnh thực thi công vụ") == "v v chan chinh thuc thi cong vu"
    assert fold("ĐỒNG ĐẲNG đường") == "dong dang duong"
    q = parse_query('1865/SYT-VP "thực thi" cong')
    assert q.terms == ["cong"] and q.phrases == [["thuc", "thi"], ["1865", "syt", "vp"]] and q.exact == ["thực thi"]
    assert not parse_query('  "" ./ ')


def test_search_on_both_back_ends(desk_out: Path, db_url: str | None) -> None:
    cat = Catalogue(desk_out, db_url)
    summary = cat.index()
    assert (summary.files, summary.indexed + summary.unchanged, summary.documents) == (4, 4, 4)
    # diacritics and đ/d do not matter
    assert files_of(cat.search("chan chinh thuc thi")) == ["a_flagged.txt", "b_cong_van.txt"]
    assert files_of(cat.search("CHẤN CHỈNH")) == ["a_flagged.txt", "b_cong_van.txt"]
    assert files_of(cat.search("duong sa")) == ["d_decision.txt"]
    # quoted: exact phrase (word order), with diacritics as written when written with them
    assert files_of(cat.search('"chấn chỉnh thực thi"')) == ["a_flagged.txt", "b_cong_van.txt"]
    assert files_of(cat.search('"chan chinh thuc thi"')) == ["a_flagged.txt", "b_cong_van.txt"]
    assert cat.search('"thực thi chấn chỉnh"') == []
    assert cat.search('"chân chính thực thi"') == []
    # a số/ký hiệu finds its documents, best first
    found = cat.search("1865/SYT-VP")
    assert files_of(found) == ["b_cong_van.txt", "c_duplicate.txt"]
    assert files_of(cat.search("303/QĐ-UBND")) == files_of(cat.search("303/qd-ubnd")) == ["d_decision.txt"]
    # signer and issuer are searched too; filters combine
    assert files_of(cat.search("tran ngoc tam")) == ["d_decision.txt"]
    assert files_of(cat.search("", issuer="so y te", doc_type="cong van")) == [
        "a_flagged.txt", "b_cong_van.txt", "c_duplicate.txt"]
    assert files_of(cat.search("", doc_type="quyết định")) == ["d_decision.txt"]
    assert files_of(cat.search("", date_from=dt.date(2025, 1, 1))) == [
        "a_flagged.txt", "b_cong_van.txt", "c_duplicate.txt"]
    assert files_of(cat.search("", date_to=dt.date(2020, 1, 1))) == ["d_decision.txt"]
    assert files_of(cat.search("chan chinh", needs_review=True)) == ["a_flagged.txt"]
    assert cat.search("chan chinh", issuer="ben tre") == []
    # duplicates: same (số, ký hiệu, cơ quan, year) in two files, in results and in the summary
    by_file = {m.file: m for m in found}
    assert by_file["b_cong_van.txt"].duplicates == ["c_duplicate.txt#1"]
    assert [g.documents for g in summary.duplicates] == [["b_cong_van.txt#1", "c_duplicate.txt#1"]]
    assert "duplicates" in summary.text() and "c_duplicate.txt#1" in summary.text()
    m = by_file["b_cong_van.txt"].to_json()
    assert {"file", "doc_index", "number_symbol", "issued_date", "issuer", "subject", "score"} <= set(m)
    assert m["number_symbol"] == "1865/SYT-VP" and m["issued_date"] == "2025-06-18" and m["score"] >= 0
    cat.close()


def test_index_is_incremental(desk_out: Path, db_url: str | None) -> None:
    cat = Catalogue(desk_out, db_url)
    cat.index()
    ids = {m.file: m.id for m in cat.search("")}
    again = cat.index()
    assert (again.indexed, again.unchanged, again.removed) == (0, 4, 0)
    (desk_out / "c_duplicate.txt.json").unlink()
    data = json.loads((desk_out / "b_cong_van.txt.json").read_text())
    data["documents"][0]["subject"] = "V/v sửa đổi trích yếu"
    (desk_out / "b_cong_van.txt.json").write_text(json.dumps(data, ensure_ascii=False))
    third = cat.index()
    assert (third.indexed, third.unchanged, third.removed) == (1, 2, 1)
    assert files_of(cat.search("sua doi trich yeu")) == ["b_cong_van.txt"]
    assert cat.search("sua doi")[0].id == ids["b_cong_van.txt"]  # ids are kept: the desk's links stay valid
    assert not third.duplicates
    cat.close()


def test_index_leaves_out_strangers_and_clashes_and_follows_a_moved_source(tmp_path: Path) -> None:
    src, out = make_outputs(tmp_path)
    cat = Catalogue(out)
    doc_id = cat.find("b_cong_van.txt", 1)
    assert doc_id is not None and cat.get(doc_id).source_path == (src / "b_cong_van.txt").resolve()
    (out / "notes.json").write_text('{"x": 1}', encoding="utf-8")
    (out / "sub").mkdir()
    (out / "sub" / "copy.json").write_bytes((out / "b_cong_van.txt.json").read_bytes())
    moved = tmp_path / "moved"
    shutil.copytree(src, moved)
    summary = cat.index(source_dirs=[moved])
    assert (summary.indexed, summary.unchanged, summary.files) == (0, 4, 6)
    assert sorted(summary.skipped) == [
        "notes.json: not a vn-dispatch result",
        "sub/copy.json: its file 'b_cong_van.txt' is already catalogued from b_cong_van.txt.json"]
    assert cat.get(doc_id).source_path == (moved / "b_cong_van.txt").resolve()  # unchanged, but found elsewhere
    with pytest.raises(CatalogueError, match="not a vn-dispatch result"):
        cat.index_result(out / "notes.json")
    with pytest.raises(CatalogueError, match="already catalogued"):
        cat.index_result(out / "sub" / "copy.json")
    cat.close()


def test_migrations_are_recorded_and_a_newer_catalogue_is_refused(desk_out: Path, db_url: str | None) -> None:
    cat = Catalogue(desk_out, db_url)
    with cat.engine.begin() as conn:
        assert current_version(conn) == SCHEMA_VERSION
        rows = conn.execute(text("SELECT version FROM schema_migrations")).scalars().all()
        assert rows == list(range(1, SCHEMA_VERSION + 1))
    Catalogue(desk_out, db_url).close()  # reopening applies nothing
    with cat.engine.begin() as conn:
        assert conn.execute(text("SELECT count(*) FROM schema_migrations")).scalar() == SCHEMA_VERSION
        conn.execute(text("INSERT INTO schema_migrations (version, description, applied_at) "
                          "VALUES (99, 'future', CURRENT_TIMESTAMP)"))
    cat.close()
    with pytest.raises(CatalogueError, match="newer"):
        Catalogue(desk_out, db_url)


def test_index_and_search_commands(tmp_path: Path) -> None:
    _src, out = make_outputs(tmp_path)
    (out / "catalogue.sqlite").unlink()  # the batch made it: the command builds it again
    runner = CliRunner()
    res = runner.invoke(app, ["index", str(out)])
    assert res.exit_code == 0, res.output
    assert "4 documents" in res.output and "b_cong_van.txt#1, c_duplicate.txt#1" in res.output
    res = runner.invoke(app, ["search", str(out), "chan chinh thuc thi", "--json"])
    assert res.exit_code == 0, res.output
    lines = [json.loads(x) for x in res.stdout.splitlines()]
    assert sorted(x["file"] for x in lines) == ["a_flagged.txt", "b_cong_van.txt"]
    res = runner.invoke(app, ["search", str(out), "1865/SYT-VP", "--issuer", "Sở Y tế", "--from", "2025-06-01",
                              "--to", "2025-06-30"])
    assert res.exit_code == 0 and "1865/SYT-VP" in res.stdout and "duplicate of" in res.stdout
    res = runner.invoke(app, ["search", str(out), "x", "--from", "18/6/2025"])
    assert res.exit_code == 2
    res = runner.invoke(app, ["search", str(tmp_path / "nowhere"), "x"])
    assert res.exit_code == 2


def test_batch_updates_the_catalogue(tmp_path: Path) -> None:
    src, out = make_outputs(tmp_path)
    cat = Catalogue(out)
    assert len(cat.search("")) == 4
    hit = cat.search("1865/SYT-VP")[0]
    assert cat.get(hit.id) is not None and cat.get(hit.id).source_path == (src / hit.file).resolve()
    cat.close()
