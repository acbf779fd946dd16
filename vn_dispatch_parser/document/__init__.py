"""Lines of one document → a ``Document``: segmentation, building, checks, review decisions."""
