"""What a report says of a stop: the Status of a movement and the one rule that splits done from expected."""
from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    """A stop's status as reported; equal to its lower-case name, so records and exports keep plain strings."""

    ARRIVED = "arrived"
    DEPARTED = "departed"
    VISITED = "visited"
    PASSED = "passed"
    PLANNED = "planned"
    EXPECTED = "expected"
    SPECULATED = "speculated"
    CANCELLED = "cancelled"
    DENIED = "denied"

    @property
    def done(self) -> bool:
        """The traveller has been there (arrived, departed, visited, passed through)."""
        return self in DONE_STATUS

    @property
    def phase(self) -> str:
        """"done" or "expected": how the map, the timeline and the filters split stops."""
        return DONE if self.done else EXPECTED


DONE, EXPECTED = "done", "expected"
PHASES = (DONE, EXPECTED)
DONE_STATUS = frozenset({Status.ARRIVED, Status.DEPARTED, Status.VISITED, Status.PASSED})


def phase_of(*statuses: str) -> str:
    """"done" when every status is done (a leg between two stops), else "expected"."""
    return DONE if all(Status(s).done for s in statuses) else EXPECTED
