"""Tests for page loading (io.py), the PDF text layer (pdftext.py) and e-signature stamps (esign.py)."""

from __future__ import annotations

import doctest
import importlib
import shutil
import struct
import zlib
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from pypdf import PdfWriter
from pypdf.generic import DictionaryObject, NameObject, StreamObject

from vn_dispatch_parser.core.esign import is_signature_block, parse_stamp
from vn_dispatch_parser.errors import (
    DecompressionBombError,
    EncryptedPdfError,
    InputFileError,
    MissingDependencyError,
    UnsupportedFormatError,
)
from vn_dispatch_parser.image.load import count_pages, estimate_dpi, iter_pages, pdf_text_layer, sniff_format
from vn_dispatch_parser.image.pdftext import text_quality

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT.parent / "shared" / "real"
needs_poppler = pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils not installed")
needs_real = pytest.mark.skipif(not REAL.is_dir(), reason="shared/real scans not available")


def _words(text: str) -> list[str]:
    return text.split()


def _blank_pdf(path: Path, pages: int = 1, width: float = 595, height: float = 842) -> Path:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=width, height=height)
    writer.write(path)
    return path


def _png_header(path: Path, width: int, height: int) -> Path:
    """A PNG that declares ``width`` x ``height`` but holds no pixel data (a few bytes on disk)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IEND", b""))
    return path


def _text_pdf(path: Path, lines: list[bytes]) -> Path:
    """A one-page PDF whose text layer holds ``lines`` (WinAnsi bytes, Helvetica), visible text."""
    writer = PdfWriter()
    page = writer.add_blank_page(width=595, height=842)
    font = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
            NameObject("/Encoding"): NameObject("/WinAnsiEncoding"),
        }
    )
    fonts = DictionaryObject({NameObject("/F1"): writer._add_object(font)})
    page[NameObject("/Resources")] = DictionaryObject({NameObject("/Font"): fonts})
    ops = b"".join(b"BT /F1 12 Tf 60 %d Td (%s) Tj ET\n" % (780 - 20 * i, ln) for i, ln in enumerate(lines))
    stream = StreamObject()
    stream.set_data(ops)
    page[NameObject("/Contents")] = writer._add_object(stream)
    writer.write(path)
    return path


# --- format sniffing ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "pil_format", "expected"),
    [
        ("a.png", "PNG", "png"),
        ("a.jpg", "JPEG", "jpeg"),
        ("a.tif", "TIFF", "tiff"),
        ("a.bmp", "BMP", "bmp"),
        ("a.webp", "WEBP", "webp"),
    ],
)
def test_sniff_images(tmp_path: Path, name: str, pil_format: str, expected: str) -> None:
    path = tmp_path / name
    Image.new("RGB", (8, 8), "white").save(path, format=pil_format)
    assert sniff_format(path) == expected


def test_sniff_pdf_and_text(tmp_path: Path) -> None:
    assert sniff_format(_blank_pdf(tmp_path / "a.pdf")) == "pdf"
    (tmp_path / "a.txt").write_text("Số: 12/UBND-VX\n", encoding="utf-8")
    (tmp_path / "b.md").write_bytes("Céng hoµ x· héi".encode("latin-1"))  # legacy TCVN3 bytes are still text
    assert sniff_format(tmp_path / "a.txt") == "text"
    assert sniff_format(tmp_path / "b.md") == "text"


def test_sniff_by_content_not_name(tmp_path: Path) -> None:
    path = tmp_path / "scan.jpg"
    Image.new("L", (8, 8)).save(path, format="PNG")
    assert sniff_format(path) == "png"


def test_zero_byte_file(tmp_path: Path) -> None:
    (tmp_path / "empty.pdf").write_bytes(b"")
    with pytest.raises(InputFileError, match="empty file"):
        sniff_format(tmp_path / "empty.pdf")


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="no such file"):
        count_pages(tmp_path / "nope.pdf")
    with pytest.raises(InputFileError, match="directory"):
        sniff_format(tmp_path)


def test_text_named_jpg(tmp_path: Path) -> None:
    path = tmp_path / "scan.jpg"
    path.write_text("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", encoding="utf-8")
    with pytest.raises(UnsupportedFormatError, match="plain text, not a JPEG"):
        sniff_format(path)
    with pytest.raises(UnsupportedFormatError):
        list(iter_pages(path))


def test_unknown_binary(tmp_path: Path) -> None:
    (tmp_path / "x.bin").write_bytes(b"\x00\x01\x02garbage\x00")
    with pytest.raises(UnsupportedFormatError, match="unknown file format"):
        sniff_format(tmp_path / "x.bin")


# --- PDFs --------------------------------------------------------------------------------------


@needs_poppler
def test_pdf_pages_rendered_one_by_one(tmp_path: Path) -> None:
    path = _blank_pdf(tmp_path / "two.pdf", pages=2, width=595.32, height=842.04)
    assert count_pages(path) == 2
    pages = iter_pages(path, dpi=72)
    first = next(pages)
    assert (first.page_no, first.dpi, first.array.dtype, first.array.shape) == (
        1,
        72,
        np.uint8,
        (843, 596, 3),
    )
    assert [p.page_no for p in pages] == [2]


def test_pdf_page_read_in_bgr_as_pillow_reads_it() -> None:  # issue 14: one page-sized array, not three
    from pdf2image import convert_from_path

    from vn_dispatch_parser.image.load import _render, _to_bgr

    path = ROOT / "samples" / "cv_004_mild.pdf"  # a colour page: the channel order matters
    bgr = _render(path, 1, 100, 60)
    with convert_from_path(path, dpi=100, first_page=1, last_page=1, fmt="ppm")[0] as img:
        assert np.array_equal(bgr, _to_bgr(img)) and bgr.flags["C_CONTIGUOUS"]


def test_missing_poppler(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _blank_pdf(tmp_path / "a.pdf")
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(MissingDependencyError, match="poppler-utils"):
        count_pages(path)


@needs_poppler
def test_truncated_pdf(tmp_path: Path) -> None:
    data = _blank_pdf(tmp_path / "ok.pdf").read_bytes()
    bad = tmp_path / "truncated.pdf"
    bad.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputFileError, match="corrupt or truncated"):
        count_pages(bad)
    with pytest.raises(InputFileError, match="corrupt or truncated"):
        next(iter_pages(bad))


@needs_poppler
def test_encrypted_pdf(tmp_path: Path) -> None:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.encrypt(user_password="secret", algorithm="RC4-128")
    path = tmp_path / "locked.pdf"
    writer.write(path)
    with pytest.raises(EncryptedPdfError, match="password"):
        count_pages(path)
    with pytest.raises(EncryptedPdfError):
        next(iter_pages(path))
    with pytest.raises(EncryptedPdfError):
        pdf_text_layer(path)


@needs_poppler
def test_owner_password_only_pdf_opens(tmp_path: Path) -> None:
    """Scanners often set an owner password (no copy/modify) but no user password: that is readable."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.encrypt(user_password="", owner_password="owner", algorithm="RC4-128")
    path = tmp_path / "restricted.pdf"
    writer.write(path)
    assert count_pages(path) == 1
    assert pdf_text_layer(path) is None


@needs_poppler
def test_huge_pdf_page_refused_before_rendering(tmp_path: Path) -> None:
    path = _blank_pdf(tmp_path / "poster.pdf", width=14400, height=14400)  # 200 x 200 inches
    with pytest.raises(DecompressionBombError, match=r"page 1 would be 60000x60000") as info:
        next(iter_pages(path, dpi=300))
    assert info.value.path == str(path)


# --- images ------------------------------------------------------------------------------------


def test_huge_png_header_refused(tmp_path: Path) -> None:
    path = _png_header(tmp_path / "bomb.png", 12_000, 12_000)  # 144 Mpx, over our 120 Mpx default
    assert path.stat().st_size < 100
    with pytest.raises(DecompressionBombError, match="12000x12000 = 144 Mpx") as info:
        next(iter_pages(path))
    assert "bomb.png" in str(info.value)


def test_png_over_pillow_limit(tmp_path: Path) -> None:
    path = _png_header(tmp_path / "bigger.png", 30_000, 30_000)  # Pillow itself refuses to open it
    with pytest.raises(DecompressionBombError, match="900 Mpx"):
        next(iter_pages(path))


def test_pixel_limit_parameter(tmp_path: Path) -> None:
    path = tmp_path / "a.png"
    Image.new("L", (100, 100)).save(path)
    with pytest.raises(DecompressionBombError):
        next(iter_pages(path, max_pixels=5_000))


def test_multipage_tiff(tmp_path: Path) -> None:
    path = tmp_path / "scan.tif"
    frames = [
        Image.new("1", (200, 280), 1),
        Image.new("L", (210, 297), 128),
        Image.new("RGB", (100, 140), "red"),
    ]
    frames[0].save(path, save_all=True, append_images=frames[1:], dpi=(200, 200), compression="tiff_lzw")
    assert sniff_format(path) == "tiff"
    assert count_pages(path) == 3
    pages = list(iter_pages(path))
    assert [p.page_no for p in pages] == [1, 2, 3]
    assert [p.array.shape for p in pages] == [(280, 200, 3), (297, 210, 3), (140, 100, 3)]
    assert all(p.array.dtype == np.uint8 for p in pages)
    assert pages[0].array[0, 0].tolist() == [255, 255, 255]
    assert pages[2].array[0, 0].tolist() == [0, 0, 255]  # red in BGR order


def test_rgba_png_composited_on_white(tmp_path: Path) -> None:
    path = tmp_path / "alpha.png"
    Image.new("RGBA", (100, 100), (0, 0, 0, 0)).save(path)
    page = next(iter_pages(path))
    assert page.array.shape == (100, 100, 3)
    assert page.array.min() == 255


def test_jpeg_exif_orientation_applied(tmp_path: Path) -> None:
    path = tmp_path / "photo.jpg"
    exif = Image.Exif()
    exif[0x0112] = 6  # stored sideways: rotate 90° clockwise to view
    Image.new("RGB", (400, 200), "white").save(path, exif=exif)
    assert next(iter_pages(path)).array.shape == (400, 200, 3)


def test_truncated_image(tmp_path: Path) -> None:
    path = tmp_path / "cut.png"
    Image.fromarray(np.random.default_rng(0).integers(0, 255, (300, 300), dtype=np.uint8)).save(path)
    path.write_bytes(path.read_bytes()[:2000])
    with pytest.raises(InputFileError, match="truncated or corrupt"):
        next(iter_pages(path))


@pytest.mark.parametrize(
    ("size", "meta", "expected"),
    [
        ((2480, 3508), (300, 300), 300),  # A4 at 300 dpi, metadata agrees
        ((2480, 3508), (72, 72), 300),  # camera default 72 dpi would make a 49-inch page: ignored
        ((1654, 2339), None, 200),  # no metadata: assume A4
        ((576, 960), None, 82),  # phone photo of a page (4_1.jpg)
        ((0, 0), None, 300),
    ],
)
def test_estimate_dpi(size: tuple[int, int], meta: object, expected: int) -> None:
    assert estimate_dpi(size, meta) == expected


# --- text layer ---------------------------------------------------------------------------------


def test_text_quality() -> None:
    good = text_quality(_words("Kết luận của Phó Chủ tịch UBND tỉnh tại cuộc họp nghe báo cáo"))
    assert good.good and not good.mojibake
    tcvn3 = text_quality(_words("Céng hoµ x· héi chñ nghÜa ViÖt Nam §éc lËp Tù do H¹nh phóc"))
    vni = text_quality(_words("Coäng hoøa xaõ hoäi chuû nghóa Vieät Nam Ñoäc laäp Töï do Haïnh phuùc"))
    assert tcvn3.mojibake and not tcvn3.good
    assert vni.mojibake and not vni.good
    ascii_ocr = text_quality(_words("CONG HOA XA HOI CHU NGHIA VIET NAM Doc lap Tu do Hanh phuc"))
    assert not ascii_ocr.good and not ascii_ocr.mojibake
    assert text_quality(["12/2025", "-"]).tokens == 0


def test_signature_stamps() -> None:
    lines = [
        "Ký bởi: Ủy ban nhân dân tỉnh Quảng Ngãi",
        "Cơ quan: Tỉnh Quảng Ngãi",
        "Thời gian ký: 15/01/2025 17:10:17",
    ]
    assert is_signature_block(lines)
    stamp = parse_stamp(lines, page=1)
    assert (stamp.kind, stamp.signer, stamp.agency) == (
        "signature",
        "Ủy ban nhân dân tỉnh Quảng Ngãi",
        "Tỉnh Quảng Ngãi",
    )
    assert stamp.signed_at == datetime(2025, 1, 15, 17, 10, 17)

    relay = parse_stamp(
        ["TRUNG TÂM CÔNG", "BÁO VÀ TIN HỌC", "ttcbth@quangngai.gov.v", "n", "21.01.2025 09:27:35", "+07:00"]
    )
    assert (relay.kind, relay.signer, relay.email) == (
        "timestamp",
        "TRUNG TÂM CÔNG BÁO VÀ TIN HỌC",
        "ttcbth@quangngai.gov.vn",
    )
    assert relay.signed_at == datetime(2025, 1, 21, 9, 27, 35, tzinfo=timezone(timedelta(hours=7)))

    copy = parse_stamp(
        ["SAO Y", "Ủy ban nhân dân thành phố Đà Nẵng", "Thời gian ký: 19/10/2023 10:56:22 +07:00"]
    )
    assert (copy.kind, copy.signer) == ("copy", "Ủy ban nhân dân thành phố Đà Nẵng")

    esign = ["Sở Giáo dục và Đào tạo; 03/02/2025; 09:15:00; +07:00"]
    assert is_signature_block(esign)
    assert parse_stamp(esign).signer == "Sở Giáo dục và Đào tạo"
    assert not is_signature_block(["Quảng Ngãi, ngày 08 tháng 01 năm 2025"])
    assert not is_signature_block(["Ngày 03/01/2025, Phó Chủ tịch UBND tỉnh chủ trì họp"])


@needs_poppler
def test_legacy_tcvn3_text_layer_is_not_text(tmp_path: Path) -> None:
    """Old PDFs typed in TCVN3 (.VnTime) fonts show as Latin-1 mojibake: OCR them instead."""
    tcvn3 = "Céng hoµ x· héi chñ nghÜa ViÖt Nam  §éc lËp - Tù do - H¹nh phóc  ñy ban nh©n d©n tØnh"
    path = _text_pdf(tmp_path / "old.pdf", [tcvn3.encode("cp1252")] * 30)
    pages = pdf_text_layer(path, dpi=100)
    assert pages is not None and len(pages) == 1
    assert not pages[0].is_text
    assert pages[0].quality.mojibake and "mojibake" in pages[0].reason
    assert (pages[0].width, pages[0].height) == (827, 1170)


@needs_poppler
def test_stamp_only_page_keeps_signature(tmp_path: Path) -> None:
    stamp = [b"Signed by: So Noi vu", b"Email: snv@example.gov.vn", b"15/01/2025 17:10:17 +07:00"]
    pages = pdf_text_layer(_text_pdf(tmp_path / "signed.pdf", stamp))
    assert pages is not None and not pages[0].is_text and pages[0].words == []
    assert pages[0].signatures[0].email == "snv@example.gov.vn"
    assert pages[0].signatures[0].signed_at is not None


@needs_real
@needs_poppler
def test_born_digital_pdf_reads_its_layer() -> None:
    pages = pdf_text_layer(REAL / "05.signed_20250517_044750.pdf", dpi=300)
    assert pages is not None and [p.is_text for p in pages] == [True, True]
    first = pages[0]
    assert (first.width, first.height) == (2481, 3509)
    texts = [ln.text for ln in first.lines]
    # the two header columns stay separate lines
    assert texts[:4] == [
        "ỦY BAN NHÂN DÂN",
        "TỈNH QUẢNG NGÃI",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
    ]
    assert "Số: 11 /TB-UBND" in texts
    assert not any("ttcbth@" in t for t in texts)  # the relay stamp is kept apart
    assert "ttcbth@quangngai.gov.vn" in first.signature_text
    page = first.to_ocr_page()
    assert page.text_layer and page.lines[0].bbox is not None and page.lines[0].bbox.x1 < page.width / 2


@needs_real
@needs_poppler
def test_scan_with_only_signature_text_is_ocred() -> None:
    pages = pdf_text_layer(REAL / "299 UB.signed_20250510_124908.pdf")
    assert pages is not None and not any(p.is_text for p in pages)
    kinds = {s.kind: s for s in pages[0].signatures}
    assert kinds["signature"].signer == "Ủy ban nhân dân tỉnh Quảng Ngãi"
    assert kinds["signature"].signed_at == datetime(2025, 1, 15, 17, 10, 17)
    assert kinds["timestamp"].signed_at is not None
    assert "Thời gian ký: 15/01/2025 17:10:17" in pages[0].signature_text


@needs_real
@needs_poppler
@pytest.mark.parametrize("name", ["test_10.pdf", "1.pdf"])
def test_image_only_and_ocr_layer_pdfs(name: str) -> None:
    """test_10 has no text at all; 1.pdf has a poor invisible OCR layer plus a pasted note: OCR both."""
    pages = pdf_text_layer(REAL / name)
    assert pages is None or not any(p.is_text for p in pages)


@pytest.mark.parametrize(
    "name", ["vn_dispatch_parser.image.load", "vn_dispatch_parser.image.pdftext", "vn_dispatch_parser.core.esign"]
)
def test_module_doctests(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name))
    assert result.attempted > 0 and result.failed == 0
