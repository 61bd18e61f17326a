"""Mesa agents as thin views: each reads and writes one row of the model's arrays.

The quarter step never calls agent methods (it works on whole arrays); these classes exist so
that Mesa tooling, the dashboard and tests can inspect and nudge single firms, fieldlabs and
hubs in the familiar way (`model.firms.select(...)`, `agent.stage`).
"""

from __future__ import annotations

import mesa
import numpy as np

from .regions import PROVINCES, SECTORS, SIZE_CLASSES, STAGES


class FirmAgent(mesa.Agent):
    """One manufacturing establishment (slot `idx` in the firm arrays)."""

    def __init__(self, model, idx: int):
        super().__init__(model)
        self.idx = idx

    @property
    def province(self) -> str:
        return PROVINCES[self.model.pop.province[self.idx]]

    @property
    def sector(self) -> str:
        return SECTORS[self.model.pop.sector[self.idx]]

    @property
    def size_class(self) -> str:
        return SIZE_CLASSES[self.model.pop.size_class[self.idx]]

    @property
    def stage(self) -> str:
        return STAGES[self.model.firms_state.stage[self.idx]]

    @stage.setter
    def stage(self, name: str) -> None:
        self.model.firms_state.stage[self.idx] = STAGES.index(name)

    @property
    def employees(self) -> float:
        return float(self.model.firms_state.employees[self.idx])

    @property
    def productivity(self) -> float:
        """kEUR value added per worker."""
        return float(self.model.firms_state.productivity[self.idx])

    @property
    def visibility(self) -> float:
        return float(self.model.visibility[self.idx])

    @property
    def readiness(self) -> float:
        return float(self.model.pop.readiness[self.idx])

    @property
    def in_fieldlab(self) -> bool:
        return bool(self.model.firms_state.fieldlab_experience[self.idx])

    @property
    def adopted_quarter(self) -> str | None:
        t = int(self.model.firms_state.adopted_t[self.idx])
        return None if t == -1 else ("before start" if t == -2 else self.model.quarters[t])

    @property
    def peers(self) -> list[int]:
        a = self.model.pop.peers
        return [] if a is None else a.indices[a.indptr[self.idx]:a.indptr[self.idx + 1]].tolist()

    def __repr__(self) -> str:
        return f"FirmAgent({self.idx}, {self.province}, {self.sector}, {self.size_class}, {self.stage})"


class FieldlabAgent(mesa.Agent):
    """A fieldlab (row `idx` of the model's fieldlab table)."""

    def __init__(self, model, idx: int):
        super().__init__(model)
        self.idx = idx

    @property
    def province(self) -> str:
        return PROVINCES[self.model.policy.fieldlabs.province[self.idx]]

    @property
    def instrument(self) -> str:
        return self.model.policy.instruments[self.model.policy.fieldlabs.instrument[self.idx]].name

    @property
    def capacity_per_year(self) -> float:
        """Visiting firms a year (member places: `member_places`)."""
        return float(self.model.policy.fieldlabs.capacity_q[self.idx] * 4)

    @property
    def member_places(self) -> int:
        return int(self.model.policy.fieldlabs.members_cap[self.idx])

    @property
    def members(self) -> int:
        return int(self.model.policy.fieldlabs.members[self.idx])

    @property
    def participants(self) -> int:
        return int(self.model.policy.fieldlabs.participants[self.idx])

    @property
    def active(self) -> bool:
        return bool(np.isin(self.idx, getattr(self.model, "open_fieldlabs", [])))


class HubAgent(mesa.Agent):
    """A hub-outreach instrument (index `idx` in the model's policy)."""

    def __init__(self, model, idx: int):
        super().__init__(model)
        self.idx = idx

    @property
    def name(self) -> str:
        return self.model.policy.instruments[self.idx].name

    @property
    def provinces(self) -> list[str]:
        return [p for p, on in zip(PROVINCES, self.model.policy.instruments[self.idx].provinces) if on]

    @property
    def budget_left_eur(self) -> float:
        return float(self.model.policy.instruments[self.idx].left)
