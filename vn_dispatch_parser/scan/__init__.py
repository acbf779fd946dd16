"""Page images → page readings (layout, bands, stamps, hints); field values are decided in ``document``."""
