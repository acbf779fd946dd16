"""The PDF text layer: born-digital pages vs scans whose only text is an e-signature stamp.

``pdftotext -bbox-layout`` (poppler) gives every word with its box in points, grouped into flows, blocks
and lines in poppler's reading order. Poppler is used rather than pypdf because it also opens the
owner-password AES PDFs that scanners produce (pypdf needs the ``cryptography`` package for AES) and
because it reads FreeText annotations the way they are rendered.

A page counts as *text* (born-digital, read the layer instead of OCR) when its words outside the
e-signature stamps are real Vietnamese: most tokens are well-formed syllables and most carry a
Vietnamese diacritic (measured on the real scans: born-digital pages 0.79–0.83, the invisible OCR
layers of ``1.pdf``/``3.pdf`` 0.01–0.29). Legacy TCVN3/VNI text (mojibake) and pages that are a scan
with a little pasted text fail that test and must be OCR'd. Stamps ("Ký bởi: …", "Thời gian ký: …",
"SAO Y …", "… ttcbth@… 16.01.2025 07:46:10 +07:00") are returned apart, as :class:`SignatureStamp`,
on every page, scanned or not (see :mod:`vn_dispatch_parser.core.esign`).
"""

from __future__ import annotations

import logging
import math
import re
import unicodedata
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from vn_dispatch_parser.core.esign import SignatureStamp, is_signature_block, parse_stamp
from vn_dispatch_parser.core.types import BBox, Line, OcrPage, OcrWord
from vn_dispatch_parser.errors import InputFileError
from vn_dispatch_parser.image.poppler import PdfPageInfo, image_cover, pdf_page_info, run_poppler
from vn_dispatch_parser.ocr.engine import group_lines

if TYPE_CHECKING:
    from vn_dispatch_parser.image.probe import InputProbe

__all__ = ["TextLayerPage", "TextQuality", "pdf_text_layer", "text_quality"]

logger = logging.getLogger(__name__)

_XHTML = "{http://www.w3.org/1999/xhtml}"
_BAD_XML = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_TONES = frozenset("\u0300\u0301\u0303\u0309\u0323")
_VI_MARKS = _TONES | frozenset("\u0302\u0306\u031b")  # tones + circumflex, breve, horn
_SYLLABLE = re.compile(
    r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnprstvx])?[aăâeêioôơuưy]{1,3}(?:ch|ng|nh|[cmnpt])?"
)
_CHUNK_PAGES = 50


@dataclass(frozen=True)
class TextQuality:
    """How Vietnamese a list of words looks.

    Attributes:
        tokens: Words holding at least one letter.
        valid: Share of them that are well-formed Vietnamese syllables (at most one tone mark).
        vietnamese: Share that are well-formed syllables *with* a Vietnamese diacritic or đ.
        foreign: Share holding characters no Vietnamese word has (TCVN3/VNI mojibake, ``(cid:…)``, U+FFFD).
    """

    tokens: int
    valid: float
    vietnamese: float
    foreign: float

    @property
    def mojibake(self) -> bool:
        """True when the words look like a legacy 8-bit encoding shown as Latin-1."""
        return self.tokens >= 8 and self.foreign >= 0.25

    @property
    def good(self) -> bool:
        """True when the words read as Vietnamese text."""
        return self.tokens > 0 and not self.mojibake and self.valid >= 0.75 and self.vietnamese >= 0.5


def _char_ok(ch: str) -> bool:
    """True for characters a Vietnamese word may hold (letters with Vietnamese marks, digits, punctuation)."""
    if ch.isascii():
        return True
    if "\u2010" <= ch <= "\u206f":  # dashes, quotes, ellipsis
        return True
    decomposed = unicodedata.normalize("NFD", ch)
    base, marks = decomposed[0].lower(), decomposed[1:]
    return base in "abcdefghijklmnopqrstuvwxyzđ" and all(m in _VI_MARKS for m in marks)


def text_quality(words: Iterable[str]) -> TextQuality:
    """Measure how much of ``words`` is well-formed Vietnamese (see :class:`TextQuality`).

    >>> text_quality("Kết luận của Phó Chủ tịch".split()).good
    True
    >>> text_quality("Céng hoµ x· héi chñ nghÜa ViÖt Nam".split()).mojibake
    True
    """
    n = valid = viet = foreign = 0
    for raw in words:
        if not any(c.isalpha() for c in raw) and "\ufffd" not in raw:
            continue
        n += 1
        if "(cid:" in raw or not all(_char_ok(c) for c in raw):
            foreign += 1
            continue
        tok = unicodedata.normalize("NFD", raw.strip(".,;:!?()[]\"'“”‘’…-–—/").lower())
        tones = sum(c in _TONES for c in tok)
        base = unicodedata.normalize("NFC", "".join(c for c in tok if c not in _TONES))
        if tones <= 1 and _SYLLABLE.fullmatch(base):
            valid += 1
            if tones or any(c in "ăâđêôơư" for c in base):
                viet += 1
    if n == 0:
        return TextQuality(0, 0.0, 0.0, 0.0)
    return TextQuality(n, valid / n, viet / n, foreign / n)


@dataclass
class TextLayerPage:
    """The text layer of one PDF page, in the pixel frame of the page rendered at ``dpi``.

    Attributes:
        page_no: 1-based page number.
        width: Page width in pixels at ``dpi`` (as ``pdftoppm``/``iter_pages`` render it).
        height: Page height in pixels at ``dpi``.
        dpi: The resolution the boxes are scaled to.
        is_text: True when the layer holds the page's text (born-digital): use ``lines``, skip OCR.
        reason: Why the page was (not) classified as text, for logs and ``--explain``.
        words: Words outside signature stamps, ``conf=1.0``; ids are poppler's block and line.
        lines: Those words as lines in reading order (header columns kept apart); filled even when
            ``is_text`` is False, for diagnostics.
        signatures: E-signature / copy / timestamp stamps found in the layer (scanned pages too).
        quality: The measure behind ``is_text``.
        image_cover: Share of the page covered by its largest image (about 1.0 for a scan).
    """

    page_no: int
    width: int
    height: int
    dpi: int
    is_text: bool
    reason: str
    words: list[OcrWord] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    signatures: list[SignatureStamp] = field(default_factory=list)
    quality: TextQuality = TextQuality(0, 0.0, 0.0, 0.0)
    image_cover: float = 0.0

    @property
    def signature_text(self) -> str:
        """All stamp text of the page ("" when there is none), lines kept, signer stamps first.

        Order: "Ký bởi" signatures, then copy stamps (SAO Y), then relay timestamps, so a parser that
        takes the first signing time gets the signer's, not the publication centre's.
        """
        rank = {"signature": 0, "copy": 1, "timestamp": 2}
        stamps = sorted(self.signatures, key=lambda s: rank.get(s.kind, 3))
        return "\n".join(s.text for s in stamps)

    def to_ocr_page(self) -> OcrPage:
        """The layer as an :class:`OcrPage` (``text_layer=True``), stamps left out."""
        return OcrPage(
            page_no=self.page_no,
            width=self.width,
            height=self.height,
            words=list(self.words),
            lines=list(self.lines),
            engine="pdf-text-layer",
            text_layer=True,
        )


def pdf_text_layer(
    path: str | Path, dpi: int = 300, *, min_words: int = 30, timeout: float = 120, probe: InputProbe | None = None
) -> list[TextLayerPage] | None:
    """Read a PDF's text layer page by page and say which pages are born-digital.

    Args:
        path: The PDF.
        dpi: Boxes are scaled to the frame of the page rendered at this resolution.
        min_words: On a page covered by a scanned image, the text layer must hold at least this many
            words outside stamps, spread over half the page height, to count as the page's text.
        timeout: Seconds allowed per poppler call.
        probe: The PDF's :class:`~vn_dispatch_parser.image.load.InputProbe` when the caller has it (its page boxes
            and image list are used: only ``pdftotext`` runs here).

    Returns:
        One :class:`TextLayerPage` per page, or None when the PDF has no text at all (a pure scan).

    Raises:
        InputFileError: Corrupt PDF (``EncryptedPdfError`` if it needs a password).
        MissingDependencyError: poppler is not installed.
    """
    infos = list(probe.check(path).pdf_pages) if probe is not None else pdf_page_info(path, timeout=timeout)
    pages: list[TextLayerPage] = []
    for first in range(1, len(infos) + 1, _CHUNK_PAGES):  # bounded memory on long PDFs
        last = min(first + _CHUNK_PAGES - 1, len(infos))
        out = run_poppler(
            ["pdftotext", "-bbox-layout", "-f", str(first), "-l", str(last), "-"], path, timeout=timeout
        )
        try:
            root = ET.fromstring(_BAD_XML.sub(b" ", out))
        except ET.ParseError as e:
            raise InputFileError(f"unreadable pdftotext output: {e}", path) from e
        elements = root.iter(f"{_XHTML}page")
        pages.extend(
            _build_page(el, info, dpi) for el, info in zip(elements, infos[first - 1 : last], strict=False)
        )
    if not any(p.words or p.signatures for p in pages):
        return None
    covers = image_cover(path, infos, timeout=timeout, rows=probe.pdf_images if probe is not None else None)
    for page in pages:
        page.image_cover = covers.get(page.page_no, 0.0)
        page.is_text, page.reason = _classify(page, min_words)
    return pages


_Row = list[tuple[BBox, str]]


def _read_blocks(el: ET.Element, to_px: Callable[[ET.Element], BBox]) -> list[list[list[_Row]]]:
    """Blocks of rows of (box, text) words, clustered: neighbouring blocks of one flow go together.

    Poppler cuts a loosely spaced stamp ("Ký bởi" / "Email" / time) into one block per line; a cluster
    of blocks lying right under one another lets the stamp be recognised as a whole.
    """
    clusters: list[list[list[_Row]]] = []
    for flow in el.iter(f"{_XHTML}flow"):
        prev: BBox | None = None
        for block in flow.iter(f"{_XHTML}block"):
            rows = [
                [(to_px(wd), (wd.text or "").strip()) for wd in line.iter(f"{_XHTML}word")]
                for line in block.iter(f"{_XHTML}line")
            ]
            rows = [r for r in ([(b, t) for b, t in row if t] for row in rows) if r]
            if not rows:
                continue
            box = _union(b for row in rows for b, _ in row)
            if box is None:
                continue
            near = prev is not None and box.y0 - prev.y1 < 1.5 * max(b.height for b, _ in rows[0])
            if near and prev is not None and min(box.x1, prev.x1) > max(box.x0, prev.x0):
                clusters[-1].append(rows)
            else:
                clusters.append([rows])
            prev = box
    return clusters


def _build_page(el: ET.Element, info: PdfPageInfo, dpi: int) -> TextLayerPage:
    """Scale one ``<page>`` to pixels and split stamps from text (classified later)."""
    page_no = info.page_no
    width, height = info.pixels(dpi)
    words: list[OcrWord] = []
    stamps: list[SignatureStamp] = []
    block_id = 0
    for cluster in _read_blocks(el, _transform(info, dpi)):
        texts = [[" ".join(t for _, t in row) for row in rows] for rows in cluster]
        if len(cluster) > 1 and is_signature_block([t for block in texts for t in block]):
            cluster, texts = [[row for rows in cluster for row in rows]], [[t for b in texts for t in b]]
        for rows, line_texts in zip(cluster, texts, strict=True):
            if is_signature_block(line_texts):
                bbox = _union(b for row in rows for b, _ in row)
                stamps.append(parse_stamp(line_texts, page=page_no, bbox=bbox))
                continue
            block_id += 1
            for line_id, row in enumerate(rows, start=1):
                words.extend(
                    OcrWord(unicodedata.normalize("NFC", t), 1.0, b, block_id, 0, line_id) for b, t in row
                )
    lines = group_lines(words, page_no)
    quality = text_quality(w.text for w in words)
    return TextLayerPage(page_no, width, height, dpi, False, "", words, lines, stamps, quality)


def _classify(page: TextLayerPage, min_words: int) -> tuple[bool, str]:
    """Decide whether a page's layer is its text; return the decision and a reason."""
    q, cover = page.quality, page.image_cover
    stats = f"{q.tokens} words, vietnamese={q.vietnamese:.2f}, valid={q.valid:.2f}, image={cover:.2f}"
    if q.tokens == 0:
        return False, "no text outside signature stamps" if page.signatures else "no text in the layer"
    if q.mojibake:
        return False, f"legacy-encoded text (TCVN3/VNI mojibake, foreign={q.foreign:.2f}); {stats}"
    if not q.good:
        return False, f"text layer is not Vietnamese text (an OCR layer?); {stats}"
    if cover >= 0.5:
        boxes = [ln.bbox for ln in page.lines if ln.bbox is not None]
        span = (
            (max(b.y1 for b in boxes) - min(b.y0 for b in boxes)) / page.height
            if boxes and page.height
            else 0.0
        )
        if q.tokens < min_words or span < 0.5:
            return False, f"scanned page with little text in its layer (span={span:.2f}); {stats}"
    return True, f"born-digital text; {stats}"


def _transform(info: PdfPageInfo, dpi: int) -> Callable[[ET.Element], BBox]:
    """A function mapping a ``<word>``'s box in points to pixels of the page rendered at ``dpi``.

    ``pdftotext`` already applies ``/Rotate`` to word boxes (only the ``<page>`` size stays unrotated),
    so scaling and clamping to the rendered frame is all that is needed.
    """
    scale = dpi / 72
    width, height = info.pixels(dpi)

    def to_px(word: ET.Element) -> BBox:
        x0, y0, x1, y1 = (float(word.get(k, "0")) for k in ("xMin", "yMin", "xMax", "yMax"))
        px0 = min(max(int(x0 * scale), 0), width)
        py0 = min(max(int(y0 * scale), 0), height)
        px1 = min(max(math.ceil(x1 * scale), px0), width)
        py1 = min(max(math.ceil(y1 * scale), py0), height)
        return BBox(px0, py0, px1, py1)

    return to_px


def _union(boxes: Iterable[BBox]) -> BBox | None:
    out: BBox | None = None
    for b in boxes:
        out = b if out is None else out.union(b)
    return out
