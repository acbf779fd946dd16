# vn-dispatch-parser — every target installs what it needs and is safe to run twice.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SHARED ?= ../shared
OUT ?= out
N ?=
SEED ?= 7
LEVELS ?= clean,mild,heavy
APT_PACKAGES := tesseract-ocr tesseract-ocr-vie tesseract-ocr-osd poppler-utils qpdf
# tesserocr is built against the system libtesseract (same Tesseract as the command line); ocrmypdf (bench) needs gs
APT_PACKAGES += libtesseract-dev libleptonica-dev pkg-config g++ ghostscript
# the Vietnamese syllable inventory (core/syllables.py reads its vi_VN.dic; GPL-2, not shipped in the package)
APT_PACKAGES += hunspell-vi
# fonts for the sample generator (make samples): a Times-like face with full Vietnamese, and hand-writing faces
FONT_PACKAGES := fonts-liberation2 fonts-dkg-handwriting fonts-breip fonts-kristi fonts-dancingscript fonts-sjfonts
# the desk's tests: a real browser (Playwright drives Debian's chromium) and a PostgreSQL server they start
DESK_PACKAGES := chromium postgresql
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
export OMP_THREAD_LIMIT := 1

.PHONY: setup system-deps demo test bench lint typecheck samples score wheel-check clean ocr-cache ocr-records

## system-deps: apt packages (Tesseract + Vietnamese data, poppler, fonts), only those missing
system-deps:
	@missing=""; for p in $(APT_PACKAGES) $(FONT_PACKAGES) $(DESK_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q --no-binary tesserocr -e '.[dev]'
	touch $@

## setup: system packages + the package and its dev tools in .venv
setup: system-deps $(VENV)/.installed

## demo: parse the bundled samples into out/demo and score them against their truth
demo: setup
	$(BIN)/vn-dispatch batch samples --out $(OUT)/demo --exclude README.md
	@echo; echo "== score on samples/ (truth beside each file)"
	@if [ -f $(SHARED)/tools/score.py ]; then $(BIN)/python $(SHARED)/tools/score.py samples $(OUT)/demo --by-level; \
	else echo "($(SHARED)/tools/score.py not found: no score)"; fi
	@echo; echo "records: $(OUT)/demo/records.csv, $(OUT)/demo/records.jsonl; per file: $(OUT)/demo/<file>.json"

## test: the test suite (unit tests, property tests, end-to-end tests with real Tesseract)
test: setup
	$(BIN)/python -m pytest -q

## bench: accuracy (score.py) and speed against plain Tesseract on the same pages
bench: setup
	$(BIN)/python tools/bench.py --out bench/report.md samples $(wildcard $(SHARED)/real)
	$(BIN)/python tools/bench_desk.py --docs 100000

lint: setup
	$(BIN)/ruff check vn_dispatch_parser tests cli.py tools
	$(BIN)/lint-imports

typecheck: setup
	$(BIN)/mypy

## samples: regenerate samples/ byte-for-byte from its seed; with N=200 SEED=7 [OUT=…] a bigger set (not committed)
samples: setup
ifeq ($(N),)
	$(BIN)/python -m vn_dispatch_parser.synth --committed --out samples
else
	$(BIN)/python -m vn_dispatch_parser.synth --out $(if $(filter out,$(OUT)),samples/generated,$(OUT)) --n $(N) --seed $(SEED) --levels $(LEVELS)
endif

## ocr-cache: record every OCR call made reading samples/ (and the records) into tests/ocr_cache/ for the golden tests
ocr-cache: setup
	$(BIN)/python tools/ocr_cache.py samples tests/ocr_cache

## ocr-records: replay tests/ocr_cache and write only its expected records again (an intended record change)
ocr-records: setup
	$(BIN)/python tools/ocr_cache.py --records-only samples tests/ocr_cache

## score: run the pipeline over ../shared/real and score it
score: setup
	$(BIN)/vn-dispatch batch $(SHARED)/real --out $(OUT)/real --exclude README.md
	$(BIN)/python $(SHARED)/tools/score.py $(SHARED)/real/truth $(OUT)/real

## wheel-check: build the sdist and wheel, install the wheel into a fresh virtual environment outside the
## checkout, and check that it reads samples/cv_004_mild.pdf into the checkout's record (models included)
wheel-check: setup
	@set -euo pipefail; tmp=$$(mktemp -d /tmp/vn-dispatch-wheel.XXXXXX); trap 'rm -rf "$$tmp"' EXIT; \
	$(BIN)/python -m build --outdir "$$tmp/dist" . >"$$tmp/build.log" || { tail -20 "$$tmp/build.log"; exit 1; }; \
	$(PYTHON) -m venv "$$tmp/venv"; \
	"$$tmp/venv/bin/python" -m pip install -q "$$tmp"/dist/*.whl; \
	cd "$$tmp"; \
	env -u PYTHONPATH -u VN_DISPATCH_MODELS -u VN_DISPATCH_HW_MODEL \
	  venv/bin/python -c 'import vn_dispatch_parser as m; print("installed:", m.__file__)'; \
	env -u PYTHONPATH -u VN_DISPATCH_MODELS -u VN_DISPATCH_HW_MODEL \
	  venv/bin/vn-dispatch parse "$(CURDIR)/samples/cv_004_mild.pdf" >installed.json; \
	cd "$(CURDIR)"; \
	PYTHONPATH="$(CURDIR)" $(BIN)/python -m vn_dispatch_parser parse samples/cv_004_mild.pdf >"$$tmp/checkout.json"; \
	$(BIN)/python -c 'import json, sys; a, b = (json.load(open(p, encoding="utf-8")) for p in sys.argv[1:]); \
	d = a["documents"][0]; print("number", d["number"], "issued_date", d["issued_date"], "engine", a["engine"]); \
	sys.exit(0 if a == b else "the installed wheel reads another record than the checkout")' \
	  "$$tmp/installed.json" "$$tmp/checkout.json"; \
	echo "wheel-check: the installed wheel reads the same record as the checkout"

clean:
	rm -rf $(OUT) bench/report.md .pytest_cache .mypy_cache .ruff_cache
