"""Messages of the full-text file viewer."""

MESSAGES: dict[str, dict[str, str]] = {
    "pdf.download": {"en": "Download the file", "da": "Hent filen"},
}
