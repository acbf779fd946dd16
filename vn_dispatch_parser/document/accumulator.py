"""The accumulator a document's fields are decided into: each value with its confidence, its evidence, the
fields a rule wants reviewed, and warnings."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from vn_dispatch_parser.config import CONF
from vn_dispatch_parser.core.types import Hit
from vn_dispatch_parser.document.review import REREAD, Reasons
from vn_dispatch_parser.records import FieldEvidence

__all__ = ["FIRST_READING_DOUBT", "Acc"]

FIRST_READING_DOUBT = CONF.first_reading_doubt  # see ConfRules
#: Fields that rule applies to. The issue date is left to its calibration: flagging its re-read days too
#: flagged 28 of 52 dates on ../shared/real and caught no error the calibrated confidence did not.
_REREAD_FLAGGED = ("number", "number_symbol")


@dataclass
class Acc:
    """Accumulates field values with their evidence and confidence. ``values`` also holds the fields decided
    with no evidence of their own (``references``, ``digital_signature``, ``has_seal``)."""

    values: dict[str, Any] = field(default_factory=dict)
    conf: dict[str, float] = field(default_factory=dict)
    evidence: dict[str, FieldEvidence] = field(default_factory=dict)
    review: Reasons = field(default_factory=Reasons)
    warnings: list[str] = field(default_factory=list)

    def put(self, name: str, value: Any, hit: Hit, conf: float | None = None, *, agreed: bool = False) -> None:
        """Decide ``name``. A value put again after a doubtful first reading is flagged
        (``_REREAD_FLAGGED``), unless ``agreed``: the second reading read what the first did, which settles
        the doubt."""
        earlier = self.conf.get(name)
        if name in _REREAD_FLAGGED and not agreed and earlier is not None and earlier < FIRST_READING_DOUBT:
            self.review.add(name, f"{REREAD} (score {earlier:.2f})")
        self.values[name] = value
        c = round(hit.conf if conf is None else conf, 3)
        self.conf[name] = c
        self.evidence[name] = FieldEvidence(raw=hit.raw[:500], rule=hit.rule, page=hit.page,
                                            bbox=hit.bbox.as_list() if hit.bbox else None, score=c)
