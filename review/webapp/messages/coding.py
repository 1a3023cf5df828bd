"""Messages of the Coding page."""

MESSAGES: dict[str, dict[str, str]] = {
    "coding.title": {"en": "Coding", "da": "Kodning"},
    "coding.no_codebook": {"en": "The protocol has no codebook dimensions.", "da": "Protokollen har ingen kodebog."},
    "coding.no_studies": {
        "en": "No study is included yet: studies appear here once their reports are included at full text.",
        "da": "Ingen studier er inkluderet endnu: de vises her, når deres rapporter er inkluderet på fuldtekst.",
    },
    "coding.study": {"en": "Study", "da": "Studie"},
    "coding.study_help": {
        "en": "✓ coded by you · ✎ changes not saved yet",
        "da": "✓ kodet af dig · ✎ ændringer, der ikke er gemt endnu",
    },
    "coding.progress": {
        "en": "{coded} of {total} studies coded by {coder}.",
        "da": "{coded} af {total} studier kodet af {coder}.",
    },
    "coding.report": {"en": "Report", "da": "Rapport"},
    "coding.no_title": {"en": "(no title)", "da": "(ingen titel)"},
    "coding.no_year": {"en": "n.d.", "da": "u.å."},
    "coding.tab_abstract": {"en": "Abstract", "da": "Abstract"},
    "coding.tab_text": {"en": "Extracted text", "da": "Udtrukket tekst"},
    "coding.tab_file": {"en": "Full-text file", "da": "Fuldtekstfil"},
    "coding.no_abstract": {"en": "(no abstract)", "da": "(intet abstract)"},
    "coding.no_text": {
        "en": "No text was extracted for this report.",
        "da": "Der er ikke udtrukket tekst fra denne rapport.",
    },
    "coding.no_file": {
        "en": "No full-text file is attached to this report.",
        "da": "Der er ingen fuldtekstfil til denne rapport.",
    },
    "coding.note": {"en": "Note", "da": "Note"},
    "coding.save": {"en": "Save codes", "da": "Gem koder"},
    "coding.discard": {"en": "Discard changes", "da": "Kassér ændringer"},
    "coding.saved": {
        "en": "Saved {count} codes for {study} as {coder}.",
        "da": "Gemte {count} koder for {study} som {coder}.",
    },
    "coding.nothing_changed": {
        "en": "Nothing changed: no code was written.",
        "da": "Intet er ændret: ingen kode blev skrevet.",
    },
    "coding.unsaved": {
        "en": "Not saved yet: {studies}. Your entries are kept while you switch studies; save or discard them.",
        "da": "Ikke gemt endnu: {studies}. Dine indtastninger bevares, når du skifter studie; gem eller kassér dem.",
    },
    "coding.table": {
        "en": "All included studies, coded (agreed values; unreconciled ones are marked)",
        "da": "Alle inkluderede studier, kodet (enige værdier; uafklarede er markeret)",
    },
    "coding.conflicts_link": {
        "en": "{count} coded values differ between coders: reconcile them on the Conflicts page (Coding).",
        "da": "{count} kodede værdier er forskellige mellem kodere: afklar dem på siden Konflikter (Kodning).",
    },
}
