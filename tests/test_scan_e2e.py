"""End to end with real Tesseract: a few sample pages through ``parse_file``, and bad images.

Marked ``e2e``: they need tesseract-ocr and tesseract-ocr-vie (``make test`` installs them).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import cv2
import numpy as np
import pytest

from vn_dispatch_parser import (
    DecompressionBombError,
    EmptyDocumentError,
    InputFileError,
    UnsupportedFormatError,
    parse_file,
)

from .conftest import ROOT, compare_doc

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract is not installed"),
]
SAMPLES = ROOT / "samples"


def _truth(name: str) -> dict:  # type: ignore[type-arg]
    return json.loads((SAMPLES / f"{name}.json").read_text(encoding="utf-8"))


def test_clean_cong_van_png() -> None:
    result = json.loads(parse_file(SAMPLES / "cv_001_clean.png").model_dump_json())
    truth = _truth("cv_001_clean.png")["documents"][0]
    doc = result["documents"][0]
    keys = ["issuer_parent", "issuer", "doc_type", "symbol", "place", "subject", "addressees", "signer_position",
            "signer_name", "has_seal"]
    assert not compare_doc({k: truth[k] for k in keys}, doc)
    assert doc["evidence"]["issuer"]["page"] == 1 and doc["evidence"]["issuer"]["bbox"]
    assert result["pages"] == 1 and len(result["sha256"]) == 64


def test_two_page_quyet_dinh_pdf() -> None:
    result = json.loads(parse_file(SAMPLES / "qd_006_clean.pdf").model_dump_json())
    truth = _truth("qd_006_clean.pdf")["documents"][0]
    doc = result["documents"][0]
    keys = ["issuer", "doc_type", "symbol", "place", "subject", "signer_authority", "signer_position",
            "page_start", "page_end", "has_seal"]
    assert not compare_doc({k: truth[k] for k in keys}, doc)
    assert result["pages"] == 2


def test_blank_page_is_a_typed_error(tmp_path: Path) -> None:
    path = tmp_path / "blank.png"
    cv2.imwrite(str(path), np.full((1754, 1240), 250, np.uint8))
    with pytest.raises(EmptyDocumentError) as e:
        parse_file(path)
    assert "blank.png" in str(e.value)


def test_tiny_image_gives_no_document_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "tiny.png"
    cv2.imwrite(str(path), np.full((8, 8), 0, np.uint8))
    try:
        result = parse_file(path)
    except (EmptyDocumentError, InputFileError):
        return
    assert all(not d.number for d in result.documents)


def test_corrupt_and_misnamed_and_huge_images(tmp_path: Path) -> None:
    corrupt = tmp_path / "corrupt.jpg"
    corrupt.write_bytes(b"\xff\xd8\xff\xe0" + b"\x00" * 64)
    with pytest.raises(InputFileError):
        parse_file(corrupt)
    text = tmp_path / "text.png"
    text.write_text("không phải ảnh", encoding="utf-8")
    with pytest.raises(UnsupportedFormatError):
        parse_file(text)
    huge = tmp_path / "huge.png"  # a valid PNG header that declares 50000 × 50000 pixels
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", 50000, 50000, 8, 0, 0, 0, 0)
    huge.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64))
                     + chunk(b"IEND", b""))
    with pytest.raises(DecompressionBombError):
        parse_file(huge)


def test_name_under_a_seal_rim_and_header_in_a_shadow_are_read() -> None:
    # bundle_013 page 1: the printed name touches the (grey) seal's rim and the page OCR drops its line;
    # it is found by reading under the titles again
    doc = parse_file(SAMPLES / "bundle_013_mild.pdf").documents[0]
    assert doc.signer_name == "Quách Ngọc Huy"
    # bundle_014 page 3 (upside down, dark corners): the header and title lie in the shadow until the
    # paper is flattened
    result = parse_file(SAMPLES / "bundle_014_heavy.tif")
    assert len(result.documents) == 2
    qd = result.documents[1]
    assert qd.doc_type == "QUYẾT ĐỊNH" and qd.place == "Gia Lai"
    assert qd.subject == "Về việc bổ nhiệm vào ngạch Thanh tra viên và xếp lương"
    assert qd.signer_position == "TL. CHỦ TỊCH / CHÁNH VĂN PHÒNG"
