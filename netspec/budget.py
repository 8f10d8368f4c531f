"""A budget of work, for the steps whose cost a hostile file could make quadratic: judging
fixes (each re-analyses the spec) and "did you mean" (each compares a word with every
candidate). Past the budget a step is skipped, not waited for."""

from __future__ import annotations


class Budget:
    """Units of work left. The first step always runs, so an oversized one is not refused."""

    def __init__(self, units: int) -> None:
        self.left = units

    def spend(self, cost: int) -> bool:
        """Whether one more step may run; if so, its ``cost`` is counted."""
        if self.left <= 0:
            return False
        self.left -= max(cost, 1)
        return True
