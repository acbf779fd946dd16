"""Spreadsheets, the register, NĐ 30 names and JSON Schemas (issue 15)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import openpyxl
from pypdf import PdfReader
from typer.testing import CliRunner

from vn_dispatch_parser import parse_text
from vn_dispatch_parser.batch.runner import BatchOptions, run_batch
from vn_dispatch_parser.cli import app
from vn_dispatch_parser.outputs.export import (
    csv_text,
    flat_row,
    json_schema,
    nd30_flat,
    nd30_metadata,
    neutralise_cell,
)
from vn_dispatch_parser.records import REVIEW_FIELDS, IncomingStamp

from .conftest import CONG_VAN_TEXT

TEXT_03 = CONG_VAN_TEXT.replace("Số: 1865 /SYT-VP", "Số: 03 /SYT-VP")
URGENT = CONG_VAN_TEXT.replace("UBND TỈNH BÌNH DƯƠNG", "HỎA TỐC\nMẬT\nUBND TỈNH BÌNH DƯƠNG", 1)


def _folder(tmp_path: Path, files: dict[str, str | bytes]) -> Path:
    src = tmp_path / "in"
    src.mkdir()
    for name, body in files.items():
        (src / name).write_bytes(body if isinstance(body, bytes) else body.encode("utf-8"))
    return src


def test_neutralise_cell_rule() -> None:
    for bad in ("=1+1", "+84 912", "-5", "@SUM(A1)", "\tx", "\rx"):
        assert neutralise_cell(bad) == "'" + bad
    assert neutralise_cell("1865/SYT-VP") == "1865/SYT-VP" and neutralise_cell(None) is None
    assert neutralise_cell(3) == 3
    text = csv_text([{"file": "a", "subject": "=HYPERLINK(\"http://x\")"}])
    row = next(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert row["subject"].startswith("'=")


def test_records_xlsx(tmp_path: Path) -> None:
    src = _folder(tmp_path, {"a.txt": TEXT_03, "b.txt": b"", "c.txt": CONG_VAN_TEXT.replace("V/v", "V/v =cmd|")})
    out = tmp_path / "out"
    report = run_batch(BatchOptions(inputs=[src], out_dir=out, jobs=1, formats={"json", "xlsx"}))
    assert report.ok == 2 and report.failed == 1
    wb = openpyxl.load_workbook(out / "records.xlsx")
    assert wb.sheetnames == ["Văn bản", "Lỗi", "Lưu trữ"]
    ws = wb["Văn bản"]
    assert ws.freeze_panes == "A2" and ws["A1"].font.bold
    head = [c.value for c in ws[1]]
    row = {h: c for h, c in zip(head, ws[2], strict=True)}
    assert row["number"].value == "03" and row["number"].data_type == "s"  # số stays text
    assert row["number_symbol"].value == "03/SYT-VP"
    assert row["issued_date"].value.date() == dt.date(2025, 6, 18) and row["issued_date"].is_date
    assert ws.column_dimensions["N"].width > 10  # widths fitted (subject)
    subjects = [r[head.index("subject")].value for r in ws.iter_rows(min_row=2)]
    assert all(not str(s).startswith("=") for s in subjects if s)
    errors = wb["Lỗi"]
    assert errors["A2"].value == "b.txt" and errors["B2"].value
    archive = wb["Lưu trữ"]
    ahead = [c.value for c in archive[1]]
    arow = dict(zip(ahead, [c.value for c in archive[2]], strict=True))
    assert arow["Ngôn ngữ"] == "Tiếng Việt" and arow["Độ mật"] == "Thường" and arow["Mức độ tin cậy"] == "Bản chính"
    assert "Ký hiệu thông tin" in ahead and "Tình trạng vật lý" in ahead


def test_nd30_names_keep_urgency_and_secrecy_and_the_rest() -> None:
    result = parse_text(URGENT)
    doc = result.documents[0]
    assert doc.urgency == "HỎA TỐC" and doc.confidentiality == "MẬT"
    doc.incoming_stamp = IncomingStamp(number="0123", date=dt.date(2025, 6, 20))
    doc.warnings.append("some English warning")
    doc.needs_review = ["signer_position"]
    meta = nd30_metadata(result, doc)
    assert meta["Priority"] == 3 and meta["Urgency"] == "HỎA TỐC" and meta["Confidentiality"] == "MẬT"
    assert meta["SignerInfo"] == {"Position": "GIÁM ĐỐC", "FullName": "Nguyễn Hồng Chương"}
    assert meta["OrganName"] == "SỞ Y TẾ (UBND TỈNH BÌNH DƯƠNG)"
    assert meta["ToPlaces"] == "Như trên" and "Lưu" not in meta["ToPlaces"]
    assert meta["ArrivalNumber"] == 123 and meta["ArrivalDate"] == "2025-06-20"
    assert meta["Description"] == "Cần kiểm tra: chức vụ người ký" and "English" not in meta["Description"]
    flat = nd30_flat(result, doc)
    assert flat["SignerInfo.FullName"] == "Nguyễn Hồng Chương" and "SignerInfo" not in flat


def test_batch_nd30_naming_in_every_combined_output(tmp_path: Path) -> None:
    src = _folder(tmp_path, {"a.txt": URGENT})
    out = tmp_path / "out"
    opts = BatchOptions(inputs=[src], out_dir=out, jobs=1, formats={"json", "jsonl", "csv", "xlsx"}, naming="nd30")
    assert run_batch(opts).ok == 1
    row = json.loads((out / "records.jsonl").read_text(encoding="utf-8").splitlines()[0])
    assert row["CodeNumber"] == "1865" and row["Priority"] == 3 and row["Confidentiality"] == "MẬT"
    assert row["SignerInfo"]["FullName"] == "Nguyễn Hồng Chương"
    rows = list(csv.DictReader(io.StringIO((out / "records.csv").read_text(encoding="utf-8-sig"))))
    assert rows[0]["CodeNotation"] == "SYT-VP" and rows[0]["SignerInfo.Position"] == "GIÁM ĐỐC"
    ws = openpyxl.load_workbook(out / "records.xlsx")["Văn bản"]
    assert [c.value for c in ws[1]][:3] == ["File", "CodeNumber", "CodeNotation"]
    res = CliRunner().invoke(app, ["batch", str(src), "--out", str(tmp_path / "o2"), "-j", "1", "--naming", "nd30",
                                   "--formats", "jsonl"])
    assert res.exit_code == 0, res.output
    assert "CodeNumber" in (tmp_path / "o2" / "records.jsonl").read_text(encoding="utf-8")


def test_register_xlsx_and_pdf(tmp_path: Path) -> None:
    first = CONG_VAN_TEXT.replace("Nội dung", "SỞ TƯ PHÁP\nĐẾN Số: 57\nNgày: 20/6/2025\nNội dung")
    src = _folder(tmp_path, {"a.txt": first, "b.txt": TEXT_03})
    out = tmp_path / "out"
    assert run_batch(BatchOptions(inputs=[src], out_dir=out, jobs=1, formats={"json", "register"})).ok == 2
    ws = openpyxl.load_workbook(out / "register.xlsx").active
    assert ws["A1"].value == "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN"
    assert [c.value for c in ws[3]] == ["Ngày đến", "Số đến", "Tác giả", "Số, ký hiệu văn bản", "Ngày tháng văn bản",
                                        "Tên loại và trích yếu nội dung", "Đơn vị hoặc người nhận", "Ngày chuyển",
                                        "Ký nhận", "Ghi chú"]
    assert [c.value for c in ws[4]] == [f"({k})" for k in range(1, 11)]
    assert ws.freeze_panes == "A5" and ws.page_setup.orientation == "landscape"
    numbers = [ws.cell(row=r, column=4).value for r in range(5, ws.max_row + 1)]
    assert sorted(numbers) == ["03/SYT-VP", "1865/SYT-VP"]
    text = " ".join("".join(p.extract_text() for p in PdfReader(out / "register.pdf").pages).split())
    assert "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN" in text and "1865/SYT-VP" in text and "Trích yếu".lower() in text.lower()


def _walk(schema: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    found = []
    for node_name, node in [("root", schema), *schema.get("$defs", {}).items()]:
        for name, prop in node.get("properties", {}).items():
            found.append((f"{node_name}.{name}", prop))
    return found


def test_file_schema_has_ids_descriptions_enums_and_ranges() -> None:
    s = json_schema()
    assert s["$schema"].endswith("/2020-12/schema") and s["$id"].startswith("https://")
    missing = [n for n, p in _walk(s) if not p.get("description") or " / " not in p["description"]]
    assert not missing  # every field: Vietnamese / English
    doc = s["$defs"]["Document"]["properties"]
    assert {"KHẨN", "HỎA TỐC"} <= set(doc["urgency"]["anyOf"][0]["enum"])
    assert set(doc["confidentiality"]["anyOf"][0]["enum"]) == {"MẬT", "TỐI MẬT", "TUYỆT MẬT"}
    assert doc["needs_review"]["items"]["enum"] == list(REVIEW_FIELDS)
    assert doc["confidence"]["additionalProperties"] == {"type": "number", "minimum": 0, "maximum": 1}


def test_row_schema_matches_the_rows() -> None:
    s = json_schema("row")
    assert s["$id"] != json_schema()["$id"] and s["additionalProperties"] is False
    result = parse_text(URGENT)
    row = flat_row(result, 0, result.documents[0])
    assert set(row) == set(s["properties"])
    assert all(p["description"] for p in s["properties"].values())
    nd30 = json_schema("nd30")
    assert set(nd30_metadata(result, result.documents[0])) == set(nd30["properties"])


def test_schema_command_kinds() -> None:
    runner = CliRunner()
    for kind in ("file", "row", "nd30"):
        res = runner.invoke(app, ["schema", "--kind", kind])
        assert res.exit_code == 0 and json.loads(res.stdout)["$schema"]
