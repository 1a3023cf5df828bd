"""Messages of the Conflicts page (screening and coding conflicts)."""

MESSAGES: dict[str, dict[str, str]] = {
    "conflicts.title": {"en": "Conflicts", "da": "Konflikter"},
    "conflicts.what": {"en": "Reconcile", "da": "Afklar"},
    "conflicts.stage_ta": {"en": "Title/abstract", "da": "Titel/abstract"},
    "conflicts.stage_ft": {"en": "Full text", "da": "Fuldtekst"},
    "conflicts.coding": {"en": "Coding", "da": "Kodning"},
    "conflicts.single_reviewer": {
        "en": "The {stage} stage has one reviewer per record, so there are no conflicts.",
        "da": "{stage}-trinnet har én bedømmer pr. post, så der er ingen konflikter.",
    },
    "conflicts.blind": {
        "en": "This stage is blind and still being screened: conflicts show both reviewers' labels, so they are "
        "shown to the person reconciling them. Revealing them is recorded in the project's audit log.",
        "da": "Dette trin er blindet og screenes stadig: konflikter viser begge bedømmeres beslutninger, så de vises "
        "for den, der afklarer dem. At vise dem registreres i projektets revisionslog.",
    },
    "conflicts.reveal": {"en": "Reveal the labels to reconcile", "da": "Vis beslutningerne for at afklare"},
    "conflicts.count": {"en": "{count} open conflicts.", "da": "{count} åbne konflikter."},
    "conflicts.count_blind": {
        "en": "{count} open conflicts. Reviewers' labels are shown only once both have decided (blind stage).",
        "da": "{count} åbne konflikter. Bedømmernes beslutninger vises først, når begge har besluttet (blindet trin).",
    },
    "conflicts.no_title": {"en": "(no title)", "da": "(ingen titel)"},
    "conflicts.no_year": {"en": "n.d.", "da": "u.å."},
    "conflicts.no_abstract": {"en": "(no abstract)", "da": "(intet abstract)"},
    "conflicts.reviewer_label": {"en": "{reviewer}: {label}", "da": "{reviewer}: {label}"},
    "conflicts.reason_note": {"en": "reason: {reason}", "da": "grund: {reason}"},
    "conflicts.note": {"en": "note: {note}", "da": "note: {note}"},
    "conflicts.final_label": {"en": "Final label", "da": "Endelig beslutning"},
    "conflicts.reason": {"en": "Reason (for exclusion)", "da": "Grund (ved eksklusion)"},
    "conflicts.resolution_note": {"en": "Note", "da": "Note"},
    "conflicts.resolve": {"en": "Resolve", "da": "Afgør"},
    "conflicts.choose_label": {"en": "Choose the final label first.", "da": "Vælg den endelige beslutning først."},
    "conflicts.resolved": {
        "en": "Record {record_id} resolved by {reviewer}.",
        "da": "Post {record_id} afgjort af {reviewer}.",
    },
    "conflicts.label_include": {"en": "include", "da": "inkludér"},
    "conflicts.label_exclude": {"en": "exclude", "da": "ekskludér"},
    "conflicts.label_maybe": {"en": "maybe", "da": "måske"},
    "conflicts.coding_count": {
        "en": "{count} coded values differ between coders. The coded table marks them as unreconciled until the "
        "agreed value is chosen here.",
        "da": "{count} kodede værdier er forskellige mellem kodere. Den kodede tabel markerer dem som uafklarede, "
        "indtil den enige værdi er valgt her.",
    },
    "conflicts.coding_none": {
        "en": "No coded value differs between coders.",
        "da": "Ingen kodet værdi er forskellig mellem kodere.",
    },
    "conflicts.agreed_value": {"en": "Agreed value", "da": "Enig værdi"},
    "conflicts.empty_value": {"en": "(empty)", "da": "(tom)"},
    "conflicts.reconcile": {"en": "Reconcile", "da": "Afklar"},
    "conflicts.choose_value": {"en": "Choose the agreed value first.", "da": "Vælg den enige værdi først."},
    "conflicts.reconciled": {
        "en": "{study} · {dimension}: reconciled by {reviewer}.",
        "da": "{study} · {dimension}: afklaret af {reviewer}.",
    },
    "conflicts.lead_only": {
        "en": "Only a lead reconciles coding conflicts; they are listed here for everyone.",
        "da": "Kun en leder afklarer kodningskonflikter; de vises her for alle.",
    },
}
