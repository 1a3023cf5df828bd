"""Messages of the stopping advice (the Screening page's panel and the Insights page's stopping chart)."""

MESSAGES: dict[str, dict[str, str]] = {
    "stopping.estimated_recall": {"en": "Estimated recall", "da": "Estimeret recall"},
    "stopping.recall_when": {
        "en": "after the check sample",
        "da": "efter kontrolstikprøven",
    },
    "stopping.recall_help_before": {
        "en": "Recall can only be estimated from a random sample of the records not yet screened. It will be known "
        "once the check sample is drawn and has records screened (about {needed} records if none is relevant).",
        "da": "Recall kan kun estimeres ud fra en tilfældig stikprøve af de endnu ikke screenede poster. Den kendes, "
        "når kontrolstikprøven er trukket og har screenede poster (ca. {needed} poster, hvis ingen er relevante).",
    },
    "stopping.recall_help_sample": {
        "en": "From the {drawn} check-sample records screened so far; {low} to {high} with {confidence} confidence.",
        "da": "Ud fra de {drawn} screenede poster i kontrolstikprøven; {low} til {high} med {confidence} sikkerhed.",
    },
    "stopping.claimable": {
        "en": "Recall that can be claimed now at {confidence} confidence: at least {claimable}.",
        "da": "Recall, der kan påstås nu med {confidence} sikkerhed: mindst {claimable}.",
    },
    "stopping.ranked": {
        "en": "If the ranking is better than random, the ranked screening alone supports at least {ranked}.",
        "da": "Hvis rangordningen er bedre end tilfældig, understøtter den rangordnede screening alene mindst {ranked}.",
    },
    "stopping.safe": {
        "en": "Safe to stop: recall is at least {target} with {confidence} confidence.",
        "da": "Sikkert at stoppe: recall er mindst {target} med {confidence} sikkerhed.",
    },
    "stopping.ranked_phase": {
        "en": "Keep screening in ranked order. Once the ranking suggests the target of {target} is reached, you will "
        "be asked to screen a random check sample (about {needed} records) to confirm it.",
        "da": "Fortsæt screeningen i rangordnet rækkefølge. Når rangordningen tyder på, at målet på {target} er nået, "
        "bliver du bedt om at screene en tilfældig kontrolstikprøve (ca. {needed} poster) for at bekræfte det.",
    },
    "stopping.proposed_phase": {
        "en": "The ranking suggests the target of {target} is reached. To confirm it, screen a random check sample of "
        "about {needed} records; you can stop if none of them is relevant.",
        "da": "Rangordningen tyder på, at målet på {target} er nået. Bekræft det ved at screene en tilfældig "
        "kontrolstikprøve på ca. {needed} poster; du kan stoppe, hvis ingen af dem er relevante.",
    },
    "stopping.start_sample": {"en": "Start the check sample", "da": "Start kontrolstikprøven"},
    "stopping.start_early": {"en": "Start the check sample now", "da": "Start kontrolstikprøven nu"},
    "stopping.started": {
        "en": "Check sample started: the records are served to you one at a time.",
        "da": "Kontrolstikprøven er startet: posterne vises for dig én ad gangen.",
    },
    "stopping.sample_phase": {
        "en": "Check sample: {drawn} of its records screened, {found} relevant. Screen {needed} more; you can stop "
        "if none of them is relevant.",
        "da": "Kontrolstikprøve: {drawn} af dens poster er screenet, {found} relevante. Screen {needed} mere; du kan "
        "stoppe, hvis ingen af dem er relevante.",
    },
    "stopping.pending": {
        "en": "The stopping rule is being evaluated in the background…",
        "da": "Stopreglen beregnes i baggrunden…",
    },
    "stopping.updating": {
        "en": "As of {screened} decided records; updating…",
        "da": "Pr. {screened} afgjorte poster; opdaterer…",
    },
    "stopping.chart_title": {"en": "Recall over the screening", "da": "Recall gennem screeningen"},
    "stopping.chart_claimable": {"en": "claimable for any ranking", "da": "kan påstås for enhver rangordning"},
    "stopping.chart_ranked": {"en": "ranked test", "da": "rangordnet test"},
    "stopping.chart_screened": {"en": "records screened", "da": "screenede poster"},
    "stopping.chart_caption": {
        "en": "The recall that can be claimed at {confidence} confidence after each stretch of screening: for any "
        "ranking, and by the ranked test if the ranking is better than random.",
        "da": "Den recall, der kan påstås med {confidence} sikkerhed efter hvert stykke af screeningen: for enhver "
        "rangordning og ifølge den rangordnede test, hvis rangordningen er bedre end tilfældig.",
    },
}
