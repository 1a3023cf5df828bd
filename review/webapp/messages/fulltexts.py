"""Messages of the Full texts page."""

MESSAGES: dict[str, dict[str, str]] = {
    "fulltexts.title": {"en": "Full texts", "da": "Fuldtekster"},
    "fulltexts.files": {"en": "Full-text files (PDF or .txt)", "da": "Fuldtekstfiler (PDF eller .txt)"},
    "fulltexts.matching": {
        "en": "Each file is matched to a record by the DOI in its name (10.1000_xyz.pdf), the record id "
        "(123.pdf, record-123.pdf), the source id or the title, as the command line's attach does.",
        "da": "Hver fil knyttes til en post via DOI i filnavnet (10.1000_xyz.pdf), post-id (123.pdf, "
        "record-123.pdf), kilde-id eller titel, som kommandolinjens attach gør.",
    },
    "fulltexts.attach": {"en": "Attach", "da": "Vedhæft"},
    "fulltexts.no_files": {"en": "Choose at least one file.", "da": "Vælg mindst én fil."},
    "fulltexts.attached": {"en": "{file}: attached to record {record}.", "da": "{file}: vedhæftet post {record}."},
    "fulltexts.unmatched": {
        "en": "{file}: matches no record (name it by DOI, record id or title).",
        "da": "{file}: passer ikke til nogen post (navngiv den efter DOI, post-id eller titel).",
    },
    "fulltexts.skipped": {"en": "{file}: skipped ({why}).", "da": "{file}: sprunget over ({why})."},
    "fulltexts.unreadable": {
        "en": "{file} (record {record}) {problem}: it counts as retrieved only once a person has confirmed it.",
        "da": "{file} (post {record}) kan ikke læses ({problem}): den tæller først som fremskaffet, når en person "
        "har bekræftet den.",
    },
    "fulltexts.no_candidates": {
        "en": "No record has been included at title/abstract yet, so no full text is sought.",
        "da": "Ingen post er inkluderet på titel/abstract endnu, så der søges ingen fuldtekster.",
    },
    "fulltexts.summary": {
        "en": "{sought} reports sought · {missing} without a file or mark · {not_retrieved} not retrieved",
        "da": "{sought} rapporter søgt · {missing} uden fil eller markering · {not_retrieved} ikke fremskaffet",
    },
    "fulltexts.col_record": {"en": "Record", "da": "Post"},
    "fulltexts.col_title": {"en": "Title", "da": "Titel"},
    "fulltexts.col_year": {"en": "Year", "da": "År"},
    "fulltexts.col_fulltext": {"en": "Full text", "da": "Fuldtekst"},
    "fulltexts.col_reason": {"en": "Why", "da": "Hvorfor"},
    "fulltexts.col_decision": {"en": "Full-text decision", "da": "Beslutning på fuldtekst"},
    "fulltexts.col_study": {"en": "Study", "da": "Studie"},
    "fulltexts.col_reports": {"en": "Reports (record ids)", "da": "Rapporter (post-id)"},
    "fulltexts.retrieved": {"en": "file attached", "da": "fil vedhæftet"},
    "fulltexts.not_retrieved": {"en": "not retrieved", "da": "ikke fremskaffet"},
    "fulltexts.unreadable_status": {"en": "file unreadable", "da": "fil kan ikke læses"},
    "fulltexts.missing": {"en": "missing", "da": "mangler"},
    "fulltexts.label_include": {"en": "include", "da": "inkludér"},
    "fulltexts.label_exclude": {"en": "exclude", "da": "ekskludér"},
    "fulltexts.label_maybe": {"en": "maybe", "da": "måske"},
    "fulltexts.one_report": {"en": "One report", "da": "Én rapport"},
    "fulltexts.report": {"en": "Report", "da": "Rapport"},
    "fulltexts.no_file": {
        "en": "No full-text file is attached to this report.",
        "da": "Der er ingen fuldtekstfil vedhæftet denne rapport.",
    },
    "fulltexts.flagged": {
        "en": "{problem}: open it, and if it is the report, count it as retrieved.",
        "da": "{problem}: åbn filen, og hvis det er rapporten, så tæl den som fremskaffet.",
    },
    "fulltexts.confirm": {
        "en": "It is the report: count it as retrieved",
        "da": "Det er rapporten: tæl den som fremskaffet",
    },
    "fulltexts.confirmed": {
        "en": "Record {record}: the file counts as retrieved.",
        "da": "Post {record}: filen tæller som fremskaffet.",
    },
    "fulltexts.mark_heading": {"en": "Not retrieved", "da": "Ikke fremskaffet"},
    "fulltexts.why": {"en": "Why not", "da": "Hvorfor ikke"},
    "fulltexts.why_placeholder": {"en": "e.g. Not available from the library", "da": "fx Ikke tilgængelig"},
    "fulltexts.mark": {"en": "Mark not retrieved", "da": "Markér som ikke fremskaffet"},
    "fulltexts.marked": {
        "en": "Record {record} is marked not retrieved.",
        "da": "Post {record} er markeret som ikke fremskaffet.",
    },
    "fulltexts.link_heading": {"en": "Study", "da": "Studie"},
    "fulltexts.study": {"en": "Study name", "da": "Studiets navn"},
    "fulltexts.study_placeholder": {"en": "e.g. Hansen 2019", "da": "fx Hansen 2019"},
    "fulltexts.others": {"en": "Other reports of the same study", "da": "Andre rapporter fra samme studie"},
    "fulltexts.link": {"en": "Link to the study", "da": "Knyt til studiet"},
    "fulltexts.linked": {"en": "{n} report(s) linked to {study}.", "da": "{n} rapport(er) knyttet til {study}."},
    "fulltexts.studies": {"en": "Studies", "da": "Studier"},
    "fulltexts.no_studies": {
        "en": "No report is linked to a named study yet: each report counts as a study of its own.",
        "da": "Ingen rapport er knyttet til et navngivet studie endnu: hver rapport tæller som sit eget studie.",
    },
    "fulltexts.rename_which": {"en": "Study", "da": "Studie"},
    "fulltexts.rename_to": {"en": "New name", "da": "Nyt navn"},
    "fulltexts.rename": {"en": "Rename", "da": "Omdøb"},
    "fulltexts.renamed": {"en": "{old} is now called {new}.", "da": "{old} hedder nu {new}."},
}
