"""Sign-in page (team mode): user name and password, or the institution's single sign-on."""

import streamlit as st
from streamlit.errors import StreamlitAuthError

from review.errors import ReviewError
from review.webapp import sso, state
from review.webapp.i18n import t


def _password_form() -> None:
    with st.form("sign_in"):
        name = st.text_input(t("login.user_name"), key="login_name", autocomplete="username")
        password = st.text_input(t("login.password"), type="password", key="login_password")
        if st.form_submit_button(t("login.sign_in"), type="primary"):
            try:
                state.sign_in(name, password)
            except ReviewError as error:
                st.error(str(error))
            else:
                st.rerun()


def _auth_section() -> object:
    try:
        return st.secrets.get("auth")
    except FileNotFoundError:  # no secrets.toml: local passwords only
        return None


def _single_sign_on() -> None:
    """The identity provider's buttons; a returning identity is mapped to its account."""
    try:
        names = sso.providers(_auth_section())
    except ReviewError as error:
        st.warning(str(error))
        return
    if not names:
        return
    if not sso.authlib_installed():
        st.warning(t("login.sso_needs_authlib"))
        return
    if st.user.get("is_logged_in"):
        try:
            state.sign_in_identity(str(st.user.get("email") or ""))
        except ReviewError as error:
            st.error(str(error))
            st.button(t("login.sso_other_account"), on_click=st.logout)
            return
        st.rerun()
    st.divider()
    for name in names:
        label = t("login.sso_button") if name == "default" else t("login.sso_button_named", provider=name)
        if st.button(label, key=f"sso_{name}"):
            try:
                st.login() if name == "default" else st.login(name)
            except StreamlitAuthError as error:  # Streamlit reads secrets.toml itself and may disagree
                st.error(" ".join(str(error).split()))


st.title(t("login.title"))
st.caption(t("login.intro"))
if st.session_state.get("signed_out_idle"):
    st.info(t("login.expired"))
_password_form()
_single_sign_on()
