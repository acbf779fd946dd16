"""Which fields a person should check, and how sure the record is of each: one place decides both.

The parsers give each value a *score* (how well its evidence matched). Scores are not probabilities: a
hand-written number scored 0.7 was right 9 times in 10 on the visible scans, a subject scored 0.9 only 6 in
10. ``data/review.yaml`` maps each field's score to the measured share of values with that score that were
right (an isotonic step table fitted by ``tools/calibrate.py``), so a record's ``confidence`` is the chance
that the value is right. A field goes to ``needs_review`` when that chance is under :data:`REVIEW_BELOW`, or
when a rule found a contradiction on the page (the reason is kept in ``review_reasons``).

>>> calibrated("no_such_field", 0.42)
0.42
>>> decide({"subject": 0.99}, {"number": "printed and hand-written readings disagree"})[0]
['number']
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Mapping
from functools import lru_cache

from vn_dispatch_parser.config import CONF
from vn_dispatch_parser.core.tables import load

__all__ = ["HAND_DISAGREES", "LIKELY_WRONG", "LOW_SCORE", "REREAD", "REVIEW_BELOW", "SCORE_REASONS",
           "SCORE_REVIEW_BELOW", "Reasons", "calibrated", "decide", "threshold"]

REVIEW_BELOW = CONF.review_below
"""Flag a calibrated value whose chance of being right is under this (:attr:`ConfRules.review_below`)."""
SCORE_REVIEW_BELOW = CONF.score_review_below
"""The threshold of a raw parser score (:attr:`ConfRules.score_review_below`)."""


# How review reasons about a field's *reading* begin (producers and readers of reasons share these):
LIKELY_WRONG = "likely wrong"  # a calibrated confidence under REVIEW_BELOW
LOW_SCORE = "low parser score"  # a raw parser score under its threshold
REREAD = "read again after a doubtful first reading"  # document/accumulator.py
HAND_DISAGREES = "printed OCR and the hand-writing reader disagree"  # document/hints.py
SCORE_REASONS = (LIKELY_WRONG, LOW_SCORE)
"""Reasons that come from a score, not from a rule (tools/calibrate.py tells them apart)."""


class Reasons(dict[str, str]):
    """Fields a rule wants checked, with the rule's reason (the first reason given is kept)."""

    def add(self, name: str, reason: str = "rule") -> None:
        """Flag ``name`` for ``reason``."""
        self.setdefault(name, reason)

    def flag(self, names: Iterable[str], reason: str) -> None:
        """Flag every field of ``names`` for ``reason``."""
        for name in names:
            self.add(name, reason)


@lru_cache(maxsize=1)
def _tables() -> dict[str, tuple[list[float], list[float]]]:
    fields = load("review").get("fields") or {}
    out = {}
    for name, spec in fields.items():
        steps = sorted((float(x), float(p)) for x, p in spec["steps"])
        out[name] = ([x for x, _ in steps], [p for _, p in steps])
    return out


def calibrated(field: str, score: float) -> float:
    """The measured chance that a ``field`` value scored ``score`` is right (the score itself for a field
    with no measurement)."""
    table = _tables().get(field)
    if table is None:
        return score
    xs, ps = table
    i = bisect_right(xs, score) - 1
    return ps[max(i, 0)]


@lru_cache(maxsize=1)
def _score_thresholds() -> dict[str, float]:
    return {name: float(t) for name, t in (load("review").get("score_thresholds") or {}).items()}


def threshold(field: str) -> float:
    """The confidence under which ``field`` is flagged: :data:`REVIEW_BELOW` for a calibrated field (its
    confidence is a chance of being right); for a raw parser score the field's measured threshold in
    ``data/review.yaml`` (``score_thresholds``), else :data:`SCORE_REVIEW_BELOW`.

    >>> threshold("issued_date"), threshold("subject"), threshold("symbol")
    (0.8, 0.75, 0.65)
    """
    if field in _tables():
        return REVIEW_BELOW
    return _score_thresholds().get(field, SCORE_REVIEW_BELOW)


def decide(scores: Mapping[str, float], reasons: Mapping[str, str]) -> tuple[list[str], dict[str, str], dict[str, float]]:
    """Flags, their reasons and calibrated confidences for a document's field ``scores`` and rule ``reasons``."""
    conf = {name: round(calibrated(name, s), 3) for name, s in scores.items()}
    why = dict(reasons)
    for name, p in conf.items():
        if p < threshold(name) and name not in why:
            why[name] = (f"{LIKELY_WRONG}: right {p:.0%} of the time at this score" if name in _tables()
                         else f"{LOW_SCORE} ({p:.2f} < {threshold(name):.2f}; not calibrated)")
    return sorted(why), why, conf
