"""Cut a deslanted row of ink into digit candidates: group the components into digits, split groups wider
than a digit along least-ink seams, join a digit broken in two.

Tall parts overlapping in x are one digit, small parts (the bar of a 5) join the nearest digit. Candidates
wider than a digit are split along least-ink seams, choosing the cuts by dynamic programming over what the
classifier reads in the pieces (minus a cost per stroke cut through).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from vn_dispatch_parser.image.digits.glyphs import _classify, _stroke_width
from vn_dispatch_parser.image.digits.model import REJECT, _Net


@dataclass
class _Piece:
    """One digit candidate: its mask, its box in work (deslanted) coordinates, the classifier's probabilities."""

    mask: np.ndarray
    box: tuple[int, int, int, int]
    probs: np.ndarray

    @property
    def digit(self) -> int:
        return int(np.argmax(self.probs[:REJECT]))

    @property
    def p_digit(self) -> float:
        return float(np.max(self.probs[:REJECT]))


def _group(mask: np.ndarray) -> list[tuple[np.ndarray, tuple[int, int, int, int]]]:
    """Group components into digit candidates, left to right: (mask of the group, box x0, y0, x1, y1).

    Tall components start groups; tall ones that overlap in x over most of the narrower one's width are one
    digit written in two strokes (a 4); short ones (the bar of a 5, a broken stroke) join the group whose ink
    is nearest, or are dropped when none is near.
    """
    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    if n <= 1:
        return []
    h_ref = float(stats[1:, cv2.CC_STAT_HEIGHT].max())
    main = [i for i in range(1, n) if stats[i, cv2.CC_STAT_HEIGHT] >= 0.45 * h_ref]
    minor = [i for i in range(1, n) if i not in main]
    groups: list[list[int]] = [[i] for i in sorted(main, key=lambda i: stats[i, 0])]

    def span(g: list[int]) -> tuple[int, int]:
        return min(stats[i, 0] for i in g), max(stats[i, 0] + stats[i, 2] for i in g)

    merged = True
    while merged:
        merged = False
        for a in range(len(groups)):
            for b in range(a + 1, len(groups)):
                (a0, a1), (b0, b1) = span(groups[a]), span(groups[b])
                ov = min(a1, b1) - max(a0, b0)
                if ov > 0.6 * min(a1 - a0, b1 - b0):
                    groups[a] += groups.pop(b)
                    merged = True
                    break
            if merged:
                break
    if minor and groups:
        dists = []
        for g in groups:
            outside = np.isin(labels, g, invert=True).astype(np.uint8)
            dists.append(cv2.distanceTransform(outside, cv2.DIST_L2, 3))
        for i in minor:
            ys, xs = np.nonzero(labels == i)
            d = [float(dt[ys, xs].min()) for dt in dists]
            k = int(np.argmin(d))
            if d[k] <= 0.35 * h_ref:
                groups[k].append(i)
            elif stats[i, cv2.CC_STAT_HEIGHT] >= 0.3 * h_ref:
                groups.append([i])
    out = []
    for g in groups:
        gm = np.isin(labels, g).astype(np.uint8)
        ys, xs = np.nonzero(gm)
        x0, y0, x1, y1 = int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1
        out.append((gm[y0:y1, x0:x1], (x0, y0, x1, y1)))
    out.sort(key=lambda t: t[1][0])
    return out


def _cut_candidates(proj: np.ndarray, h_ref: float) -> tuple[list[int], list[int]]:
    """Columns worth cutting at: the deepest local minima of the ink projection, and a regular grid."""
    w = proj.size
    lo, hi = int(0.15 * h_ref), w - int(0.15 * h_ref)
    if hi <= lo:
        return [], []
    sm = np.convolve(proj.astype(np.float64), np.ones(3) / 3, mode="same")
    rad = max(1, int(0.06 * h_ref))
    cands = []
    for x in range(lo, hi):
        a, b = max(0, x - rad), min(w, x + rad + 1)
        if sm[x] <= sm[a:b].min() + 1e-9:
            cands.append(x)
    thinned: list[int] = []  # one per plateau
    for x in cands:
        if thinned and x - thinned[-1] <= 2:
            if sm[x] < sm[thinned[-1]]:
                thinned[-1] = x
            continue
        thinned.append(x)
    thinned.sort(key=lambda x: sm[x])
    step = max(2, int(0.15 * h_ref))
    return sorted(thinned[:8]), list(range(lo, hi, step))


def _seam(gmask: np.ndarray, x: int, band: int) -> tuple[np.ndarray, float]:
    """The top-to-bottom path near column ``x`` that crosses the least ink (one step left/right per row at
    most): per row the x of the cut, and how many ink pixels it goes through."""
    h, w = gmask.shape
    lo, hi = max(1, x - band), min(w - 1, x + band)
    cols = np.arange(lo, hi + 1)
    ink = gmask[:, lo : hi + 1].astype(np.float64)
    pull = 0.02 * np.abs(cols - x)
    cost = ink[0] + pull
    back = np.zeros((h, cols.size), np.int8)
    inf = np.full(1, np.inf)
    for y in range(1, h):
        cand = np.vstack(
            [np.concatenate([inf, cost[:-1]]) + 0.05, cost, np.concatenate([cost[1:], inf]) + 0.05]
        )
        k = np.argmin(cand, axis=0)
        cost = cand[k, np.arange(cols.size)] + ink[y] + pull
        back[y] = k - 1
    c = int(np.argmin(cost))
    path = np.empty(h, np.int64)
    through = 0.0
    for y in range(h - 1, -1, -1):
        path[y] = c
        through += ink[y, c]
        c += int(back[y, c])
    return cols[path], through


_CUT_COST = 0.6  # log-probability cost of cutting through one stroke
_PIECE_COST = float(np.log(0.85))  # and of every extra piece


def _split_group(
    model: _Net, gmask: np.ndarray, h_ref: float, exp_w: float
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Read one group as one or more digits: dynamic programming over cuts (least-ink seams), scored by the
    model (best digit log-probability of each piece), minus a cost per stroke cut through and per extra
    piece. Returns (piece mask in group coordinates, probs) per piece."""
    h, w = gmask.shape
    whole_p = _classify(model, [gmask])[0]
    # a group no wider than one digit is still tried when it reads as no digit: two touching digits with
    # a thin one among them ("15", "17") are hardly wider than one
    touching = whole_p[REJECT] > 0.5 and w >= 0.5 * h_ref
    if not touching and (w < 1.2 * exp_w or w < 0.7 * h_ref):
        return [(gmask, whole_p)]
    cuts = _seams(gmask, h_ref)
    if cuts is None:
        return [(gmask, whole_p)]
    seams, costs = cuts
    spans, masks = _spans(gmask, seams, h_ref)
    probs = _classify(model, masks)
    score, chosen = _best_cuts(spans, probs, costs)
    whole_score = float(np.log(max(whole_p[:REJECT].max(), 1e-6))) + _PIECE_COST
    if touching and h >= 0.8 * h_ref:
        # a full-height group that reads as no digit is not kept whole when it splits into digits at all
        # ("10" of a ĐẾN stamp, the 1 touching the 0: whole it is a doubtful 0)
        whole_score = -np.inf
    if not chosen or score <= whole_score:
        return [(gmask, whole_p)]
    return [(masks[k], probs[k]) for k in chosen]


def _seams(gmask: np.ndarray, h_ref: float) -> tuple[list[np.ndarray], list[float]] | None:
    """The cuts to choose from, left to right: per cut the x of each row and the cost of cutting through the
    strokes there; the group's left and right edges come first and last (at no cost). ``None`` when there is
    no column worth cutting at."""
    h, w = gmask.shape
    minima, grid = _cut_candidates(gmask.sum(axis=0), h_ref)
    if not minima and not grid:
        return None
    sw = max(_stroke_width(gmask), 1.0)
    band = max(2, int(0.25 * h_ref))
    seams: list[np.ndarray] = [np.zeros(h, np.int64)]
    costs = [0.0]
    seen = set()
    for x in sorted(set(minima) | set(grid)):
        options = [_seam(gmask, x, band)]
        if x in minima:  # a straight cut too: the seam may wander off where it should not
            options.append((np.full(h, x, np.int64), float(gmask[:, x].sum())))
        for path, through in options:
            key = path.tobytes()
            if key in seen:
                continue
            seen.add(key)
            seams.append(path)
            costs.append(_CUT_COST * through / sw)
    order = [0, *sorted(range(1, len(seams)), key=lambda i: float(seams[i].mean()))]
    return [seams[i] for i in order] + [np.full(h, w, np.int64)], [costs[i] for i in order] + [0.0]


def _spans(
    gmask: np.ndarray, seams: list[np.ndarray], h_ref: float
) -> tuple[list[tuple[int, int]], list[np.ndarray]]:
    """The pieces worth reading between two seams ``(i, j)`` (not the whole group), with their masks: about
    a digit wide, the seams not crossing, some ink between them."""
    w = gmask.shape[1]
    n = len(seams)
    xs = np.arange(w)[None, :]
    spans: list[tuple[int, int]] = []
    masks: list[np.ndarray] = []
    for i in range(n):
        for j in range(i + 1, n):
            if (i, j) == (0, n - 1):
                continue
            width = float((seams[j] - seams[i]).mean())
            if width < 0.12 * h_ref or width > 1.1 * h_ref or np.any(seams[j] < seams[i]):
                continue
            m = gmask * ((xs >= seams[i][:, None]) & (xs < seams[j][:, None]))
            if np.count_nonzero(m) < 0.02 * h_ref * h_ref:
                continue
            spans.append((i, j))
            masks.append(m.astype(np.uint8))
    return spans, masks


def _span_scores(spans: list[tuple[int, int]], probs: np.ndarray) -> dict[tuple[int, int], tuple[float, int]]:
    """Per span (seam i to seam j): its best digit's log-probability and its index into ``spans``."""
    return {(i, j): (float(np.log(max(p[:REJECT].max(), 1e-6))), k)
            for k, ((i, j), p) in enumerate(zip(spans, probs, strict=True))}


def _best_cuts(
    spans: list[tuple[int, int]], probs: np.ndarray, costs: list[float]
) -> tuple[float, list[int]]:
    """The best split of the group by dynamic programming over the seams: its score (each piece's best digit
    log-probability, plus a cost per piece, minus the cost of each cut) and the pieces it reads, as indices
    into ``spans``, left to right (``[]`` when no split reaches the right edge)."""
    n = len(costs)
    score_of = _span_scores(spans, probs)
    best = [-np.inf] * n
    back = [-1] * n
    best[0] = 0.0
    for j in range(1, n):
        for i in range(j):
            if (i, j) in score_of and best[i] > -np.inf:
                sc = best[i] + score_of[(i, j)][0] + _PIECE_COST - costs[j]
                if sc > best[j]:
                    best[j], back[j] = sc, i
    if back[n - 1] < 0:
        return best[n - 1], []
    chosen = []
    j = n - 1
    while j > 0:
        i = back[j]
        chosen.append(score_of[(i, j)][1])
        j = i
    return best[n - 1], chosen[::-1]


def _cuts_into(
    spans: list[tuple[int, int]], probs: np.ndarray, costs: list[float], count: int
) -> tuple[float, list[int]]:
    """Like :func:`_best_cuts`, the best split into exactly ``count`` pieces (``-inf`` and ``[]`` when there
    is none)."""
    n = len(costs)
    score_of = _span_scores(spans, probs)
    best = np.full((n, count + 1), -np.inf)
    back = np.full((n, count + 1), -1, np.int64)
    best[0, 0] = 0.0
    for j in range(1, n):
        for i in range(j):
            if (i, j) not in score_of:
                continue
            for c in range(1, count + 1):
                if best[i, c - 1] > -np.inf:
                    sc = best[i, c - 1] + score_of[(i, j)][0] + _PIECE_COST - costs[j]
                    if sc > best[j, c]:
                        best[j, c], back[j, c] = sc, i
    if back[n - 1, count] < 0:
        return -np.inf, []
    chosen, j, c = [], n - 1, count
    while j > 0:
        i = int(back[j, c])
        chosen.append(score_of[(i, j)][1])
        j, c = i, c - 1
    return float(best[n - 1, count]), chosen[::-1]


def _merge_broken(model: _Net, mask: np.ndarray, pieces: list[_Piece], h_ref: float) -> list[_Piece]:
    """Join neighbours that are one digit broken apart (a 9's loop and stem on a bitonal scan, a 0 whose
    thin top and bottom faded): both doubtful, close together, no wider than a digit when joined, and
    the join reads as a digit more surely than either half."""
    out = list(pieces)
    k = 0
    while k + 1 < len(out):
        a, b = out[k], out[k + 1]
        x0, y0 = min(a.box[0], b.box[0]), min(a.box[1], b.box[1])
        x1, y1 = max(a.box[2], b.box[2]), max(a.box[3], b.box[3])
        gap = b.box[0] - a.box[2]
        doubtful = min(a.p_digit, b.p_digit) < 0.6
        if doubtful and gap <= 0.12 * h_ref and x1 - x0 <= 0.8 * h_ref:
            joined = mask[y0:y1, x0:x1].copy()
            probs = _classify(model, [joined])[0]
            if float(probs[:REJECT].max()) > max(0.6, a.p_digit, b.p_digit):
                out[k : k + 2] = [_Piece(joined, (x0, y0, x1, y1), probs)]
                continue
        k += 1
    return out


DOUBTFUL = 0.5
"""A piece whose likeliest digit is less sure than this (or that reads as no digit) makes the row be cut again
as a whole (:func:`_row_pieces`)."""


def _score(pieces: list[_Piece]) -> float:
    """A reading's score as :func:`_best_cuts` counts it, without the cuts (each piece's best digit
    log-probability plus the cost of a piece)."""
    return sum(float(np.log(max(p.p_digit, 1e-6))) + _PIECE_COST for p in pieces)


def _row_pieces(model: _Net, mask: np.ndarray, x0: int, x1: int, h_ref: float,
                count: int | None = None) -> tuple[float, list[_Piece]]:
    """The stretch ``x0:x1`` of the row cut as one group: the seams run across the gaps between components
    too (at no cost when they cross no ink), so a digit broken in two whose one part touches its neighbour
    (the flag of a 5 joined to the 1 before it, its bowl apart) is read whole. Its score and pieces; with
    ``count``, cut into that many pieces."""
    part = mask[:, x0:x1]
    cuts = _seams(part, h_ref)
    if cuts is None:
        return -np.inf, []
    seams, costs = cuts
    spans, masks = _spans(part, seams, h_ref)
    if not spans:
        return -np.inf, []
    probs = _classify(model, masks)
    score, chosen = _best_cuts(spans, probs, costs) if count is None else _cuts_into(spans, probs, costs, count)
    pieces = []
    for k in chosen:
        ys, xs = np.nonzero(masks[k])
        a, b, c, d = int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1
        pieces.append(_Piece(masks[k][b:d, a:c], (x0 + a, b, x0 + c, d), probs[k]))
    return score, pieces


AS_EXPECTED = 0.9
"""The share of blanks written with the number of digits a rule of the document asks for (a day always has
two, "ngày 05": nd30.md §2.3); the rest are written short ("ngày 5"). The prior of a reading with that many
digits against one with fewer, when the ink can be cut either way (:func:`_segment`)."""


WHOLE_DIGIT = 0.6
"""A piece of such a cut is a digit when it is at least this share of the row's tallest piece high: hand-written
digits of one number are about as tall as each other; a stroke cut off one is not."""


def _segment(model: _Net, mask: np.ndarray, expect: int | None = None) -> list[_Piece]:
    """All digit candidates of a (deslanted) ink mask, left to right, boxes in the mask's coordinates.

    The components are grouped into digits and each group is cut on its own; when that leaves a doubtful
    piece, the row is cut again as a whole (:func:`_row_pieces`), kept when it reads as many pieces, all sure.
    With ``expect`` (the number of digits the blank should hold), fewer pieces than that are weighed against
    the best cut of the row into that many (:data:`AS_EXPECTED`): a day's slanted 1 touching the next digit
    reads whole as one 6 ("\\5"), and a 1 and a 5 when cut in two."""
    pieces = _group_pieces(model, mask)
    if expect is not None and 0 < len(pieces) < expect:
        h_ref = float(max(p.box[3] - p.box[1] for p in pieces))
        score, again = _row_pieces(model, mask, pieces[0].box[0], pieces[-1].box[2], h_ref, count=expect)
        # each piece a whole digit: sure, and as tall as the row's print (a cut that leaves a 2's tail or a 4's
        # crossbar beside the rest reads "21", "27": the day's leading 0 was not written or not seen)
        whole = all(not _doubtful(p) and p.box[3] - p.box[1] >= WHOLE_DIGIT * h_ref for p in again)
        if again and whole and score + np.log(AS_EXPECTED) > _score(pieces) + np.log(1 - AS_EXPECTED):
            return again
        return pieces
    if len(pieces) >= 2 and any(_doubtful(p) for p in pieces):
        h_ref = float(max(p.box[3] - p.box[1] for p in pieces))
        score, again = _row_pieces(model, mask, pieces[0].box[0], pieces[-1].box[2], h_ref)
        # as many digits, every one sure: a row cut that reads fewer pieces would merge digits the components
        # kept apart (a 1 beside a 6 read as one 6 scores better than a sure 1 and a doubtful 6), and one
        # that leaves a doubt has not found the digits either
        if len(again) == len(pieces) and not any(_doubtful(p) for p in again) and score > _score(pieces):
            return again
    return pieces


def _doubtful(piece: _Piece) -> bool:
    return piece.probs[REJECT] > 0.5 or piece.p_digit < DOUBTFUL


def _group_pieces(model: _Net, mask: np.ndarray) -> list[_Piece]:
    """The digit candidates of the mask's groups of components, each group cut on its own."""
    groups = _group(mask)
    if not groups:
        return []
    h_ref = float(max(b[3] - b[1] for _, b in groups))
    widths = [b[2] - b[0] for _, b in groups if 0.3 <= (b[2] - b[0]) / max(b[3] - b[1], 1) <= 0.9]
    exp_w = float(np.median(widths)) if widths else 0.65 * h_ref
    exp_w = float(np.clip(exp_w, 0.45 * h_ref, 0.8 * h_ref))
    pieces: list[_Piece] = []
    for gmask, (x0, y0, _, _) in groups:
        for pm, probs in _split_group(model, gmask, h_ref, exp_w):
            ys, xs = np.nonzero(pm)
            if ys.size == 0:
                continue
            a, b, c, d = int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1
            pieces.append(_Piece(pm[b:d, a:c], (x0 + a, y0 + b, x0 + c, y0 + d), probs))
    pieces = _merge_broken(model, mask, pieces, h_ref)
    # a short piece at either end is clutter (a comma, the tail of a printed letter), not a digit
    # (a small digit is kept only beside sure digits: a doubtful tall piece may be two digits run together,
    # and the height it sets says nothing of the digits' size)
    sure = all(not _doubtful(p) for p in pieces)
    while pieces and _clutter(pieces[0], h_ref, sure):
        pieces.pop(0)
    while pieces and _clutter(pieces[-1], h_ref, sure):
        pieces.pop()
    return pieces


SHORT_END = 0.5
"""A piece at either end of the row lower than this share of its tallest piece is clutter (a comma, the tail
of a printed letter)..."""
SMALL_DIGIT = 0.35
"""... unless it is at least this share high, as wide as a digit is for its height and surely a digit, beside
pieces that are all sure digits: a hand writes a 0 or a 6 after a long slanted 1 at half the 1's height ("\\o"
for 10), and a comma or a letter's tail is a sliver or reads as no digit."""
SMALL_DIGIT_SURE = 0.9  # its likeliest digit at least this sure (a comma reads "1" at ~0.6-0.8)
SMALL_DIGIT_ASPECT = 0.6  # width / height: a comma or a stroke's tail is narrower


def _clutter(piece: _Piece, h_ref: float, sure: bool) -> bool:
    h, w = piece.box[3] - piece.box[1], piece.box[2] - piece.box[0]
    if h >= SHORT_END * h_ref:
        return False
    return not (sure and h >= SMALL_DIGIT * h_ref and w >= SMALL_DIGIT_ASPECT * h and not _doubtful(piece)
                and piece.p_digit >= SMALL_DIGIT_SURE)
