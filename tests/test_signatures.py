"""Digital signatures read with pyHanko (issue 15): signer, organisation, Vietnam time, intact, changed after
signing; the earliest organisational signing time as evidence for the issue date."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from vn_dispatch_parser import parse_text
from vn_dispatch_parser.image.signatures import VIETNAM_TZ, apply_to_document, read_signatures
from vn_dispatch_parser.records import FileResult, PdfSignature

from .archive_fixtures import signed_pdf
from .conftest import CONG_VAN_TEXT, SHARED


def test_a_signature_is_read_with_signer_organisation_and_vietnam_time(tmp_path: Path) -> None:
    pdf = tmp_path / "signed.pdf"
    signed_pdf(pdf)
    [sig] = read_signatures(pdf)
    assert sig.signer == "Ủy ban nhân dân tỉnh Quảng Ngãi" and sig.organisation == "Tỉnh Quảng Ngãi"
    assert sig.is_organisation
    assert sig.signed_at is not None and sig.signed_at.utcoffset() == dt.timedelta(hours=7)
    assert abs(sig.signed_at - dt.datetime.now(dt.timezone.utc)) < dt.timedelta(minutes=10)
    assert sig.intact is True and sig.changed_after_signing is False


def test_changes_after_signing_are_reported(tmp_path: Path) -> None:
    from pyhanko.pdf_utils.generic import NameObject, TextStringObject
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    pdf = tmp_path / "signed.pdf"
    signed_pdf(pdf)
    data = pdf.read_bytes()
    changed = tmp_path / "changed.pdf"
    changed.write_bytes(data)
    with changed.open("rb+") as fh:  # an incremental update after the signature: a revision it does not cover
        w = IncrementalPdfFileWriter(fh)
        w.root[NameObject("/Lang")] = TextStringObject("vi")
        w.update_root()
        w.write_in_place()
    [sig] = read_signatures(changed)
    assert sig.changed_after_signing is True and sig.intact is True
    broken = tmp_path / "broken.pdf"  # one byte of the signed content altered: no longer intact
    i = data.index(b"stream") + 12
    broken.write_bytes(data[:i] + bytes([data[i] ^ 0xFF]) + data[i + 1:])
    [sig] = read_signatures(broken)
    assert sig.intact is False or sig.problem


def test_unsigned_or_unreadable_files_have_no_signatures(tmp_path: Path) -> None:
    p = tmp_path / "x.pdf"
    p.write_bytes(b"not a pdf")
    assert read_signatures(p) == []


def _doc():
    return parse_text(CONG_VAN_TEXT).documents[0]  # issued 2025-06-18


def _sig(when: dt.datetime, name: str = "Ủy ban nhân dân tỉnh Bình Dương", org: bool = True) -> PdfSignature:
    return PdfSignature(signer=name, is_organisation=org, signed_at=when.astimezone(VIETNAM_TZ))


def test_agreeing_signature_raises_the_date_confidence() -> None:
    doc = _doc()
    doc.confidence["issued_date"] = 0.7
    doc.needs_review.append("issued_date")
    # 18/6 20:30 UTC+7 is 13:30 UTC: the same day in Vietnam
    apply_to_document(doc, [_sig(dt.datetime(2025, 6, 18, 13, 30, tzinfo=dt.timezone.utc))])
    assert doc.confidence["issued_date"] >= 0.98 and "issued_date" not in doc.needs_review


def test_vietnam_day_not_utc_day_is_compared() -> None:
    doc = _doc()
    # 17/6 18:00 UTC is 18/6 01:00 in Vietnam: agreement
    apply_to_document(doc, [_sig(dt.datetime(2025, 6, 17, 18, 0, tzinfo=dt.timezone.utc))])
    assert "issued_date" not in doc.needs_review


def test_disagreeing_signature_flags_the_date() -> None:
    doc = _doc()
    apply_to_document(doc, [_sig(dt.datetime(2025, 7, 1, 3, 0, tzinfo=dt.timezone.utc))])
    assert "issued_date" in doc.needs_review and doc.issued_date == dt.date(2025, 6, 18)
    assert any("2025-07-01" in w for w in doc.warnings) and "2025-07-01" in doc.review_reasons["issued_date"]
    doc = _doc()  # signed the day before the date it bears: impossible
    apply_to_document(doc, [_sig(dt.datetime(2025, 6, 17, 3, 0, tzinfo=dt.timezone.utc))])
    assert "issued_date" in doc.needs_review


def test_the_usual_lag_of_the_organisation_s_signature_is_consistent() -> None:
    doc = _doc()  # dated 18/6 (a Wednesday), the office's certificate signed on 21/6: no alarm
    conf = doc.confidence.get("issued_date")
    apply_to_document(doc, [_sig(dt.datetime(2025, 6, 21, 3, 0, tzinfo=dt.timezone.utc))])
    assert "issued_date" not in doc.needs_review and doc.confidence.get("issued_date") == conf
    # a person's signature on the day itself agrees (05.signed: the person on 8/1, the UBND on 9/1)
    apply_to_document(doc, [_sig(dt.datetime(2025, 6, 18, 3, tzinfo=dt.timezone.utc), "Nguyễn Văn A", org=False),
                            _sig(dt.datetime(2025, 6, 19, 3, tzinfo=dt.timezone.utc))])
    assert doc.confidence["issued_date"] >= 0.98


def test_a_person_s_signature_is_not_used_and_the_earliest_organisation_wins() -> None:
    doc = _doc()
    apply_to_document(doc, [_sig(dt.datetime(2025, 6, 1, 3, tzinfo=dt.timezone.utc), "Nguyễn Văn A", org=False),
                            _sig(dt.datetime(2025, 6, 20, 3, tzinfo=dt.timezone.utc), "Trung tâm Công báo"),
                            _sig(dt.datetime(2025, 6, 18, 3, tzinfo=dt.timezone.utc))])
    assert "issued_date" not in doc.needs_review


def test_missing_date_is_taken_from_the_signature_and_flagged() -> None:
    doc = _doc()
    doc.issued_date = None
    apply_to_document(doc, [_sig(dt.datetime(2025, 6, 18, 3, tzinfo=dt.timezone.utc))])
    assert doc.issued_date == dt.date(2025, 6, 18) and "issued_date" in doc.needs_review
    doc.issued_date = None  # a person's signing day first
    apply_to_document(doc, [_sig(dt.datetime(2025, 6, 17, 3, tzinfo=dt.timezone.utc), "Nguyễn Văn A", org=False),
                            _sig(dt.datetime(2025, 6, 18, 3, tzinfo=dt.timezone.utc))])
    assert doc.issued_date == dt.date(2025, 6, 17)
    assert doc.evidence["issued_date"].rule == "digital_signature_time"


def test_an_attached_draft_does_not_take_the_files_signing_date() -> None:  # issue 12, class 5
    draft = _doc()
    draft.issued_date = None  # "ngày    tháng    năm 2025": a draft resolution under its tờ trình
    apply_to_document(draft, [_sig(dt.datetime(2025, 6, 18, 3, tzinfo=dt.timezone.utc))], attached=True)
    assert draft.issued_date is None and "digital_signature_time" not in str(draft.evidence.get("issued_date"))
    dated = _doc()  # an attachment dated on its page is still checked against the signatures
    apply_to_document(dated, [_sig(dt.datetime(2025, 7, 1, 3, 0, tzinfo=dt.timezone.utc))], attached=True)
    assert "issued_date" in dated.needs_review


def test_signatures_are_part_of_the_record_and_its_schema() -> None:
    r = FileResult(file="x.pdf", signatures=[_sig(dt.datetime(2025, 6, 18, 3, tzinfo=dt.timezone.utc))])
    again = FileResult.model_validate_json(r.to_json())
    assert again.signatures[0].signed_at.isoformat() == "2025-06-18T10:00:00+07:00"
    from vn_dispatch_parser.outputs.export import json_schema

    assert "signatures" in json_schema()["properties"]


REAL = SHARED / "real" / "05.signed_20250517_044750.pdf"


@pytest.mark.skipif(not REAL.is_file(), reason="../shared/real not present")
def test_real_file_with_five_signatures() -> None:
    sigs = read_signatures(REAL)
    assert len(sigs) == 5
    assert sigs[0].signer == "Nguyễn Phước Bình" and not sigs[0].is_organisation
    assert sigs[0].organisation == "ỦY BAN NHÂN DÂN TỈNH QUẢNG NGÃI"
    assert sigs[1].signer == "Ủy ban nhân dân tỉnh Quảng Ngãi" and sigs[1].is_organisation
    assert all(s.intact for s in sigs)
    assert all(s.signed_at is not None and s.signed_at.utcoffset() == dt.timedelta(hours=7) for s in sigs)
    assert sigs[-1].signer == "TRUNG TÂM CÔNG BÁO VÀ TIN HỌC" and sigs[-1].signed_at.hour == 17  # 10:21 UTC
    assert [s.changed_after_signing for s in sigs] == [True, True, True, True, False]
