"""The ways a goal operation can be refused, each with a stable code for the API."""

from smarketing.errors import Conflict, InputConflict, InvalidInput


class InvalidGoalData(InvalidInput):
    pass


class GoalDataConflict(InputConflict, InvalidGoalData):
    """A goal for a period that has ended: well-formed, refused by the calendar's state (409),
    shaped like `InvalidGoalData`."""


class GoalExists(Conflict):
    code = "goal_exists"
    title = "This metric has a goal for the period already"


class PeriodEnded(Conflict):
    code = "period_ended"
    title = "The goal's period has ended"
