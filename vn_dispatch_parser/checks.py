"""Consistency checks that become warnings and ``needs_review`` entries (they never change a value)."""

from __future__ import annotations

from .fields.number import symbol_type_code
from .records import Document

__all__ = ["run"]

_CORE = ("issuer", "doc_type", "number", "issued_date", "subject", "signer_name")


def run(doc: Document, review: set[str], *, has_header: bool) -> None:
    """Check ``doc`` in place: add warnings and fill ``needs_review`` (sorted, unique)."""
    stamp = doc.incoming_stamp
    if doc.issued_date and stamp and stamp.date and doc.issued_date > stamp.date:
        doc.warnings.append(f"issued_date {doc.issued_date} is later than the ĐẾN stamp date {stamp.date}")
        review.update({"issued_date", "incoming_stamp"})
    signed = doc.digital_signature.signed_at if doc.digital_signature else None
    if doc.issued_date and signed and doc.issued_date > signed.date():
        doc.warnings.append(f"issued_date {doc.issued_date} is later than the digital signature of {signed.date()}")
        review.add("issued_date")
    if doc.issued_date:
        later = [r for r in doc.references if r.date and r.date > doc.issued_date]
        if later:
            doc.warnings.append(
                f"issued_date {doc.issued_date} is earlier than the cited {later[0].number_symbol} of {later[0].date}")
            review.add("issued_date")
    code_type = symbol_type_code(doc.symbol)
    if doc.doc_type and code_type and doc.doc_type not in ("CÔNG VĂN", code_type):
        doc.warnings.append(f"ký hiệu {doc.symbol} suggests {code_type} but the heading reads {doc.doc_type}")
        review.update({"doc_type", "symbol"})
    if doc.symbol and not doc.number:
        review.update({"number", "number_symbol"})
    if has_header:
        for name in ("recipients", "signer_position"):
            if not getattr(doc, name):
                review.add(name)
        for name in _CORE:
            if getattr(doc, name) in (None, "", []):
                review.add(name)
                doc.confidence.setdefault(name, 0.0)
    doc.needs_review = sorted(review)
