"""config.py (PipelineConfig, ConfRules, LayoutRules) and vocab.py (every label pattern once)."""

from __future__ import annotations

import dataclasses

import pytest
import regex

from vn_dispatch_parser.config import CONF, LAYOUT, ConfRules, LayoutRules, PipelineConfig
from vn_dispatch_parser.core import vocab
from vn_dispatch_parser.core.lines import DATE_ONLY_RE, PLACE_DATE_RE, SO_RE
from vn_dispatch_parser.core.tables import load
from vn_dispatch_parser.document.review import REVIEW_BELOW, SCORE_REVIEW_BELOW, threshold
from vn_dispatch_parser.errors import InputTooLargeError, InvalidOptionError
from vn_dispatch_parser.fields import number
from vn_dispatch_parser.pipeline import parse_file

# --- ConfRules ---


def test_every_confidence_factor_is_a_probability():
    fields = dataclasses.fields(ConfRules)
    assert len(fields) >= 60
    for f in fields:
        value = getattr(CONF, f.name)
        assert isinstance(value, float), f.name
        assert 0.0 <= value <= 1.0, f.name


def test_review_thresholds_are_ordered():
    assert 0.5 < CONF.score_review_below < CONF.review_below < 1.0
    assert (CONF.review_below, CONF.score_review_below) == (REVIEW_BELOW, SCORE_REVIEW_BELOW)
    assert threshold("issued_date") == CONF.review_below  # calibrated in data/review.yaml
    assert threshold("subject") == CONF.score_review_below


@pytest.mark.parametrize("name", [
    "hand_number_disagrees_cap", "hand_date_mixed_cap", "hand_day_refit_cap", "signer_surname_restored",
    "signer_unknown_surname", "signer_name_guessed", "signer_name_missing", "list_nhu_tren_inserted",
    "stamp_page_ocr_cap", "stamp_unread", "stamp_box_only", "issued_date_unread", "number_blank", "esign_date_only",
])
def test_caps_that_ask_for_a_look_are_under_the_review_threshold(name):
    """A factor whose comment says "a person must look" must put the value under both thresholds."""
    assert getattr(CONF, name) < CONF.score_review_below


def test_sure_readings_stay_over_the_review_threshold():
    for name in ("doc_type_heading", "cong_van_vv", "issuer_units", "esign_date_agrees", "stamp_full", "subject"):
        assert getattr(CONF, name) >= CONF.review_below, name
    assert CONF.stamp_full > CONF.stamp_partial > CONF.stamp_block_partial
    assert CONF.place_exact > CONF.place_marks_restored >= CONF.place_marks_differ >= CONF.place_unknown


def test_the_parsers_read_the_table(monkeypatch):
    """The factors are not copies: a changed table changes the score of a "Số" line whose "/" was read "|"."""
    assert number.parse_number_text("Sổ: 88 |TB-VP").conf == CONF.number_separator_odd
    monkeypatch.setattr(number, "CONF", dataclasses.replace(CONF, number_separator_odd=0.42))
    assert number.parse_number_text("Sổ: 88 |TB-VP").conf == 0.42


def test_conf_rules_are_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        CONF.review_below = 0.5  # type: ignore[misc]


# --- LayoutRules ---


def test_layout_rules_are_page_fractions():
    for f in dataclasses.fields(LayoutRules):
        value = getattr(LAYOUT, f.name)
        for v in value if isinstance(value, tuple) else (value,):
            assert 0.0 < v < 1.0, f.name
    lo, hi = LAYOUT.column_gap_range
    assert lo < LAYOUT.column_split_fallback < LAYOUT.column_split < hi
    assert LAYOUT.quoc_hieu_band < LAYOUT.header_band < LAYOUT.stamp_band


# --- PipelineConfig ---


def test_parse_file_takes_its_options_from_a_config(tmp_path):
    path = tmp_path / "two.txt"
    path.write_text("Số: 12/UBND-VX\fSố: 13/UBND-VX\n", encoding="utf-8")
    result = parse_file(path, config=PipelineConfig(pages=frozenset({2})))
    assert [d.number for d in result.documents] == ["13"]
    with pytest.raises(InputTooLargeError):
        parse_file(path, config=PipelineConfig(max_text_bytes=10))
    assert parse_file(path, config=PipelineConfig(max_text_bytes=10), max_text_bytes=1000).documents  # kwarg wins
    with pytest.raises(InvalidOptionError):
        parse_file(path, config=PipelineConfig(dpi=20))


def test_pipeline_config_defaults_are_the_cli_defaults():
    cfg = PipelineConfig()
    assert (cfg.dpi, cfg.handwriting, cfg.max_text_bytes, cfg.fields_only) == (300, True, 20_000_000, False)
    with pytest.raises(dataclasses.FrozenInstanceError):
        cfg.dpi = 150  # type: ignore[misc]


# --- vocab ---


@pytest.mark.parametrize("line", ["Số: 1865 /SYT-VP", "Số 27-KH/ĐU", "S6: 2207/SXD-QLN", "Sô: 615/STP-HCTP",
                                  "So: 77/SNV-TCBC", "Sổ: 88 |TB-VP", "Số:2750/QĐ-BGDĐT", "Số2624 /QĐ-BGDĐT",
                                  "Số : 428/STC - QLG", "sẽ: 12/UBND-VX"])
def test_so_label_in_the_header(line):
    assert SO_RE.search(line), line


@pytest.mark.parametrize("line", ["Sở Y tế", "Sóc Trăng, ngày 27 tháng 12 năm 2024", "Tổ chức: 12/UBND"])
def test_so_label_is_not_another_word(line):
    assert not SO_RE.search(line)


@pytest.mark.parametrize("word", ["Số:", "So:", "Sô.", "S6:", "SỐ:"])
def test_stamp_so_label(word):
    assert regex.match(rf"^{vocab.SO}\s*[:.]", word, regex.I)


@pytest.mark.parametrize("word", ["Sổ", "Só:", "Sò;", "Sẽ", "Sế:", "S6"])
def test_lone_so_glyph(word):
    assert regex.match(rf"^{vocab.SO_GLYPH}(?!\p{{L}})\s*[:;.]?", word, regex.I)
    assert not regex.match(rf"^{vocab.SO_GLYPH}(?!\p{{L}})", "SÓC", regex.I)


@pytest.mark.parametrize("line", ["Hà Nội, ngày 18 tháng 6 năm 2025", "Ha Noi, ngay 18 thang 6 nam 2025",
                                  "Đà Nẵng, ngày    tháng 3 năm 2010", "Huế, ngày 5 tháng10năm 2024"])
def test_date_words(line):
    assert PLACE_DATE_RE.search(line) and DATE_ONLY_RE.search(line), line


@pytest.mark.parametrize("line", ["Kính gửi: Các đơn vị trực thuộc Sở.", "Kinh gui: Sở Y tế", "Kìnhgửi:", "KÍNH GỬI:"])
def test_kinh_gui(line):
    assert vocab.KINH_GUI.match(line), line


@pytest.mark.parametrize("line", ["Nơi nhận:", "Noi nhan:", "Nới nhận:", "(ơi nhận:", "NƠI NHẬN:", "Nơi nh4 nhận:"])
def test_noi_nhan(line):
    assert vocab.NOI_NHAN.match(line), line


def test_noi_nhan_is_not_a_sentence_about_receiving():
    assert not vocab.NOI_NHAN.match("Người nhận hồ sơ")


def test_signer_prefixes_come_from_the_data_table():
    assert vocab.signer_prefixes() == tuple(p.rstrip(".") for p in load("positions")["prefixes"])
    assert vocab.signer_prefixes() == ("TM", "KT", "TL", "TUQ", "Q")


@pytest.mark.parametrize(("line", "prefix"), [("KT. GIÁM ĐỐC", "KT"), ("TM. ỦY BAN NHÂN DÂN", "TM"),
                                              ("TL, BỘ TRƯỞNG", "TL"), ("TUQ. CHỦ TỊCH", "TUQ"),
                                              ("Q. GIÁM ĐỐC", "Q")])
def test_signer_prefix(line, prefix):
    m = vocab.SIGNER_PREFIX.match(line)
    assert m and m.group("p") == prefix
    assert bool(vocab.SIGNER_PREFIX_DOT.match(line)) == ("," not in line)


def test_signer_prefix_needs_a_title():
    assert not vocab.SIGNER_PREFIX.match("TMA. GIÁM ĐỐC")
    assert not vocab.SIGNER_PREFIX.match("KT. giám đốc")


def test_signer_tail_splits_a_joined_line():
    text = "- Lưu: VT, VP. KT. GIÁM ĐỐC"
    m = vocab.SIGNER_TAIL.search(text)
    assert m and text[m.end():] == "KT. GIÁM ĐỐC"


def test_stamp_cell_so_is_narrower_than_the_lone_glyph():
    """In a ĐẾN stamp's cell the label is matched as it always was: a "Sế"/"Sẽ" there is not taken for it."""
    cell = regex.compile(rf"^{vocab.SO_CELL}[:;.]?$", regex.I)
    assert all(cell.match(w) for w in ("Số:", "So", "Sô.", "S6:", "Sổ", "Só"))
    assert not any(cell.match(w) for w in ("Sế", "Sẽ:", "Số 12"))
