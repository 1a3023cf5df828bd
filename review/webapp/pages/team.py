"""Team page (leads, team mode): the accounts, their roles, and the audit logs of the server and the project."""

import streamlit as st

from review.audit import audit_entries
from review.errors import ReviewError
from review.roles import Action, Role
from review.webapp import state
from review.webapp.i18n import t

st.title(t("login.team_title"))
state.require_permission(Action.MANAGE_USERS, t("login.team_leads_only"))
accounts = state.accounts()
lead = state.signed_in()


def _set_role(name: str) -> None:
    try:
        accounts.set_role(name, st.session_state[f"role_of_{name}"], actor=lead.name)
    except ReviewError as error:
        st.session_state["team_error"] = str(error)


st.subheader(t("login.team_accounts"))
if error := st.session_state.pop("team_error", None):
    st.error(error)
for user in accounts.users():
    name_column, role_column = st.columns([3, 2])
    name_column.text(f"{user.display_name} ({user.name})")
    st.session_state[f"role_of_{user.name}"] = user.role.value
    role_column.selectbox(
        t("login.role"),
        [role.value for role in Role],
        key=f"role_of_{user.name}",
        format_func=lambda role: t(f"login.role_{role}"),
        on_change=_set_role,
        args=(user.name,),
        label_visibility="collapsed",
    )
st.caption(t("login.team_cli"))

st.subheader(t("login.team_audit"))
st.dataframe(
    [
        {"time": e.created_at, "who": e.actor, "what": e.action, "account": e.subject, "detail": e.detail}
        for e in accounts.audit()
    ],  # fmt: skip
    hide_index=True,
)
if state.is_project(state.project_dir()):
    st.subheader(t("login.project_audit", project=state.project_dir().name))
    st.dataframe(
        [
            {"time": e.created_at, "who": e.actor, "what": e.action, "detail": e.detail}
            for e in audit_entries(state.review().db)
        ],  # fmt: skip
        hide_index=True,
    )
