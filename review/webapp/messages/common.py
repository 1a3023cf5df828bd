"""Messages shared by the sidebar and several pages."""

MESSAGES: dict[str, dict[str, str]] = {
    "sidebar.interface_language": {"en": "Interface language", "da": "Sprog i brugerfladen"},
}
