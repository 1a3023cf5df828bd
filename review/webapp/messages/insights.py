"""Messages of the Insights page."""

MESSAGES: dict[str, dict[str, str]] = {
    "insights.title": {"en": "Insights", "da": "Indsigt"},
    "insights.recall_curve": {"en": "Recall curve", "da": "Recall-kurve"},
    "insights.records_screened": {"en": "records screened", "da": "poster screenet"},
    "insights.relevant_found": {"en": "relevant found", "da": "relevante fundet"},
    "insights.curve_caption": {
        "en": "{relevant} relevant (included or maybe) among the first {screened} records screened. "
        "A curve that rises steeply and then flattens means the ranking found the relevant records first.",
        "da": "{relevant} relevante (inkluderet eller måske) blandt de første {screened} screenede poster. "
        "En kurve, der stiger stejlt og derefter flader ud, betyder, at rangordningen fandt de relevante poster først.",
    },
    "insights.no_finals": {
        "en": "No final decisions at this stage yet.",
        "da": "Endnu ingen endelige beslutninger i denne fase.",
    },
    "insights.speed": {"en": "Screening speed", "da": "Screeningshastighed"},
    "insights.reviewer": {"en": "reviewer", "da": "bedømmer"},
    "insights.decisions": {"en": "decisions", "da": "beslutninger"},
    "insights.median_seconds": {"en": "median seconds per record", "da": "median sekunder pr. post"},
    "insights.per_hour": {"en": "records per hour", "da": "poster pr. time"},
    "insights.speed_caption": {
        "en": "Gaps of more than 10 minutes between two decisions count as pauses; gaps under a second are "
        "decisions imported in bulk, so imported decision logs show no speed.",
        "da": "Pauser på mere end 10 minutter mellem to beslutninger tæller som pauser; mellemrum under et sekund er "
        "beslutninger importeret samlet, så importerede beslutningslogge viser ingen hastighed.",
    },
    "insights.nobody": {"en": "Nobody has screened at this stage yet.", "da": "Ingen har screenet i denne fase endnu."},
    "insights.agreement": {"en": "Agreement", "da": "Enighed"},
    "insights.blind": {
        "en": "This stage is blind and still being screened: agreement is shown once every record is reconciled.",
        "da": "Denne fase er blind og screenes stadig: enigheden vises, når alle poster er afstemt.",
    },
    "insights.enter_name": {
        "en": "Enter your name in the sidebar to see agreement while a blind stage is being screened.",
        "da": "Skriv dit navn i sidepanelet for at se enigheden, mens en blind fase screenes.",
    },
    "insights.reviewers": {"en": "reviewers", "da": "bedømmere"},
    "insights.records": {"en": "records", "da": "poster"},
    "insights.agreement_share": {"en": "agreement", "da": "enighed"},
    "insights.kappa": {"en": "Cohen's kappa", "da": "Cohens kappa"},
    "insights.changed_after": {"en": "changed after both decided", "da": "ændret efter begges beslutning"},
    "insights.no_pairs": {
        "en": "Agreement needs records screened by two reviewers at this stage.",
        "da": "Enighed kræver poster screenet af to bedømmere i denne fase.",
    },
}
