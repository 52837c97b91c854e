from smarketing.errors import Conflict, InputConflict, InvalidInput


class InvalidMerge(InvalidInput):
    pass


class MergeDataConflict(InputConflict, InvalidMerge):
    """A merge naming a lead the tenant does not have: 409, shaped like `InvalidMerge`."""


class MergeConflict(Conflict):
    code = "merge_conflict"
    title = "These leads cannot be merged"


class UndoRefused(Conflict):
    code = "undo_refused"
    title = "This merge can no longer be undone"


class LeadMovedTo(Exception):
    """The lead asked for is a tombstone of a merge: answer with a redirect to its survivor."""

    def __init__(self, survivor_id: int):
        super().__init__(survivor_id)
        self.survivor_id = survivor_id
