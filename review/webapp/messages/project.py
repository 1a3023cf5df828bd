"""Messages of the Project page."""

MESSAGES: dict[str, dict[str, str]] = {
    "project.title": {"en": "Project", "da": "Projekt"},
    "project.none": {
        "en": "No project at `{folder}`: open an existing project folder or create a new one.",
        "da": "Intet projekt i `{folder}`: åbn en eksisterende projektmappe, eller opret en ny.",
    },
    "project.folder_caption": {"en": "Folder: `{folder}`", "da": "Mappe: `{folder}`"},
    "project.open_tab": {"en": "Open a project", "da": "Åbn et projekt"},
    "project.create_tab": {"en": "Create a project", "da": "Opret et projekt"},
    "project.folder": {"en": "Project folder", "da": "Projektmappe"},
    "project.open": {"en": "Open", "da": "Åbn"},
    "project.new_folder": {"en": "New project folder", "da": "Ny projektmappe"},
    "project.protocol": {"en": "Protocol", "da": "Protokol"},
    "project.upload": {"en": "…or upload your own protocol (YAML)", "da": "…eller upload din egen protokol (YAML)"},
    "project.create": {"en": "Create", "da": "Opret"},
    "project.created": {
        "en": "Created the project in {folder} and opened it.",
        "da": "Projektet er oprettet i {folder} og åbnet.",
    },
    "project.no_folder": {"en": "give the project's folder", "da": "angiv projektets mappe"},
    "project.relative": {
        "en": "{folder} is a relative folder: give the whole path (starting with / or ~), since the server's own "
        "working folder is not yours",
        "da": "{folder} er en relativ mappe: angiv hele stien (med / eller ~ forrest), for serverens arbejdsmappe er "
        "ikke din",
    },
    "project.not_utf8": {"en": "the protocol file is not UTF-8 text", "da": "protokolfilen er ikke UTF-8-tekst"},
    "project.placeholder": {
        "en": "The protocol still holds the template's placeholders ({fields}): replace them with the review's own "
        "question and criteria before screening, since the ranking starts from them.",
        "da": "Protokollen indeholder stadig skabelonens pladsholdere ({fields}): erstat dem med reviewets eget "
        "spørgsmål og kriterier før screeningen, for rangeringen starter fra dem.",
    },
    "project.edit_protocol": {"en": "Edit the protocol", "da": "Redigér protokollen"},
    "project.question": {"en": "Question.", "da": "Spørgsmål."},
    "project.stage_ta": {"en": "Title/abstract", "da": "Titel/abstract"},
    "project.stage_ft": {"en": "Full text", "da": "Fuldtekst"},
    "project.col_stage": {"en": "Stage", "da": "Fase"},
    "project.col_reviewers": {"en": "Reviewers per record", "da": "Bedømmere pr. post"},
    "project.col_blind": {"en": "Blind", "da": "Blind"},
    "project.col_reason_required": {"en": "Reason required", "da": "Grund påkrævet"},
    "project.col_reasons": {"en": "Exclusion reasons", "da": "Eksklusionsgrunde"},
    "project.codebook": {"en": "Codebook: {names}", "da": "Kodebog: {names}"},
    "project.records": {"en": "Records", "da": "Poster"},
    "project.records_imported": {"en": "Records imported", "da": "Poster importeret"},
    "project.duplicates_removed": {"en": "Duplicates removed", "da": "Dubletter fjernet"},
    "project.records_unique": {"en": "Unique records", "da": "Unikke poster"},
    "project.uncertain_duplicate_pairs": {"en": "Uncertain duplicate pairs", "da": "Usikre dubletpar"},
    "project.col_source": {"en": "Source", "da": "Kilde"},
    "project.col_records": {"en": "Records", "da": "Poster"},
    "project.progress": {"en": "Screening progress", "da": "Screeningens fremdrift"},
    "project.col_decided": {"en": "Decided", "da": "Besluttet"},
    "project.col_included": {"en": "Included", "da": "Inkluderet"},
    "project.col_excluded": {"en": "Excluded", "da": "Ekskluderet"},
    "project.col_maybe": {"en": "Maybe", "da": "Måske"},
    "project.col_conflicts": {"en": "Conflicts", "da": "Konflikter"},
    "project.col_waiting": {"en": "Waiting for a 2nd reviewer", "da": "Venter på 2. bedømmer"},
    "project.col_remaining": {"en": "Remaining", "da": "Tilbage"},
    "project.col_reviewer": {"en": "Reviewer", "da": "Bedømmer"},
    "project.who": {
        "en": "**Who screened what** (records each reviewer has a current decision on)",
        "da": "**Hvem har screenet hvad** (poster, hver bedømmer har en gældende beslutning om)",
    },
    "project.nobody": {"en": "Nobody has screened yet.", "da": "Ingen har screenet endnu."},
    "project.another": {"en": "Open or create another project", "da": "Åbn eller opret et andet projekt"},
}
