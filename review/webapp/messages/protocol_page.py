"""Messages of the Protocol page."""

MESSAGES: dict[str, dict[str, str]] = {
    "protocol.title": {"en": "Protocol", "da": "Protokol"},
    "protocol.stage_ta": {"en": "Title/abstract", "da": "Titel/abstract"},
    "protocol.stage_ft": {"en": "Full text", "da": "Fuldtekst"},
    "protocol.question": {"en": "Review question", "da": "Reviewspørgsmål"},
    "protocol.reviewers": {"en": "Reviewers per record", "da": "Bedømmere pr. post"},
    "protocol.blind": {
        "en": "Blind: reviewers see only their own labels until reconciled",
        "da": "Blind: bedømmere ser kun deres egne beslutninger, indtil de er afstemt",
    },
    "protocol.include": {"en": "Inclusion criteria (one a line)", "da": "Inklusionskriterier (ét pr. linje)"},
    "protocol.exclude": {"en": "Exclusion criteria (one a line)", "da": "Eksklusionskriterier (ét pr. linje)"},
    "protocol.reasons": {
        "en": "Exclusion reasons, one `key: label` a line (labels in {language})",
        "da": "Eksklusionsgrunde, én `nøgle: tekst` pr. linje (tekster på {language})",
    },
    "protocol.reasons_help": {
        "en": "The key is stored with each decision; a reason decisions already use cannot be removed.",
        "da": "Nøglen gemmes med hver beslutning; en grund, som beslutninger bruger, kan ikke fjernes.",
    },
    "protocol.hl_include": {
        "en": "Highlighted include terms (one a line)",
        "da": "Fremhævede inklusionsord (ét pr. linje)",
    },
    "protocol.hl_exclude": {
        "en": "Highlighted exclude terms (one a line)",
        "da": "Fremhævede eksklusionsord (ét pr. linje)",
    },
    "protocol.need_name": {
        "en": "Enter your name in the sidebar: every change is logged with who made it.",
        "da": "Skriv dit navn i sidepanelet: hver ændring logges med, hvem der lavede den.",
    },
    "protocol.save": {"en": "Save the protocol", "da": "Gem protokollen"},
    "protocol.saved": {"en": "Protocol saved; changed: {fields}.", "da": "Protokollen er gemt; ændret: {fields}."},
    "protocol.placeholder": {
        "en": "The protocol still holds the template's placeholders ({fields}): write the review's own question "
        "and criteria, since ranking starts from them.",
        "da": "Protokollen indeholder stadig skabelonens pladsholdere ({fields}): skriv reviewets eget spørgsmål "
        "og kriterier, for rangeringen starter fra dem.",
    },
    "protocol.lead_only": {"en": "Only a lead can change the protocol.", "da": "Kun en leder kan ændre protokollen."},
    "protocol.history": {"en": "Changes", "da": "Ændringer"},
    "protocol.no_changes": {
        "en": "The protocol has not been changed since the project was created.",
        "da": "Protokollen er ikke ændret, siden projektet blev oprettet.",
    },
    "protocol.col_when": {"en": "When", "da": "Hvornår"},
    "protocol.col_who": {"en": "Who", "da": "Hvem"},
    "protocol.col_fields": {"en": "Fields changed", "da": "Ændrede felter"},
}
