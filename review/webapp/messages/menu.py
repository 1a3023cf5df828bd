"""The menu's page titles (one per entry of `review.webapp.state.PAGES`)."""

MESSAGES: dict[str, dict[str, str]] = {
    "menu.project": {"en": "Project", "da": "Projekt"},
    "menu.protocol_page": {"en": "Protocol", "da": "Protokol"},
    "menu.import_page": {"en": "Import", "da": "Import"},
    "menu.records": {"en": "Records", "da": "Poster"},
    "menu.screening": {"en": "Screening", "da": "Screening"},
    "menu.fulltexts": {"en": "Full texts", "da": "Fuldtekster"},
    "menu.conflicts": {"en": "Conflicts", "da": "Konflikter"},
    "menu.coding": {"en": "Coding", "da": "Kodning"},
    "menu.prisma": {"en": "PRISMA", "da": "PRISMA"},
    "menu.insights": {"en": "Insights", "da": "Indsigt"},
    "menu.export": {"en": "Export", "da": "Eksport"},
    "menu.team": {"en": "Team", "da": "Team"},
}
