"""Single sign-on through Streamlit's `st.login` (OpenID Connect), as an alternative to local passwords.

Streamlit reads the identity provider from `.streamlit/secrets.toml`:

    [auth]
    redirect_uri = "https://review.example.org/oauth2callback"
    cookie_secret = "a long random string"
    [auth.institution]                      # any name without "_"; several providers may be listed
    client_id = "..."
    client_secret = "..."
    server_metadata_url = "https://login.example.org/.well-known/openid-configuration"

After the provider signs someone in, `st.user.email` is mapped to the
account that `review user add ... --sso EMAIL` linked to it; an identity
without an account gets nothing. This module checks the configuration so the
sign-in page can say in one line what is missing instead of failing later.
"""

from __future__ import annotations

from collections.abc import Mapping

from review.errors import ReviewError

SHARED_KEYS = ("redirect_uri", "cookie_secret")
PROVIDER_KEYS = ("client_id", "client_secret", "server_metadata_url")


def providers(auth: Mapping | None) -> list[str]:
    """The provider names `st.login` accepts under an `[auth]` section ("default": the section itself); [] if none.

    Raises `ReviewError` naming what is missing when the section is there but incomplete.
    """
    if not auth:
        return []
    missing = [key for key in SHARED_KEYS if not auth.get(key)]
    if missing:
        raise ReviewError(f"single sign-on: [auth] in secrets.toml lacks {', '.join(missing)}")
    named = {name: section for name, section in auth.items() if isinstance(section, Mapping)}
    if not named:
        named = {"default": auth}
    for name, section in named.items():
        if "_" in name:
            raise ReviewError(f"single sign-on: the provider name {name!r} may not contain '_'")
        lacking = [key for key in PROVIDER_KEYS if not section.get(key)]
        if lacking:
            raise ReviewError(f"single sign-on: [auth.{name}] in secrets.toml lacks {', '.join(lacking)}")
    return sorted(named)


def authlib_installed() -> bool:
    """`st.login` needs Authlib (the `sso` extra)."""
    try:
        import authlib  # noqa: F401
    except ImportError:
        return False
    return True
