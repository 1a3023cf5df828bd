"""Messages of the Screening page."""

MESSAGES: dict[str, dict[str, str]] = {
    "screening.title": {"en": "Screening", "da": "Screening"},
    "screening.stage_ta": {"en": "title/abstract", "da": "titel/abstract"},
    "screening.stage_ft": {"en": "full text", "da": "fuldtekst"},
    "screening.include": {"en": ":green[**Include**] (I)", "da": ":green[**Inkludér**] (I)"},
    "screening.exclude": {"en": ":red[**Exclude**] (E)", "da": ":red[**Ekskludér**] (E)"},
    "screening.maybe": {"en": ":orange[**Maybe**] (M)", "da": ":orange[**Måske**] (M)"},
    "screening.undo": {"en": "Undo last (U)", "da": "Fortryd seneste (U)"},
    "screening.keys": {
        "en": "Keys: **I** include · **E** exclude · **M** maybe · **U** undo · **1-9** exclusion reason. "
        "Enter or Escape in the note returns the keys to the page.",
        "da": "Taster: **I** inkludér · **E** ekskludér · **M** måske · **U** fortryd · **1-9** eksklusionsgrund. "
        "Enter eller Escape i noten giver tasterne tilbage til siden.",
    },
    "screening.reason": {"en": "Exclusion reason", "da": "Eksklusionsgrund"},
    "screening.reason_required": {"en": "Exclusion reason (required)", "da": "Eksklusionsgrund (påkrævet)"},
    "screening.note": {"en": "Note", "da": "Note"},
    "screening.note_placeholder": {"en": "Optional, saved with the decision", "da": "Valgfri, gemmes med beslutningen"},
    "screening.decided": {"en": "Record {record_id}: {label}", "da": "Post {record_id}: {label}"},
    "screening.label_include": {"en": "include", "da": "inkludér"},
    "screening.label_exclude": {"en": "exclude", "da": "ekskludér"},
    "screening.label_maybe": {"en": "maybe", "da": "måske"},
    "screening.nothing_to_undo": {
        "en": "Nothing to undo: only decisions made in this browser session at this stage can be undone here.",
        "da": "Intet at fortryde: her kan kun beslutninger fra denne browsersession på dette trin fortrydes.",
    },
    "screening.undone": {
        "en": "Undid your decision on record {record_id} ({title}); it is shown again.",
        "da": "Din beslutning om post {record_id} ({title}) er fortrudt; den vises igen.",
    },
    "screening.undo_refused": {
        "en": "{reason}. Press U again to undo your decision before it.",
        "da": "{reason}. Tryk U igen for at fortryde beslutningen før den.",
    },
    "screening.no_title": {"en": "(no title)", "da": "(ingen titel)"},
    "screening.no_abstract": {"en": "(no abstract)", "da": "(intet abstract)"},
    "screening.no_text": {"en": "(no full text and no abstract)", "da": "(ingen fuldtekst og intet abstract)"},
    "screening.rank": {
        "en": "Record {record_id} · model rank {rank} of the {left} records still to decide",
        "da": "Post {record_id} · model rank {rank} af de {left} poster, der mangler en beslutning",
    },
    "screening.rank_help": {
        "en": "The model's order among the records still to decide (1 = most likely relevant). "
        "It is a rank, not a probability of relevance.",
        "da": "Modellens rækkefølge blandt de poster, der mangler en beslutning (1 = mest sandsynligt relevant). "
        "Det er en placering, ikke en sandsynlighed for relevans.",
    },
    "screening.legend": {
        "en": "Highlighted: {include} inclusion term · {exclude} exclusion term (from the protocol)",
        "da": "Fremhævet: {include} inklusionsord · {exclude} eksklusionsord (fra protokollen)",
    },
    "screening.legend_include": {"en": "green", "da": "grøn"},
    "screening.legend_exclude": {"en": "red", "da": "rød"},
    "screening.no_file": {
        "en": "No full-text file is attached to this record; showing its extracted text or abstract.",
        "da": "Der er ingen fuldtekstfil til denne post; viser den udtrukne tekst eller abstractet.",
    },
    "screening.tab_file": {"en": "Full-text file", "da": "Fuldtekstfil"},
    "screening.tab_text": {"en": "Extracted text", "da": "Udtrukket tekst"},
    "screening.history": {
        "en": "Decisions on this record you may see ({count})",
        "da": "Beslutninger om denne post, du må se ({count})",
    },
    "screening.progress": {
        "en": "{final} of {candidates} records decided at this stage",
        "da": "{final} af {candidates} poster afgjort på dette trin",
    },
    "screening.you_screened": {"en": "You have screened", "da": "Du har screenet"},
    "screening.you_screened_help": {
        "en": "Records at this stage that hold your current label.",
        "da": "Poster på dette trin, der har din nuværende beslutning.",
    },
    "screening.included": {"en": "Included", "da": "Inkluderet"},
    "screening.conflicts": {"en": "Conflicts", "da": "Konflikter"},
    "screening.waiting": {"en": "Waiting", "da": "Venter"},
    "screening.waiting_help": {
        "en": "Decided by one reviewer, waiting for the second",
        "da": "Afgjort af én bedømmer, venter på den anden",
    },
    "screening.why_waiting": {
        "en": "The protocol asks for {required} reviewers per record at this stage: a record counts as decided "
        "once they agree (or a conflict is resolved). {waiting} records wait for a second reviewer.",
        "da": "Protokollen kræver {required} bedømmere pr. post på dette trin: en post tæller som afgjort, "
        "når de er enige (eller en konflikt er løst). {waiting} poster venter på en bedømmer mere.",
    },
    "screening.nothing_left": {
        "en": "Nothing left for you to screen at the {stage} stage.",
        "da": "Der er ikke mere for dig at screene på {stage}-trinnet.",
    },
    "screening.left_for_second": {
        "en": "{count} of your records wait for a second reviewer.",
        "da": "{count} af dine poster venter på en bedømmer mere.",
    },
    "screening.left_in_conflict": {
        "en": "{count} records are in conflict: they are reconciled on the Conflicts page.",
        "da": "{count} poster er i konflikt: de afklares på siden Konflikter.",
    },
    "screening.left_claimed": {
        "en": "{count} records are being screened by other reviewers right now.",
        "da": "{count} poster screenes af andre bedømmere lige nu.",
    },
    "screening.embeddings_failed": {
        "en": "Embeddings could not be computed ({error}); ranking by TF-IDF.",
        "da": "Embeddings kunne ikke beregnes ({error}); rangerer med TF-IDF.",
    },
    "screening.embedding": {
        "en": "Embedding records for the ranking: {done} of {total} (ranking by TF-IDF meanwhile)",
        "da": "Beregner embeddings til rangeringen: {done} af {total} (rangerer med TF-IDF imens)",
    },
    "screening.embeddings_ready": {
        "en": "Embeddings are ready; the ranking switches to them in a moment.",
        "da": "Embeddings er klar; rangeringen skifter til dem om et øjeblik.",
    },
}
