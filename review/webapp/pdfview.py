"""A full text's PDF drawn inside the page, readable in any browser.

Browsers show a PDF through a plugin that a sandboxed frame may not load
(Chromium draws a broken-page icon there), so the file is rendered by
Streamlit's PDF component instead (PDF.js, shipped with the `streamlit-pdf`
package, so nothing is fetched from outside), with a download beside it for
the browser's own viewer.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from review.webapp.i18n import t


def show_fulltext_file(path: Path, key: str, height: int = 640) -> None:
    """Draw a PDF (or a .txt file as text) with a download of the file itself."""
    data = path.read_bytes()
    if path.suffix.lower() == ".pdf":
        st.pdf(data, height=height, key=f"{key}_pdf")
        mime = "application/pdf"
    else:
        with st.container(height=height):
            st.text(data.decode("utf-8", errors="replace"))
        mime = "text/plain"
    st.download_button(t("pdf.download"), data, file_name=path.name, mime=mime, key=f"{key}_download")
