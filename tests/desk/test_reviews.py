"""Corrections beside the machine result: validated, kept with their history, applied to the records and
the catalogue, kept or flagged by a rerun of the batch."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import pytest

from vn_dispatch_parser.batch.runner import BatchOptions, run_batch
from vn_dispatch_parser.desk import Catalogue
from vn_dispatch_parser.desk.reviews import (
    ReviewError,
    apply_review,
    load_review,
    patch_records,
    record_decision,
    review_items,
    review_path,
)
from vn_dispatch_parser.records import FileResult

from .conftest import FLAGGED, make_outputs


def csv_rows(out: Path) -> dict[str, dict[str, str]]:
    text = (out / "records.csv").read_text(encoding="utf-8-sig")
    return {r["file"]: r for r in csv.DictReader(io.StringIO(text, newline=""))}


def jsonl_rows(out: Path) -> dict[str, dict]:
    return {r["file"]: r for r in map(json.loads, (out / "records.jsonl").read_text().splitlines())}


def correct(out: Path, file: str, field: str, value: str | None, who: str = "lan") -> FileResult:
    path = out / f"{file}.json"
    result = FileResult.model_validate_json(path.read_bytes())
    record_decision(path, result, 1, field, value, who)
    effective, _ = apply_review(result, load_review(path))
    patch_records(out, {result.file: effective})
    return effective


def test_a_correction_is_validated_kept_beside_the_result_and_applied(tmp_path: Path) -> None:
    _src, out = make_outputs(tmp_path)
    path = out / "a_flagged.txt.json"
    machine = path.read_bytes()
    result = FileResult.model_validate_json(machine)
    assert review_items(result.documents[0]) == ["number", "number_symbol"]
    with pytest.raises(ReviewError, match="date"):
        record_decision(path, result, 1, "issued_date", "31/2/2025", "lan")
    with pytest.raises(ReviewError):
        record_decision(path, result, 1, "full_text", "x", "lan")
    assert not review_path(path).exists()
    effective = correct(out, "a_flagged.txt", "number", "1866")
    effective = correct(out, "a_flagged.txt", "number", "1865")  # a second thought: history kept
    effective = correct(out, "a_flagged.txt", "issued_date", "19/6/2025")
    doc = effective.documents[0]
    assert (doc.number, doc.number_symbol, doc.issued_date) == ("1865", "1865/SYT-VP", dt.date(2025, 6, 19))
    assert doc.needs_review == ["number_symbol"]  # number decided; number_symbol still to look at
    assert "number" not in doc.review_reasons and "number_symbol" in doc.review_reasons
    assert path.read_bytes() == machine  # the machine result is never modified
    review = json.loads(review_path(path).read_text())
    assert [(c["field"], c["old"], c["new"], c["who"], c["action"]) for c in review["corrections"]] == [
        ("number", None, "1866", "lan", "correct"), ("number", None, "1865", "lan", "correct"),
        ("issued_date", "2025-06-18", "2025-06-19", "lan", "correct")]
    assert all(c["when"] for c in review["corrections"])
    assert csv_rows(out)["a_flagged.txt"]["number"] == "1865"
    assert csv_rows(out)["a_flagged.txt"]["issued_date"] == "2025-06-19"
    assert jsonl_rows(out)["a_flagged.txt"]["number_symbol"] == "1865/SYT-VP"
    assert csv_rows(out)["b_cong_van.txt"]["number"] == "1865"  # other rows untouched
    effective = correct(out, "a_flagged.txt", "number_symbol", None)  # Enter on the value: accepted
    assert effective.documents[0].needs_review == []
    assert csv_rows(out)["a_flagged.txt"]["needs_review"] == ""
    cat = Catalogue(out)
    cat.index()
    assert [m.file for m in cat.search("1865/SYT-VP") if m.file == "a_flagged.txt"]
    assert not cat.search("", needs_review=True)
    cat.close()


def test_a_rerun_keeps_corrections_that_apply_and_flags_the_others(tmp_path: Path) -> None:
    src, out = make_outputs(tmp_path)
    correct(out, "a_flagged.txt", "number", "1865")
    correct(out, "b_cong_van.txt", "signer_name", "Nguyễn Hồng Chưởng")
    report = run_batch(BatchOptions(inputs=[src], out_dir=out, jobs=1, force=True))
    assert report.ok == 4
    rows = csv_rows(out)
    assert rows["a_flagged.txt"]["number"] == "1865" and rows["b_cong_van.txt"]["signer_name"] == "Nguyễn Hồng Chưởng"
    # the scan is read again and its number now reads differently: the old correction no longer applies
    (src / "a_flagged.txt").write_text(FLAGGED.replace("Số: /SYT-VP", "Số: 12/SYT-VP"), encoding="utf-8")
    run_batch(BatchOptions(inputs=[src], out_dir=out, jobs=1))
    rows = csv_rows(out)
    assert rows["a_flagged.txt"]["number"] == "12"
    assert "number" in rows["a_flagged.txt"]["needs_review"].split("; ")
    assert "no longer applies" in rows["a_flagged.txt"]["warnings"]
    assert rows["b_cong_van.txt"]["signer_name"] == "Nguyễn Hồng Chưởng"
    cat = Catalogue(out)
    flagged = cat.search("", needs_review=True)
    assert [m.file for m in flagged] == ["a_flagged.txt"] and "number" in flagged[0].needs_review
    assert [m.file for m in cat.search('"Chưởng"')] == ["b_cong_van.txt"]  # the corrected signer is searchable
    cat.close()
    assert len(load_review(out / "a_flagged.txt.json").corrections) == 1  # history is never dropped


def test_the_desk_on_both_back_ends_and_stamp_fields(tmp_path: Path, db_url: str | None) -> None:
    """A decision made through the desk reaches the catalogue, on SQLite and PostgreSQL alike; an
    "incoming_stamp" flag is reviewed as its number and date, and a field the desk cannot edit is accepted."""
    from vn_dispatch_parser.desk.server import Desk

    _src, out = make_outputs(tmp_path)
    path = out / "b_cong_van.txt.json"
    data = json.loads(path.read_text())
    data["documents"][0]["needs_review"] = ["incoming_stamp", "references"]
    path.write_text(json.dumps(data, ensure_ascii=False))
    desk = Desk(out, db_url, "lan")
    desk.catalogue.index()
    doc_id = desk.catalogue.find("b_cong_van.txt", 1)
    assert doc_id is not None
    doc = desk.catalogue.get(doc_id).document
    assert review_items(doc) == ["incoming_stamp.number", "incoming_stamp.date", "references"]
    with pytest.raises(ReviewError):
        desk.decide(doc_id, "references", "x")  # not editable: only accepted
    desk.decide(doc_id, "incoming_stamp.number", "125")
    out_ = desk.decide(doc_id, "incoming_stamp.date", "20/6/2025")
    assert out_["needs_review"] == ["references"]
    assert desk.decide(doc_id, "references", None)["needs_review"] == []
    stamp = desk.catalogue.get(doc_id).document.incoming_stamp
    assert stamp is not None and (stamp.number, stamp.date) == ("125", dt.date(2025, 6, 20))
    assert [m.file for m in desk.catalogue.search("", needs_review=True)] == ["a_flagged.txt"]
    assert csv_rows(out)["b_cong_van.txt"]["incoming_number"] == "125"
    desk.catalogue.close()
