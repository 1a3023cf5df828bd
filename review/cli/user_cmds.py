"""`review user add|list|remove|passwd|role`: the accounts of a team server (see `review.accounts`)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from review.accounts import Accounts, check_user_name
from review.accounts.passwords import check_password
from review.cli.app import JsonFlag, app, console, print_json
from review.errors import ReviewError
from review.roles import Role

user_app = typer.Typer(
    help="""Accounts for the team server: who may sign in to the app, and as what role.

    Example:

        review user add reviews/ carl --role lead
        review user list reviews/
    """,
    no_args_is_help=True,
)
app.add_typer(user_app, name="user")

ServerDir = Annotated[
    Path,
    typer.Argument(
        help="The server's projects folder, or a project in it (accounts live in the folder above a project).",
        show_default=False,
    ),
]
UserName = Annotated[str, typer.Argument(help="User name: letters, digits, - _ . (case-insensitive).")]
RoleArg = Annotated[Role, typer.Option("--role", help="lead, reviewer or observer.")]
PasswordStdin = Annotated[
    bool, typer.Option("--password-stdin", help="Read the password from the first line of stdin (for scripts).")
]


def read_password(from_stdin: bool) -> str:
    """The new password: stdin's first line, or a hidden prompt asked twice. Never an argument."""
    if from_stdin:
        line = sys.stdin.readline()
        if not line:
            raise ReviewError("--password-stdin was given but stdin is empty")
        return line.rstrip("\r\n")
    return typer.prompt("Password", hide_input=True, confirmation_prompt=True)


@user_app.command("add")
def add(
    folder: ServerDir,
    name: UserName,
    role: RoleArg = Role.REVIEWER,
    display_name: Annotated[str | None, typer.Option("--display-name", help="Shown in the app.")] = None,
    sso: Annotated[
        str | None, typer.Option("--sso", help="E-mail the identity provider reports (single sign-on, st.login).")
    ] = None,
    password_stdin: PasswordStdin = False,
) -> None:
    """Add an account (the first one should be a lead: team mode needs one). Creates accounts.db if missing.

    Example:

        review user add reviews/ carl --role lead --display-name "Carl Holm"
        printf '%s\\n' "$PASSWORD" | review user add reviews/ anna --role reviewer --password-stdin
        review user add reviews/ ben --sso ben@uni.example   # signs in through single sign-on only
    """
    check_user_name(name)  # before accounts.db is created for nothing
    password = None if sso and not password_stdin else check_password(read_password(password_stdin))
    with Accounts.open(folder, create=True) as accounts:
        user = accounts.add(name, password, role, display_name, sso)
        where = accounts.folder
    console.print(f"Added {user.name} ({user.role}) to the accounts in {where}", markup=False)


@user_app.command("list")
def list_(folder: ServerDir, as_json: JsonFlag = False) -> None:
    """The accounts: name, display name, role, how they sign in.

    Example:

        review user list reviews/ --json
    """
    with Accounts.open(folder) as accounts:
        users = accounts.users()
    rows = [
        {
            "name": u.name,
            "display_name": u.display_name,
            "role": u.role.value,
            "password": u.has_password,
            "sso": u.sso_identity,
        }  # fmt: skip
        for u in users
    ]
    if as_json:
        print_json(rows)
        return
    table = Table(*rows[0].keys()) if rows else Table("name")
    for row in rows:
        table.add_row(*(str(value if value is not None else "") for value in row.values()))
    console.print(table)


@user_app.command("remove")
def remove(folder: ServerDir, name: UserName) -> None:
    """Remove an account and end its sessions (its decisions stay in every project's log).

    Example:

        review user remove reviews/ anna
    """
    with Accounts.open(folder) as accounts:
        accounts.remove(name)
    console.print(f"Removed {name.strip().lower()}", markup=False)


@user_app.command("passwd")
def passwd(folder: ServerDir, name: UserName, password_stdin: PasswordStdin = False) -> None:
    """Set a new password (ends the account's sessions and lifts a lockout).

    Example:

        review user passwd reviews/ anna
    """
    with Accounts.open(folder) as accounts:
        accounts.get(name)
        accounts.set_password(name, read_password(password_stdin))
    console.print(f"New password set for {name.strip().lower()}", markup=False)


@user_app.command("role")
def role_(
    folder: ServerDir, name: UserName, role: Annotated[Role, typer.Argument(help="lead, reviewer or observer.")]
) -> None:
    """Change an account's role (recorded in the audit log; the last lead cannot be demoted).

    Example:

        review user role reviews/ anna lead
    """
    with Accounts.open(folder) as accounts:
        user = accounts.set_role(name, role)
    console.print(f"{user.name} is now {user.role}", markup=False)
