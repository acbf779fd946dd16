"""Settings in one place: how a file is read (:class:`PipelineConfig`), how sure each reading is
(:class:`ConfRules`, one table of every hand-set confidence factor and the review thresholds) and where on
a page things are (:class:`LayoutRules`, page-relative geometry).

Every value is named once, with what it stands for and the measurement behind it. The parsers read the
module-level defaults :data:`CONF` and :data:`LAYOUT`; a different table is a new instance
(``dataclasses.replace(CONF, review_below=0.7)``), never a mutation.

This module imports nothing from the rest of the package, so any stage may import it.

    >>> CONF.review_below > CONF.score_review_below
    True
    >>> PipelineConfig(dpi=150).dpi
    150
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

__all__ = ["CONF", "DEFAULT_MAX_TEXT_BYTES", "DPI_RANGE", "LAYOUT", "TEXT_SUFFIXES", "ConfRules", "LayoutRules",
           "PipelineConfig"]

TEXT_SUFFIXES = frozenset({".txt", ".md"})
"""Inputs read as OCR text (UTF-8, or UTF-16 with its BOM); every other supported file is a scan."""
DEFAULT_MAX_TEXT_BYTES = 20_000_000
"""Largest text input read (20 MB): a 300-page file of OCR text is about 1 MB; a 50 MB text once took
6.5 minutes and 5 GB of memory and made 158,396 "documents"."""
DPI_RANGE = (50, 1200)
"""Rendering resolutions accepted for PDFs: under 50 dpi no text is legible, over 1200 a page is 140 Mpx."""


@dataclass(frozen=True)
class PipelineConfig:
    """How one file is read: the options of ``parse_file``, the CLI's ``parse`` and ``batch``.

    Attributes:
        dpi: Rendering resolution for PDFs (a scan of lower resolution is rendered at its own).
        handwriting: Read hand-written numbers and days (and the ĐẾN stamp's) from the ink.
        max_pixels: Refuse pages larger than this (decompression bombs); None: the loader's 120 Mpx.
        max_text_bytes: Refuse text inputs larger than this (``too_large``).
        pages: Read only these 1-based pages; None: all.
        fields_only: Scans: OCR only the bands the fields come from; ``full_text`` stays empty.
        models_dir: Where the ``.traineddata`` files and the digit model are; None: the package's ``models/``
            (``$VN_DISPATCH_HW_MODEL`` still names another digit model).
        ocr_timeout: Seconds allowed per Tesseract call (a page, a crop, OSD); ``$VN_DISPATCH_OCR_TIMEOUT``
            sets it for the default engine when the config leaves it at this default.
        file_timeout: Seconds allowed per file in a batch; None: no limit.
    """

    dpi: int = 300
    handwriting: bool = True
    max_pixels: int | None = None
    max_text_bytes: int = DEFAULT_MAX_TEXT_BYTES
    pages: frozenset[int] | None = None
    fields_only: bool = False
    models_dir: Path | None = None
    ocr_timeout: float = 180.0  # a 300-dpi A4 page takes 2-6 s; 180 s is a page Tesseract has got lost in
    file_timeout: float | None = None


@dataclass(frozen=True)
class ConfRules:
    """Every hand-set confidence factor of the parsers and the review thresholds, one named field each.

    A field's confidence is its parser score: a base for the rule that found it, times the OCR's confidence
    in the lines it came from (:func:`lines.line_conf`), times the factors below for each doubt. Scores are
    then calibrated (``data/review.yaml``) and compared with :attr:`review_below`. Unless said otherwise a
    factor was set by hand on samples/ and ../shared/real so that a value of that kind lands on the right
    side of the review threshold.
    """

    # --- review (review.py) ---
    review_below: float = 0.8
    """Flag a value whose chance of being right is under 0.8: one chance in five of an error in the register
    is worth a person's look; below that the look mostly confirms right values (measured in data/review.yaml)."""
    score_review_below: float = 0.75
    """For a field without a calibration, its parser score is compared with the threshold the scores were set
    against (0.75); comparing raw scores with 0.8 instead flagged 13 % more of ../shared/real's values and
    caught no more errors."""
    first_reading_doubt: float = 0.75
    """A field read a second time (a hand-written number or day after the printed OCR of its blank) stays
    flagged when the first reading scored under this: on ../shared/real the numbers re-read that way included
    the truncated ones ('574' read '57', '280' read '80') with scores of 0.98-0.99 from the ink reader.
    A second reading that reads what the first did settles the doubt: on the four measured sets the eight
    numbers the printed OCR and the ink reader read alike were all right."""

    # --- OCR line confidence (lines.line_conf, fields/number, fields/place_date) ---
    weak_word_margin: float = 0.2
    """A line counts as sure as its weakest word + 0.2 (when under its mean): one misread word drags a field's
    value wrong, but one faint word in a line read right should not sink it."""
    line_conf_floor: float = 0.3
    """The Số and date lines' score is multiplied by the line's OCR confidence, at least 0.3: a pattern as
    strict as "Số …/…" or "ngày … tháng … năm …" matched on a faint line is still mostly right."""

    # --- Số, ký hiệu (fields/number.py, extract.py) ---
    number_separator_odd: float = 0.7
    """"Số 12 QĐ" without "/" or "-" between number and ký hiệu: the separator was lost, the split is a guess."""
    number_one_letter_group: float = 0.7
    """"1/Z/KH-UBND": no ký hiệu group is one letter; it is a hand-written digit read as one, so the number
    before it is only part of the number (the number is dropped, the ký hiệu scored down)."""
    number_label_lost: float = 0.6
    """A header-left line of only a short scrap, "/" and a hyphenated ký hiệu ("ST /CT-UBND"): the Số line
    whose label the hand-written number covered; its place says what it is, the reading is doubtful."""
    symbol_agrees: float = 0.9
    """A ký hiệu made of well-formed code groups whose type code is the heading's (none for a công văn) and one
    of whose groups is the issuer's or its parent's initials (nd30.md §2.2: the ký hiệu is the type code and
    the body's abbreviation): the code, the heading and the header's left column are read apart and agree,
    at least 0.9, unflagged. Its line's OCR confidence says little about the code: the hand-written number
    beside it pulls it down. On ../shared/real, samples/ and two synthetic sets (seeds 2026 and 4242), all
    31 low-scored ký hiệu that agreed so were right; every wrong one disagreed."""
    issuer_agrees: float = 0.9
    """The issuer's code (the initials of its name before its place: "UBND", "BGDĐT") is a group of a
    well-formed ký hiệu: the header's left column and the Số line, read apart, agree; at least 0.9,
    unflagged. On ../shared/real, samples/ and two synthetic sets (seeds 2026 and 4242) all 110 issuers that
    agreed so were right."""
    number_blank: float = 0.5
    """A Số line with a ký hiệu but a blank number (a draft, or hand-writing not read): the blank is likely
    right but worth a look."""
    hand_number_agrees_bonus: float = 0.1
    """The printed OCR and the hand-writing reader read the same number: the ink reader's confidence + 0.1."""
    hand_number_disagrees_cap: float = 0.7
    """They disagree and the ink reader's number is kept: at most 0.7, so that a person looks."""
    printed_hand_weight: float = 0.2
    """How much a printed-text OCR reading of a hand-written number counts against the ink reader's: of the
    six disagreements on samples/ and ../shared/real it was right in none, the ink reader in four."""

    # --- place and date (fields/place_date.py, extract.py, signatures.py) ---
    place_exact: float = 1.0
    """The place read is a known place, letter for letter."""
    place_marks_restored: float = 0.85
    """A known place read without its diacritics ("Da Nang"): the marks are restored from the list."""
    place_marks_differ: float = 0.7
    """A known place read with other diacritics than the list's ("Nghỉ Lộc"): the one place so spelt but for
    its marks ("Nghi Lộc"); as sure as an unlisted place kept as read."""
    place_marks_ambiguous: float = 0.6
    """A place read with other diacritics than two listed places that share its letters ("Phú Mỹ", "Phù Mỹ"):
    kept as read, under the place threshold (0.65) so that a person looks."""
    place_fuzzy: float = 0.8
    """Two or more words within fuzz ratio 88 of a known place: snapped to it."""
    place_unknown: float = 0.7
    """No known place in the line's tail: its last words (at most four) are kept."""
    date_missing: float = 0.5
    """A place-and-date line whose day or month is blank or unreadable: the line's score is halved (the place
    itself keeps its own score, see extract.py)."""
    issued_date_unread: float = 0.4
    """No issue date read on a date line that was found: the blank is reported with this score."""
    hand_date_mixed_cap: float = 0.7
    """A date whose day comes from the ink reader and month from the printed OCR of the same hand-written line
    (or the reverse): at most 0.7."""
    hand_day_sure: float = 0.9
    """The printed OCR and the ink reader read different days: the ink reader's day is taken (flagged either
    way) when it is at least this sure. Over six sets (samples/, ../shared/real, four synthetic) the printed
    day was wrong in all six disagreements; the ink reader was right in the three it read at 0.93-0.99 and
    wrong in the three below 0.31."""
    hand_fragment_cap: float = 0.3
    """A hand-written value read from ink less than half as tall as the printed row it fills in
    (``scan.hints.HAND_MIN_HEIGHT``): people write figures at least as tall as the print's small letters,
    so such ink is a fragment (the rest too faint, or lost) and the value read from it likely short: at most
    0.3, flagged."""
    hand_lone_stroke_cap: float = 0.5
    """A hand-written day read as one straight stroke, a lone "1": of all glyphs the one a slash, a rule or the
    first stroke of a day whose second figure the ink separation lost ("16", "10" with a faint or small
    second figure) also read as; at most 0.5, flagged. Measured on samples/, ../shared/real, a heavy and a
    photo synthetic set: every day read as a lone "1" was a longer day's first figure (2 of 2)."""
    hand_day_refit_cap: float = 0.5
    """A hand-written day re-read to fit the other dates on the page (cited documents, signatures, ĐẾN
    stamp): at most 0.5, flagged either way."""
    esign_date_only: float = 0.6
    """No date read on the page: the digital signature's day is taken, flagged."""
    esign_date_agrees: float = 0.98
    """The page's date is the organisation's (or a person's) signing day: at least 0.98, unflagged."""
    file_name_number_agrees: float = 0.97
    """The number read is the number the file is named by ("574 UB.pdf", "87 QĐ CT.pdf": archivists name scans
    by their số): two independent readings agree, at least 0.97, unflagged. On ../shared/real all 25 numbers
    that agreed with their file name were right, and the 4 that disagreed were wrong."""
    file_name_number_taken: float = 0.7
    """A doubtful page reading that is the file's named number with a digit lost or confused is replaced by
    it (document/corroborate.py): at most 0.7, flagged, so that a person confirms."""

    # --- ĐẾN stamp (fields/stamp.py, den_stamp.py, extract.py) ---
    stamp_full: float = 0.9
    """A ĐẾN stamp read with its "ĐẾN" label, a number and a date."""
    stamp_partial: float = 0.6
    """A ĐẾN stamp read with its label but no number or no date."""
    stamp_block_full: float = 0.6
    """A stamp known only by its labels (its "ĐẾN" not read), with a number and a date."""
    stamp_block_partial: float = 0.4
    """The same with a number or a date missing."""
    stamp_box_only: float = 0.3
    """A framed ĐẾN stamp seen on the page whose labels the OCR did not read: its values come from its own
    reader, or stay blank."""
    stamp_page_ocr_cap: float = 0.5
    """A framed stamp's number or date read by the page OCR: at most 0.5 (it reads hand-writing poorly)."""
    stamp_unread: float = 0.3
    """A framed stamp's number or date the page OCR did not read; and a framed stamp whose receiver, the body
    that the stamp names above "ĐẾN" (nd30.md), was not read: the frame's print lost, its hand-writing
    likely misread too."""
    stamp_hand_min: float = 0.3
    """A hand-written số đến read with less confidence than this is left out (and the stamp flagged)."""
    stamp_misread: float = 0.1
    """Probability mass kept for "the date was misread" when the stamp's date readings are renormalised."""
    stamp_year_misread: float = 0.3
    """A stamp date whose hand-written year is neither the document's year nor the next (a letter is received
    within weeks of its date): the year's digits were misread, so the day and month read beside them are
    doubtful too; the reading keeps this share of its weight, with the year taken from the document's date."""
    stamp_late_date: float = 0.05
    """A stamp date more than ``STAMP_USUAL_DAYS`` after the document's: possible, but letters are mostly
    received within weeks, so its reading weighs a twentieth."""
    stamp_digit_unknown: float = 0.5
    """A glyph in the stamp's number cell the digit model calls "not a digit" (dropped at an end of the row) is
    often a digit it could not read: the number may be short, its confidence is halved."""
    stamp_printed_min: float = 0.5
    """Lines of a stamp's crop read with less OCR confidence than this are the stamp's ink noise."""
    mark_line_min: float = 0.6
    """A slanted mark (HỎA TỐC in an arrow) read with less OCR confidence than this is not kept."""
    mark_line_sure: float = 0.85
    """A slanted mark read with this OCR confidence or more: no other turn is tried."""
    mark_match_min: float = 0.75
    """A mark's reading must be within fuzz ratio 75 of one of the closed list of marks (KHẨN, MẬT, …)."""
    mark_match_sure: float = 0.9
    """A reading within ratio 90: no further attempt."""
    mark_scale: float = 0.9
    """A mark's confidence is its match ratio times 0.9 (a fuzzy match is never certain)."""
    grouped_stamp: float = 0.4
    """A stamp put together from small coloured strokes (thin violet ink): a guess at a region to read."""

    # --- doc type and subject (extract.py, fields/subject.py) ---
    doc_type_heading: float = 0.95
    """The type read from its caps heading ("QUYẾT ĐỊNH")."""
    cong_van_vv: float = 0.95
    """No heading but a "V/v" line: a công văn."""
    cong_van_no_code: float = 0.7
    """No heading, no V/v line, and a ký hiệu without a type code: probably a công văn."""
    doc_type_from_symbol: float = 0.6
    """No heading: the type named by the ký hiệu's code ("QĐ-UBND")."""
    subject: float = 0.9
    """A subject read from the V/v line or the lines under the heading (times the lines' OCR confidence)."""

    # --- issuer (fields/issuer.py) ---
    issuer_units: float = 0.95
    """One or two caps units in the header's left column: issuer (and parent)."""
    issuer_many_units: float = 0.7
    """Three or more units: which two are the issuer and its parent is a guess."""
    issuer_snapped: float = 0.9
    """An issuer or parent snapped to a known body's name (the OCR read it otherwise)."""

    # --- Kính gửi, Nơi nhận (fields/lists.py) ---
    list_items: float = 0.9
    """Items read after a Kính gửi / Nơi nhận label (times the lines' OCR confidence)."""
    list_empty: float = 0.5
    """A label with no item left after cleaning."""
    list_nhu_tren_inserted: float = 0.6
    """Nơi nhận's first item was lost under the seal and "Như trên" is put back: at most 0.6."""
    list_item_garbled: float = 0.6
    """A Nơi nhận line too garbled to be read as an item, above the list's filing item, was passed over: the
    items read are kept, at most 0.6, so that a person reads the lost one."""

    # --- signer (fields/signer.py, extract.py, scan.py) ---
    signer_full: float = 0.9
    """A signature block with titles and a name."""
    signer_partial: float = 0.6
    """Titles without a name, or a name without titles."""
    signer_title_guessed: float = 0.75
    """A title snapped to a known one, or a "KT." level inferred from PHÓ: the block's score times 0.75."""
    signer_title_put_back: float = 0.6
    """A block that ends with "KT. X" lost its deputy's title line (under the seal or the signature): "PHÓ X" is
    put back (NĐ 30: a deputy signs for the head), at most 0.6 so that a person checks it."""
    signer_name_with_title: float = 0.9
    """A name under the titles."""
    signer_name_alone: float = 0.7
    """A name with no title read above it."""
    signer_name_guessed: float = 0.5
    """A name rescued from a line that did not look like one, or with a word that is no Vietnamese syllable
    ("Pkam"): at most 0.5, a misread."""
    signer_surname_restored: float = 0.7
    """A surname whose marks were restored from the lexicon ("Nguyên" → "Nguyễn"): at most 0.7."""
    signer_unknown_surname: float = 0.6
    """No common surname: likely misread, at most 0.6 so that a person looks."""
    signer_rare_name: float = 0.6
    """A given or middle name word that few names hold, a mark away from a common one ("Hiên" for "Hiền",
    core/names.py): both are names, so it is kept, at most 0.6 so that a person looks."""
    signer_name_missing: float = 0.4
    """A signature block without a name: the blank is reported with this score."""
    sig_title_snapped: float = 0.8
    """A title re-read from the signature crop that the seal garbled ("CHỦYỊCH") and was snapped to a known
    one: the crop's OCR confidence times 0.8."""
    sig_crop_read: float = 0.9
    """Titles or a name read from a crop of the signature block (under the seal): times 0.9."""
    sig_name_under_ink: float = 0.8
    """The page's name line when the ink that hid the title runs over it too: times 0.8."""
    sig_block_reread: float = 0.95
    """The whole signature block read again from its crop (it gave more known titles and a name): times 0.95."""
    sig_name_line_reread: float = 0.9
    """The name line read again alone (one-line mode, the seal's and signature's ink already off the image)
    gave the same letters with other marks, or without the page reading's stray letters: that reading is
    kept, times 0.9 (it stays below the review threshold unless the page reading was sure)."""
    lexicon_correction: float = 0.97
    """Each diacritic restored from the lexicon lowers a line's confidence by this factor."""

    # --- page reading (preprocess.py, handfill.py) ---
    osd_min: float = 0.2
    """Tesseract's orientation (OSD) is trusted from this confidence (its score / 15) on."""
    anchor_word_min: float = 0.8
    """Printed words next to a hand-written blank that place it must be read with this OCR confidence."""


CONF = ConfRules()
"""The confidence table the parsers use."""


@dataclass(frozen=True)
class LayoutRules:
    """Where things are on a page of a NĐ 30 document, as fractions of the page's height (``h``) or width
    (``w``), so that rules do not depend on the dpi (nd30.md §2, measured on samples/ and ../shared/real).
    """

    header_band: float = 0.45
    """The header (issuer, Số, place and date, the ĐẾN stamp and urgency marks) lies in the top 45 % of the
    first page; a header with no quốc hiệu found ends there."""
    quoc_hieu_band: float = 0.3
    """Lines above 30 % of the height beside the quốc hiệu are header."""
    column_split: float = 0.5
    """The middle of the page: the header's left and right columns, Nơi nhận and the signature block."""
    column_split_fallback: float = 0.45
    """When no column gap is found, the header's left column ends at 45 % of the width."""
    column_gap_range: tuple[float, float] = (0.25, 0.7)
    """The gap between the header's two columns lies between 25 % and 70 % of the width."""
    left_column_end: float = 0.4
    """A line that starts left of 40 % of the width is in the left column (and a signature title right of it)."""
    noi_nhan_start: float = 0.3
    """The Nơi nhận label starts left of 30 % of the width."""
    wide_line: float = 0.55
    """A line wider than 55 % of the page that crosses the middle is body, not a column."""
    wide_margin: float = 0.08
    """… crossing it means reaching 8 % of the width past the column split on both sides."""
    title_width_max: float = 0.45
    """A signature title line is narrower than 45 % of the width (a body sentence is wider)."""
    top_margin: float = 0.06
    """Marks above 6 % of the height are in the page's margin (a binder's punch, a scanner's edge), not the header."""
    stamp_band: float = 0.5
    """Stamps with text (ĐẾN, KHẨN, MẬT) lie in the top half."""
    mark_box_band: float = 0.4
    """A red KHẨN / MẬT box lies above 40 % of the height."""
    mark_box_left: float = 0.6
    """… and left of 60 % of the width (the header's left part)."""
    body_header_end: float = 0.12
    """Body rows (bands.py) start below 12 % of the height."""
    body_cover: float = 0.55
    """Share of the text width a body row's ink covers (bands.py)."""


LAYOUT = LayoutRules()
"""The page geometry the layout and stamp finders use."""
