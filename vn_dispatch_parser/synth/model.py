"""Dataclasses of the generator: requested features, the document spec and its marks.

``Features`` says what a sample must exercise (``None`` = let the seed decide); ``content``
turns it into a ``DocSpec`` (everything printed or hand-written on the paper, plus the truth
values that are not visible as such); ``layout`` typesets a ``DocSpec`` into pages.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

__all__ = [
    "DOC_KINDS",
    "DocSpec",
    "Features",
    "IncomingStampSpec",
    "Marks",
    "Para",
    "Signer",
]

#: Kind code -> printed type name (heading) and ký hiệu type code.
DOC_KINDS: dict[str, tuple[str, str | None]] = {
    "CV": ("CÔNG VĂN", None),
    "QĐ": ("QUYẾT ĐỊNH", "QĐ"),
    "KH": ("KẾ HOẠCH", "KH"),
    "TB": ("THÔNG BÁO", "TB"),
    "TTr": ("TỜ TRÌNH", "TTr"),
    "BC": ("BÁO CÁO", "BC"),
    "CT": ("CHỈ THỊ", "CT"),
}


@dataclass
class Features:
    """What one sample should exercise; ``None`` leaves the choice to the seed.

    Attributes:
        kind: Document kind, a key of ``DOC_KINDS``.
        level: Issuer level: province, council, department, unit, district, commune, central,
            central_dept.
        addressees: ``"single"``, ``"list"`` or ``"none"`` (Kính gửi form).
        signature: Wanted signature prefix: ``""`` (none), ``"TM."``, ``"KT."``, ``"TL."``,
            ``"TUQ."``, ``"Q."`` or a stack such as ``"TM./KT."``.
        pages: Target length of the (last) document in pages, 1 to 3.
        bundle: A forwarding công văn followed by the forwarded document.
        draft: Blank number and day, no signature or seal.
        handwritten: Number and day written by hand.
        stamp_ink: ĐẾN stamp ink (``"red"``, ``"blue"``, ``"violet"``) or ``"none"``.
        urgency: ``"KHẨN"``, ``"THƯỢNG KHẨN"``, ``"HỎA TỐC"`` or ``""`` for none.
        confidentiality: ``"MẬT"``, ``"TỐI MẬT"``, ``"TUYỆT MẬT"`` or ``""`` for none.
        notes: Hand-written margin notes (bút phê).
        year: Issue year.
        pen: Ink of the hand-written number and day (``"blue"``, ``"red"``, ``"black"``).
    """

    kind: str | None = None
    level: str | None = None
    addressees: str | None = None
    signature: str | None = None
    pages: int | None = None
    bundle: bool = False
    draft: bool = False
    handwritten: bool | None = None
    stamp_ink: str | None = None
    urgency: str | None = None
    confidentiality: str | None = None
    notes: bool | None = None
    year: int | None = None
    pen: str | None = None


@dataclass
class Para:
    """One printed paragraph.

    Attributes:
        text: The paragraph text.
        style: ``body`` (justified, first-line indent), ``italic`` (Căn cứ lines), ``heading``
            (bold, indented), ``center_bold`` (e.g. ``QUYẾT ĐỊNH:``), ``plain`` (no indent).
        lead: A bold lead-in printed before the text (``"Điều 1."``).
    """

    text: str
    style: str = "body"
    lead: str | None = None


@dataclass
class Signer:
    """The signature block: caps lines (authority and titles) and the signer's name."""

    lines: list[str]
    name: str

    @property
    def authority(self) -> str | None:
        """The first prefix (``TM.``, ``KT.``, ``TL.``, ``TUQ.``, ``Q.``) or ``None``."""
        head = self.lines[0].split(" ", 1)[0] if self.lines else ""
        return head if head in {"TM.", "KT.", "TL.", "TUQ.", "Q."} else None

    @property
    def position(self) -> str:
        """The caps lines joined by ``" / "``."""
        return " / ".join(self.lines)


@dataclass
class IncomingStampSpec:
    """The ĐẾN stamp of the receiving office and its hand-written values."""

    receiver: str | None
    number: str
    date_text: str
    date: dt.date
    ink: str
    chuyen: str | None = None


@dataclass
class Marks:
    """Everything on the paper that is not typed: hand-written values, seal, stamps, notes."""

    hand_number: bool = False
    hand_day: bool = False
    pen: str = "blue"
    seal: bool = True
    signature: bool = True
    stamp: IncomingStampSpec | None = None
    notes: list[str] = field(default_factory=list)
    urgency: str | None = None
    confidentiality: str | None = None


@dataclass
class DocSpec:
    """One document as printed, with the truth values the layout cannot infer."""

    kind: str
    doc_type: str
    parent: str | None
    issuer: str
    issuer_lines: list[str] | None
    seal_text: str
    number: str | None
    symbol: str
    number_gap: bool
    place: str
    date: dt.date | None
    day_blank: bool
    month_blank: bool
    year: int
    subject: str
    subject_printed: str
    authority_line: str | None
    preamble: list[Para]
    addressees: list[str]
    addressee_form: str
    body: list[Para]
    recipients: list[str]
    signer: Signer
    references: list[dict[str, str | None]]
    marks: Marks
    draft_label: bool = False

    @property
    def number_symbol(self) -> str | None:
        """``number/symbol`` or ``None`` when the number is blank."""
        return f"{self.number}/{self.symbol}" if self.number else None
