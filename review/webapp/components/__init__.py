"""Widgets several pages share, each drawn by one call from a page."""
