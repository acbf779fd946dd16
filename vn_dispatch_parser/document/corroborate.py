"""Evidence from outside the page: the number a file is named by.

Archivists name scans by the document's số ("574 UB.signed.pdf", "87 QĐ CT.pdf", "04CT.pdf"): the name is
a second reading of the number, made by a person. A name that *starts* with a number followed by letters (a
type or issuer code) is taken as such a reading; a name that is only a number ("3.pdf"), starts with a
word ("test_2.pdf", "scan_0012.tif") or with a number and punctuation ("2352 (07-CT-UBND).pdf") says
nothing. The file's first document is compared with it:

* the same number: the two readings agree; the number's confidence rises to
  :attr:`~vn_dispatch_parser.config.ConfRules.file_name_number_agrees` and a doubt about the reading of
  the number (a re-read, printed and hand-written readings that disagree, a low score) leaves
  ``needs_review``;
* another number: the number and số-ký hiệu are flagged, with a warning naming both readings;
* none, where the page has a Số line (its hand-written number unread) and the name gives the number with a
  code in capitals after it ("11CT_….pdf"; not "19_draft.txt", an index): the named number is taken, flagged
  (on ../shared/real, the 30 files named by a number are all named by their số); never for a DỰ THẢO;
* a doubtful page reading (read again, printed and hand-written readings that disagree, a low score) that
  is the named number with a digit lost at either end or one digit confused ('57' or '74' for '574', '584'
  for '574': how hand-written numbers are misread) takes the named number: two readings support
  it, a person made one of them. It stays flagged, with the page's reading in the warning.

A number the page read without doubt is never changed, nor one no reading supports.

>>> partial_reading("57", "574"), partial_reading("80", "280"), partial_reading("099", "299")
(True, True, True)
>>> partial_reading("12", "574"), partial_reading("5", "574"), partial_reading("475", "574")
(False, False, False)

>>> named_number("574 UB.signed_20250510_124908.pdf"), named_number("04CT.pdf"), named_number("3.pdf")
('574', '04', None)
>>> named_number("2352 ( 07-CT-UBND).signed.pdf"), named_number("test_2.pdf")
(None, None)
"""

from __future__ import annotations

from pathlib import PurePath

import regex

from vn_dispatch_parser.config import CONF
from vn_dispatch_parser.core.normalize import one_letter_changed
from vn_dispatch_parser.document.review import HAND_DISAGREES, REREAD, SCORE_REASONS
from vn_dispatch_parser.records import Document, FieldEvidence, FileResult

__all__ = ["apply_file_name", "named_number", "partial_reading"]

_NAMED = regex.compile(r"^\s*(\d{1,6})\s*[-_ ]?\s*\p{L}")
_NUMBER_FIELDS = ("number", "number_symbol")
# doubts about how the number was read, which an agreeing second reading settles (not a lost ký hiệu etc.)
_READING_DOUBTS = (REREAD, HAND_DISAGREES, *SCORE_REASONS)


def named_number(file_name: str) -> str | None:
    """The number a file is named by, as written in the name (leading zeros kept), or None."""
    m = _NAMED.match(PurePath(file_name).name)
    return m.group(1) if m else None


def _same(a: str, b: str) -> bool:
    return a.isdigit() and b.isdigit() and int(a) == int(b)


def partial_reading(read: str, named: str) -> bool:
    """Whether ``read`` is ``named`` with one digit lost at either end, or one digit confused."""
    if not (read.isdigit() and named.isdigit()) or read == named:
        return False
    if len(read) == len(named) - 1 >= 2:
        return named.startswith(read) or named.endswith(read)
    return one_letter_changed(read, named)


def _take_named(doc: Document, named: str) -> None:
    """The number the file is named by, in place of the page's doubtful reading, or of none (a Số line whose
    hand-written number the page did not read); flagged either way, the page's reading in the reason."""
    read = None if doc.number is None else str(doc.number)
    doc.number = named
    if read is None:
        doc.number_symbol = f"{named}/{doc.symbol}"
    elif doc.number_symbol and doc.number_symbol.startswith(read):
        doc.number_symbol = named + doc.number_symbol[len(read):]
    page = f"the page read {read}" if read is not None else "the page reads no number"
    for name in _NUMBER_FIELDS:
        if name in doc.confidence or read is None:
            doc.confidence[name] = min(doc.confidence.get(name, 1.0), CONF.file_name_number_taken)
        ev = doc.evidence.get(name)
        if ev is not None:
            doc.evidence[name] = ev.model_copy(update={"raw": f"{ev.raw} / file name: {named}", "rule": "file_name"})
        elif read is None:
            doc.evidence[name] = FieldEvidence(raw=f"file name: {named}", rule="file_name")
        doc.review_reasons[name] = f"{page}; the file is named by {named}"
    doc.warnings.append(f"number: the page read {read} (in doubt), the file is named by {named}: {named} taken"
                        if read is not None else
                        f"number: the page reads none, the file is named by {named}: {named} taken")
    doc.needs_review = sorted(set(doc.needs_review) | set(_NUMBER_FIELDS))


_CODED = regex.compile(r"^\s*\d{1,6}\s*[-_ ]?\s*\p{Lu}{2}")
"""A name whose number a type or issuer code in capitals follows ("11CT", "574 UB", "87 QĐ CT"): how the
archive names a document by its số; a number before a word ("19_draft", "0012 scan") may be a file's index."""
_DRAFT = regex.compile(r"D[ỰU]\s*TH[ẢA]O", regex.IGNORECASE)
_DRAFT_SPAN = 300
"""A draft (DỰ THẢO, at the top of its first page) has no number: none is taken for it."""


def apply_to_document(doc: Document, named: str, *, coded: bool = True) -> None:
    """Compare ``doc``'s number with the number its file is named by (see the module docstring); ``coded``:
    the name gives the number with a code after it (:data:`_CODED`), as an archive names a document."""
    if doc.number is not None and _same(str(doc.number), named):
        for name in _NUMBER_FIELDS:
            if name not in doc.confidence:
                continue
            doc.confidence[name] = max(doc.confidence[name], CONF.file_name_number_agrees)
            if doc.review_reasons.get(name, "").startswith(_READING_DOUBTS):
                doc.review_reasons.pop(name)
                doc.needs_review = [f for f in doc.needs_review if f != name]
        return
    doubt = doc.review_reasons.get("number", "").startswith(_READING_DOUBTS)
    if doc.number is not None and doubt and partial_reading(str(doc.number), named):
        _take_named(doc, named)
        return
    if doc.number is None and doc.symbol and coded and not _DRAFT.search(doc.full_text[:_DRAFT_SPAN]):
        _take_named(doc, named)
        return
    doc.warnings.append(f"number: the page reads {doc.number or 'none'}, the file is named by {named}")
    for name in _NUMBER_FIELDS:
        doc.review_reasons.setdefault(name, f"the file is named by the number {named}")
    doc.needs_review = sorted(set(doc.needs_review) | set(_NUMBER_FIELDS))


def apply_file_name(result: FileResult, file_name: str | None = None) -> FileResult:
    """Apply the file-name evidence to ``result``'s first document (``file_name`` defaults to
    ``result.file``); the result, changed in place."""
    name = PurePath(file_name or result.file).name
    named = named_number(name)
    if named is not None and result.documents:
        apply_to_document(result.documents[0], named, coded=bool(_CODED.match(name)))
    return result
