"""Pure text and data: types, text normalisation, spelling, lexicon, data tables, file-system helpers."""
