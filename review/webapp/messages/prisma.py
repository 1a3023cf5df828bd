"""Messages of the PRISMA page."""

MESSAGES: dict[str, dict[str, str]] = {
    "prisma.title": {"en": "PRISMA 2020 flow", "da": "PRISMA 2020-flowdiagram"},
    "prisma.language": {"en": "Diagram language", "da": "Diagrammets sprog"},
    "prisma.draft": {
        "en": "Draft: screening is not finished, so the flow does not add up yet — {problems}",
        "da": "Udkast: screeningen er ikke færdig, så flowet går ikke op endnu — {problems}",
    },
    "prisma.database_results": {"en": "Records identified", "da": "Poster identificeret"},
    "prisma.duplicates": {"en": "Duplicates removed", "da": "Dubletter fjernet"},
    "prisma.records_screened": {"en": "Records screened", "da": "Poster screenet"},
    "prisma.records_excluded": {"en": "Records excluded", "da": "Poster ekskluderet"},
    "prisma.records_undecided": {"en": "Records awaiting a decision", "da": "Poster uden beslutning"},
    "prisma.dbr_sought_reports": {"en": "Reports sought", "da": "Rapporter søgt"},
    "prisma.dbr_notretrieved_reports": {"en": "Reports not retrieved", "da": "Rapporter ikke fremskaffet"},
    "prisma.dbr_assessed": {"en": "Reports assessed", "da": "Rapporter vurderet"},
    "prisma.dbr_excluded": {"en": "Reports excluded", "da": "Rapporter ekskluderet"},
    "prisma.new_studies": {"en": "Studies included", "da": "Studier inkluderet"},
    "prisma.reasons": {"en": "Reports excluded: {reasons}", "da": "Rapporter ekskluderet: {reasons}"},
    "prisma.download": {"en": "Download {format}", "da": "Hent {format}"},
}
