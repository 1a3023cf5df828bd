"""How the pages show records, times and numbers in tables: readable, never a raw column name or 'None'."""

from __future__ import annotations

from datetime import datetime


def short(text: str | None, limit: int = 80) -> str:
    """A one-line text cut at `limit` characters (empty for a missing one)."""
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def when(stamp: str | None) -> str:
    """An ISO timestamp as 'YYYY-MM-DD HH:MM' in the server's local time (empty for none)."""
    if not stamp:
        return ""
    try:
        moment = datetime.fromisoformat(stamp)
    except ValueError:
        return stamp
    return (moment.astimezone() if moment.tzinfo else moment).strftime("%Y-%m-%d %H:%M")


def number(value: float | int | None) -> str:
    """120 rather than 120.00; 2.5 stays 2.5 (empty for none)."""
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


MARKDOWN_SPECIALS = "\\`*_{}[]<>()#+-.!|~$"


def plain(text: str | None) -> str:
    """Text shown through Markdown exactly as written: imported titles with <i> or *stars* stay text."""
    return "".join("\\" + char if char in MARKDOWN_SPECIALS else char for char in text or "")
