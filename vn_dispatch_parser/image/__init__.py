"""Pages as images: loading inputs, PDF tools, preprocessing, ink separation, hand-written digits."""
