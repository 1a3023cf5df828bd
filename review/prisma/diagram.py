"""The PRISMA 2020 flow diagram (template for new reviews, databases and registers) as SVG and PNG.

`diagram_layout` turns the counts into one description of boxes, phase bars
and arrows; `render_svg` writes that description as SVG and `render_png`
draws the same description with matplotlib, so both files show the same diagram.
"""

from __future__ import annotations

import io
import textwrap
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

LABELS = {
    "en": {
        "title": "Identification of new studies via databases and registers",
        "identification": "Identification",
        "screening": "Screening",
        "included": "Included",
        "identified": "Records identified from:",
        "databases": "Databases",
        "registers": "Registers",
        "removed": "Records removed before screening:",
        "duplicates": "Duplicate records",
        "automatic": "Records marked as ineligible by automation tools",
        "other": "Records removed for other reasons",
        "screened": "Records screened",
        "records_excluded": "Records excluded",
        "sought": "Reports sought for retrieval",
        "not_retrieved": "Reports not retrieved",
        "assessed": "Reports assessed for eligibility",
        "reports_excluded": "Reports excluded",
        "studies": "Studies included in review",
        "reports": "Reports of included studies",
        "undecided": "Still undecided",
        "draft": "DRAFT: the flow is incomplete",
    },
    "da": {
        "title": "Identifikation af nye studier via databaser og registre",
        "identification": "Identifikation",
        "screening": "Screening",
        "included": "Inkluderet",
        "identified": "Referencer identificeret fra:",
        "databases": "Databaser",
        "registers": "Registre",
        "removed": "Referencer fjernet før screening:",
        "duplicates": "Dubletter",
        "automatic": "Referencer markeret som uegnede af automatiske værktøjer",
        "other": "Referencer fjernet af andre årsager",
        "screened": "Screenede referencer",
        "records_excluded": "Ekskluderede referencer",
        "sought": "Rapporter søgt fremskaffet",
        "not_retrieved": "Rapporter ikke fremskaffet",
        "assessed": "Rapporter vurderet for egnethed",
        "reports_excluded": "Ekskluderede rapporter",
        "studies": "Studier inkluderet i reviewet",
        "reports": "Rapporter af inkluderede studier",
        "undecided": "Endnu ikke afgjort",
        "draft": "UDKAST: flowet er ufuldstændigt",
    },
}
LANGUAGES = tuple(LABELS)

FONT = "DejaVu Sans, Arial, Helvetica, sans-serif"
FONT_SIZE = 12.0
LINE = FONT_SIZE * 1.35
CHAR_WIDTH = FONT_SIZE * 0.6  # generous average glyph width, so wrapped lines fit in either renderer
PAD = 10.0
MARGIN = 16.0
PHASE_W = 34.0
GAP_X, GAP_Y = 50.0, 34.0
MAIN_W, SIDE_W = 330.0, 330.0
COLORS = {"box": "#ffffff", "title": "#ffc000", "phase": "#9dc3e6", "edge": "#222222", "draft": "#c00000"}


@dataclass
class Box:
    x: float
    y: float
    w: float
    h: float
    lines: list[tuple[str, bool]]  # (text, bold)
    kind: str = "box"  # box, title or phase (phase text runs vertically)


@dataclass
class Layout:
    width: float
    height: float
    boxes: list[Box] = field(default_factory=list)
    arrows: list[tuple[float, float, float, float]] = field(default_factory=list)
    banner: str | None = None


def _n(value: int, language: str) -> str:
    text = f"{value:,}"
    return text.replace(",", ".") if language == "da" else text


def _wrap(lines: list[tuple[str, bool]], width: float) -> list[tuple[str, bool]]:
    chars = max(10, int((width - 2 * PAD) / CHAR_WIDTH))
    wrapped = []
    for text, bold in lines:
        indent = len(text) - len(text.lstrip())
        for part in textwrap.wrap(text.strip(), chars - indent, subsequent_indent="  ") or [""]:
            wrapped.append((" " * indent + part, bold))
    return wrapped


def _height(lines: list[tuple[str, bool]]) -> float:
    return len(lines) * LINE + 2 * PAD


def _identification_lines(counts: dict, t: dict, language: str) -> list[tuple[str, bool]]:
    lines = [(t["identified"], True), (f"{t['databases']} (n = {_n(counts['database_results'], language)})", False)]
    for source, n in counts.get("database_specific_results", {}).items():
        lines.append((f"    {source} (n = {_n(n, language)})", False))
    lines.append((f"{t['registers']} (n = {_n(counts['register_results'], language)})", False))
    return lines


def _rows(counts: dict, t: dict, language: str, draft: bool) -> list[tuple[str, list, list | None]]:
    """(phase, main box lines, side box lines) from top to bottom."""
    n = lambda key: _n(counts[key], language)  # noqa: E731
    removed = [
        (t["removed"], True),
        (f"{t['duplicates']} (n = {n('duplicates')})", False),
        (f"{t['automatic']} (n = {n('excluded_automatic')})", False),
        (f"{t['other']} (n = {n('excluded_other')})", False),
    ]
    excluded = [(f"{t['records_excluded']} (n = {n('records_excluded')})", False)]
    if draft or counts.get("records_undecided"):
        excluded.append((f"{t['undecided']} (n = {_n(counts.get('records_undecided', 0), language)})", True))
    reasons = [(f"{t['reports_excluded']} (n = {n('dbr_excluded')}):", False)]
    reasons += [
        (f"    {reason} (n = {_n(k, language)})", False) for reason, k in counts.get("dbr_excluded_reasons", {}).items()
    ]
    if draft or counts.get("reports_undecided"):
        reasons.append((f"{t['undecided']} (n = {_n(counts.get('reports_undecided', 0), language)})", True))
    return [
        ("identification", _identification_lines(counts, t, language), removed),
        ("screening", [(f"{t['screened']} (n = {n('records_screened')})", False)], excluded),
        (
            "screening",
            [(f"{t['sought']} (n = {n('dbr_sought_reports')})", False)],
            [(f"{t['not_retrieved']} (n = {n('dbr_notretrieved_reports')})", False)],
        ),
        ("screening", [(f"{t['assessed']} (n = {n('dbr_assessed')})", False)], reasons),
        (
            "included",
            [(f"{t['studies']} (n = {n('new_studies')})", False), (f"{t['reports']} (n = {n('new_reports')})", False)],
            None,
        ),
    ]


def diagram_layout(counts: dict, language: str = "en", draft: bool = False) -> Layout:
    """Place every box, phase bar and arrow of the diagram for the given counts."""
    t = LABELS.get(language, LABELS["en"])
    main_x = MARGIN + PHASE_W + GAP_X / 2
    side_x = main_x + MAIN_W + GAP_X
    width = side_x + SIDE_W + MARGIN
    layout = Layout(width=width, height=0, banner=t["draft"] if draft else None)
    y = MARGIN + (LINE + PAD if draft else 0)
    title = _wrap([(t["title"], True)], width - main_x - MARGIN)
    layout.boxes.append(Box(main_x, y, width - main_x - MARGIN, _height(title), title, "title"))
    y += _height(title) + GAP_Y / 2
    phases: dict[str, list[float]] = {}
    previous_bottom = None
    rows = _rows(counts, t, language, draft)
    for phase, main_lines, side_lines in rows:
        main = _wrap(main_lines, MAIN_W)
        side = _wrap(side_lines, SIDE_W) if side_lines else None
        row_h = max(_height(main), _height(side) if side else 0)
        if sum(row[0] == phase for row in rows) == 1:  # a one-row phase bar must still fit its label
            row_h = max(row_h, len(t[phase]) * CHAR_WIDTH + 2 * PAD)
        main_box = Box(main_x, y, MAIN_W, row_h, main)
        layout.boxes.append(main_box)
        if side:
            layout.boxes.append(Box(side_x, y, SIDE_W, row_h, side))
            layout.arrows.append((main_x + MAIN_W, y + row_h / 2, side_x, y + row_h / 2))
        if previous_bottom is not None:
            layout.arrows.append((main_x + MAIN_W / 2, previous_bottom, main_x + MAIN_W / 2, y))
        span = phases.setdefault(phase, [y, y + row_h])
        span[1] = y + row_h
        previous_bottom = y + row_h
        y += row_h + GAP_Y
    for phase, (top, bottom) in phases.items():
        layout.boxes.append(Box(MARGIN, top, PHASE_W, bottom - top, [(t[phase], True)], "phase"))
    layout.height = y - GAP_Y + MARGIN
    return layout


def line_baselines(box: Box) -> list[float]:
    """The baseline of each text line of a box, the block centred vertically."""
    top = box.y + (box.h - len(box.lines) * LINE) / 2
    return [top + (i + 0.78) * LINE for i in range(len(box.lines))]


def _svg_text(x: float, y: float, text: str, bold: bool, extra: str = "") -> str:
    weight = ' font-weight="bold"' if bold else ""
    return f'<text x="{x:.1f}" y="{y:.1f}"{weight}{extra} xml:space="preserve">{escape(text)}</text>'


def render_svg(layout: Layout) -> str:
    """The diagram as a standalone SVG document."""
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{layout.width:.0f}" height="{layout.height:.0f}" '
        f'viewBox="0 0 {layout.width:.0f} {layout.height:.0f}" font-family="{FONT}" font-size="{FONT_SIZE:g}">',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" '
        f'orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="{COLORS["edge"]}"/></marker></defs>',
        '<rect width="100%" height="100%" fill="#ffffff"/>',
    ]
    if layout.banner:
        out.append(_svg_text(MARGIN, MARGIN + FONT_SIZE, layout.banner, True, f' fill="{COLORS["draft"]}"'))
    for box in layout.boxes:
        radius = 8 if box.kind != "box" else 0
        out.append(
            f'<rect x="{box.x:.1f}" y="{box.y:.1f}" width="{box.w:.1f}" height="{box.h:.1f}" rx="{radius}" '
            f'fill="{COLORS[box.kind]}" stroke="{COLORS["edge"]}" stroke-width="1.2"/>'
        )
        if box.kind == "phase":
            cx, cy = box.x + box.w / 2, box.y + box.h / 2
            out.append(
                _svg_text(
                    cx,
                    cy,
                    box.lines[0][0],
                    True,
                    f' text-anchor="middle" dominant-baseline="central" transform="rotate(-90 {cx:.1f} {cy:.1f})"',
                )
            )
            continue
        anchor = ' text-anchor="middle"' if box.kind == "title" else ""
        x = box.x + box.w / 2 if box.kind == "title" else box.x + PAD
        for (text, bold), baseline in zip(box.lines, line_baselines(box)):
            out.append(_svg_text(x, baseline, text, bold, anchor))
    for x1, y1, x2, y2 in layout.arrows:
        out.append(
            f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{COLORS["edge"]}" '
            f'stroke-width="1.2" marker-end="url(#arrow)"/>'
        )
    out.append("</svg>")
    return "\n".join(out) + "\n"


def render_png(layout: Layout, dpi: int = 200) -> bytes:
    """The same layout drawn with matplotlib (1 layout unit = 1 point) as PNG bytes."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Rectangle

    figure = Figure(figsize=(layout.width / 72, layout.height / 72))
    ax = figure.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, layout.width)
    ax.set_ylim(layout.height, 0)
    ax.axis("off")
    text_style = {"fontsize": FONT_SIZE, "family": "DejaVu Sans", "color": "black"}
    if layout.banner:
        ax.text(
            MARGIN,
            MARGIN + FONT_SIZE,
            layout.banner,
            fontweight="bold",
            va="baseline",
            **{**text_style, "color": COLORS["draft"]},
        )
    for box in layout.boxes:
        style = {"facecolor": COLORS[box.kind], "edgecolor": COLORS["edge"], "linewidth": 1.2}
        if box.kind == "box":
            ax.add_patch(Rectangle((box.x, box.y), box.w, box.h, **style))
        else:
            ax.add_patch(FancyBboxPatch((box.x, box.y), box.w, box.h, boxstyle="round,pad=0,rounding_size=8", **style))
        if box.kind == "phase":
            ax.text(
                box.x + box.w / 2,
                box.y + box.h / 2,
                box.lines[0][0],
                rotation=90,
                ha="center",
                va="center",
                fontweight="bold",
                **text_style,
            )
            continue
        x = box.x + box.w / 2 if box.kind == "title" else box.x + PAD
        for (text, bold), baseline in zip(box.lines, line_baselines(box)):
            ax.text(
                x,
                baseline,
                text,
                ha="center" if box.kind == "title" else "left",
                va="baseline",
                fontweight="bold" if bold else "normal",
                **text_style,
            )
    for x1, y1, x2, y2 in layout.arrows:
        ax.add_patch(
            FancyArrowPatch(
                (x1, y1),
                (x2, y2),
                arrowstyle="-|>",
                mutation_scale=12,
                color=COLORS["edge"],
                linewidth=1.2,
                shrinkA=0,
                shrinkB=0,
            )
        )
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi, facecolor="white")
    return buffer.getvalue()
