"""A budget of work, for the steps whose cost a hostile file could make quadratic: judging
fixes (each re-analyses the spec) and "did you mean" (each compares a word with every
candidate). Past the budget a step is skipped, not waited for."""

from __future__ import annotations


class Budget:
    """Units of work left. With any left, the first step runs, so an oversized one is not
    refused; a budget of 0 runs nothing."""

    def __init__(self, units: int) -> None:
        self.left = units

    def spend(self, cost: int) -> bool:
        """Whether one more step may run; if so, its ``cost`` is counted."""
        if self.left <= 0:
            return False
        self.left -= max(cost, 1)
        return True

    def charge(self, cost: int) -> None:
        """Count work known only once a step has run."""
        self.left -= cost
