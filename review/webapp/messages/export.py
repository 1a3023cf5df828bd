"""Messages of the Export page."""

MESSAGES: dict[str, dict[str, str]] = {
    "export.title": {"en": "Export", "da": "Eksport"},
    "export.intro": {
        "en": "The same tables as the command line's export; each file is built when you click.",
        "da": "De samme tabeller som kommandolinjens eksport; hver fil dannes, når du klikker.",
    },
    "export.stage_ta": {"en": "Title/abstract", "da": "Titel/abstract"},
    "export.stage_ft": {"en": "Full text", "da": "Fuldtekst"},
    "export.and": {"en": "and", "da": "og"},
    "export.unblind": {
        "en": "Every reviewer's labels (lead; recorded in the audit log)",
        "da": "Alle bedømmeres beslutninger (leder; registreres i revisionsloggen)",
    },
    "export.unblind_help": {
        "en": "For the coordinator mid-review: the decision log and all tables with every label, even while a "
        "blind stage is open. Each file built this way is written to the audit log.",
        "da": "Til koordinatoren undervejs: beslutningsloggen og alle tabeller med alle beslutninger, også mens en "
        "blind fase er åben. Hver fil, der dannes sådan, skrives i revisionsloggen.",
    },
    "export.unblinded": {
        "en": "The decision log and all tables hold every reviewer's labels at the blind {stages} stage.",
        "da": "Beslutningsloggen og alle tabeller rummer alle bedømmeres beslutninger i den blinde {stages}-fase.",
    },
    "export.need_name": {
        "en": "Screening at the blind {stages} stage is not reconciled yet: enter your name in the sidebar to "
        "download the decision log with your own labels.",
        "da": "Screeningen i den blinde {stages}-fase er ikke afstemt endnu: skriv dit navn i sidepanelet for at "
        "hente beslutningsloggen med dine egne beslutninger.",
    },
    "export.own_labels": {
        "en": "While the blind {stages} stage is being screened, the decision log holds only your own labels there.",
        "da": "Mens den blinde {stages}-fase screenes, rummer beslutningsloggen kun dine egne beslutninger dér.",
    },
    "export.map_rows": {"en": "Evidence map rows", "da": "Evidenskortets rækker"},
    "export.map_cols": {"en": "Evidence map columns", "da": "Evidenskortets kolonner"},
    "export.map_same": {
        "en": "Choose two different dimensions for the evidence map.",
        "da": "Vælg to forskellige dimensioner til evidenskortet.",
    },
    "export.about_included": {
        "en": "Included studies with their coded values (wide).",
        "da": "Inkluderede studier med deres kodede værdier (bred).",
    },
    "export.about_codes": {
        "en": "Every code per study, dimension and coder (long).",
        "da": "Hver kode pr. studie, dimension og koder (lang).",
    },
    "export.about_evidence-map": {
        "en": "Studies counted by two codebook dimensions.",
        "da": "Studier optalt efter to dimensioner i kodebogen.",
    },
    "export.about_decisions": {
        "en": "The full decision log, with reason labels.",
        "da": "Hele beslutningsloggen med begrundelser.",
    },
    "export.about_records": {
        "en": "Every imported record, with what it was merged into.",
        "da": "Alle importerede poster, med hvad de er flettet ind i.",
    },
    "export.about_all": {
        "en": "All tables in one file (an Excel sheet or a JSON key each).",
        "da": "Alle tabeller i én fil (et Excel-ark eller en JSON-nøgle hver).",
    },
}
