"""Messages of the sign-in page, the sidebar's identity and the leads' Team page."""

MESSAGES: dict[str, dict[str, str]] = {
    "login.title": {"en": "Sign in", "da": "Log ind"},
    "login.intro": {
        "en": "This review server has accounts: sign in to screen, code or follow the review.",
        "da": "Denne reviewserver har brugerkonti: log ind for at screene, kode eller følge reviewet.",
    },
    "login.user_name": {"en": "User name", "da": "Brugernavn"},
    "login.password": {"en": "Password", "da": "Adgangskode"},
    "login.sign_in": {"en": "Sign in", "da": "Log ind"},
    "login.sign_out": {"en": "Sign out", "da": "Log ud"},
    "login.expired": {
        "en": "You were signed out after a while without use. Sign in again.",
        "da": "Du blev logget ud efter et stykke tid uden brug. Log ind igen.",
    },
    "login.signed_in_as": {
        "en": "Signed in as {name} ({user}), {role}",
        "da": "Logget ind som {name} ({user}), {role}",
    },
    "login.role": {"en": "Role", "da": "Rolle"},
    "login.role_lead": {"en": "lead", "da": "leder"},
    "login.role_reviewer": {"en": "reviewer", "da": "bedømmer"},
    "login.role_observer": {"en": "observer", "da": "observatør"},
    "login.project": {"en": "Project", "da": "Projekt"},
    "login.sso_button": {"en": "Sign in with single sign-on", "da": "Log ind med single sign-on"},
    "login.sso_button_named": {"en": "Sign in with {provider}", "da": "Log ind med {provider}"},
    "login.sso_other_account": {"en": "Use another account", "da": "Brug en anden konto"},
    "login.sso_needs_authlib": {
        "en": "Single sign-on is configured, but Authlib is not installed (pip install 'review-screening[sso]').",
        "da": "Single sign-on er sat op, men Authlib er ikke installeret (pip install 'review-screening[sso]').",
    },
    "login.team_title": {"en": "Team", "da": "Team"},
    "login.team_leads_only": {
        "en": "Only a lead manages accounts and reads the audit log.",
        "da": "Kun en leder administrerer konti og læser revisionsloggen.",
    },
    "login.team_accounts": {"en": "Accounts", "da": "Konti"},
    "login.team_cli": {
        "en": "Add and remove accounts and set passwords with `review user` on the server.",
        "da": "Tilføj og fjern konti og sæt adgangskoder med `review user` på serveren.",
    },
    "login.team_audit": {
        "en": "Sign-ins, failed sign-ins and role changes",
        "da": "Logins, mislykkede logins og rolleskift",
    },
    "login.project_audit": {
        "en": "Audit log of {project} (unblindings, protocol changes)",
        "da": "Revisionslog for {project} (afblindinger, protokolændringer)",
    },
    "login.screeners_only": {
        "en": "Your role reads progress, PRISMA and reconciled exports; it does not screen.",
        "da": "Din rolle kan læse fremdrift, PRISMA og afstemte eksporter; den screener ikke.",
    },
    "login.coders_only": {
        "en": "Your role reads progress, PRISMA and reconciled exports; it does not code.",
        "da": "Din rolle kan læse fremdrift, PRISMA og afstemte eksporter; den koder ikke.",
    },
    "login.leads_resolve": {
        "en": "Only a lead resolves conflicts (they show both reviewers' labels).",
        "da": "Kun en leder afgør uenigheder (de viser begge bedømmeres vurderinger).",
    },
    "login.leads_import": {
        "en": "Only a lead imports records and applies or undoes deduplication.",
        "da": "Kun en leder importerer poster og anvender eller fortryder dubletfjernelse.",
    },
    "login.new_project_name": {
        "en": "New project (a folder name in the projects folder)",
        "da": "Nyt projekt (et mappenavn i projektmappen)",
    },
}
