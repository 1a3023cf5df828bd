"""PRISMA 2020: the flow counted from the review, its checks, the package's CSV template and the diagram.

    counts, problems = checked_counts(review, allow_incomplete=True)   # PrismaCounts + what does not add up
    render_prisma(counts, "svg", problems=problems)                    # or json, csv, png

Modules: `counts` (the flow and its arithmetic), `template` (PRISMA2020
package CSV), `diagram` (SVG/PNG layout).
"""

from __future__ import annotations

import json

from review.errors import ReviewError
from review.prisma.counts import PrismaCounts, check_counts, checked_counts, prisma_counts
from review.prisma.diagram import LANGUAGES, diagram_layout, render_png, render_svg
from review.prisma.template import prisma_csv

FORMATS = ("json", "csv", "svg", "png")

__all__ = ["FORMATS", "LANGUAGES", "PrismaCounts", "check_counts", "checked_counts", "prisma_counts", "render_prisma"]


def render_prisma(
    counts: PrismaCounts, fmt: str, language: str = "en", problems: list[str] | None = None
) -> str | bytes:
    """The counts as JSON, CSV, SVG or PNG; a flow with problems is drawn as a marked draft."""
    if fmt == "json":
        data = counts.to_dict()
        return json.dumps({**data, "problems": problems} if problems else data, ensure_ascii=False, indent=2)
    if fmt == "csv":
        return prisma_csv(counts)
    if fmt in ("svg", "png"):
        layout = diagram_layout(counts.to_dict(), language, draft=bool(problems))
        return render_svg(layout) if fmt == "svg" else render_png(layout)
    raise ReviewError(f"unknown format '{fmt}' (use one of: {', '.join(FORMATS)})")
