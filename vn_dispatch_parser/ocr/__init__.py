"""The OCR engine seam: the ``OcrEngine`` protocol and its engines."""
