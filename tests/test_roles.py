"""The role table: leads may do everything, reviewers screen and code, observers only read."""

import pytest

from review.errors import AccessDenied
from review.roles import Action, Role, allowed, require


def test_lead_may_do_everything():
    assert all(allowed(Role.LEAD, action) for action in Action)


@pytest.mark.parametrize("action", [Action.SCREEN, Action.CODE, Action.READ])
def test_reviewer_screens_codes_and_reads(action):
    assert allowed(Role.REVIEWER, action)


@pytest.mark.parametrize(
    "action", [Action.RESOLVE, Action.DEDUPE, Action.EDIT_PROTOCOL, Action.UNBLIND, Action.MANAGE_USERS]
)
def test_reviewer_may_not_lead(action):
    with pytest.raises(AccessDenied, match="a reviewer may not"):
        require(Role.REVIEWER, action)


def test_observer_only_reads():
    assert [action for action in Action if allowed("observer", action)] == [Action.READ]
