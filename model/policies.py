"""Policy instruments: what a scenario's `policies:` list may contain.

Each instrument type is one pydantic model (selected by `type` in YAML): timing (start, end,
and optionally when the end is announced), targeting (provinces, sectors, size classes), a
budget in EUR, and its own settings. The model turns the specs into per-quarter arrays once
(`model/instruments.py`); spending stops when the budget is spent.
"""

from __future__ import annotations

from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from .params import suggest
from .regions import (HUBS, PROVINCES, SECTORS, SIZE_CLASSES, province_code, province_mapping_text,
                      province_suggestion)
from .timeline import parse_quarter

MAX_BUDGET_EUR = 50e9  # larger than the whole Dutch economic-affairs budget: surely a typo
# Quarters an instrument may name. The data start in 2014Q1 and the model means nothing after
# 2050Q4 (model/scenario/schema.py uses the same bounds for the horizon). A budget is spread over the
# instrument's whole window, so a typo like 2203Q4 would silently spend almost nothing a quarter.
EARLIEST_QUARTER = "2014Q1"
LATEST_QUARTER = "2050Q4"


def _check_codes(values: list[str], allowed, what: str) -> list[str]:
    out = []
    for v in values:
        if v not in allowed:
            raise ValueError(f"unknown {what} '{v}'{suggest(str(v), allowed)}; allowed: {', '.join(allowed)}")
        if v in out:  # a hub and one of its provinces, or a code written twice
            raise ValueError(f"{what} '{v}' listed twice (a hub counts as its provinces); allowed: each once")
        out.append(v)
    return out


def _as_list(v, what: str, allowed) -> list:
    """One code or a list of codes as a list; anything else (a number, a mapping, null) is a
    ValueError naming what is allowed, instead of a TypeError escaping from validation."""
    if isinstance(v, str):
        return [v]
    if isinstance(v, (list, tuple)):
        return list(v)
    shown = repr(v) if len(repr(v)) <= 40 else repr(v)[:37] + "..."
    raise ValueError(f"must be 'all', one {what} or a list of them, got {shown}; allowed: 'all' or from "
                     f"{', '.join(allowed)}")


def _province_or_hub(text) -> tuple:
    """The provinces a `provinces:` entry stands for: a hub's, or one province by code or name
    ('LI', 'li', 'Limburg'; see model/regions.py); anything else is a ValueError with a suggestion."""
    if not isinstance(text, str):
        return (text,)  # _check_codes reports it
    if text.strip().lower() in HUBS:
        return HUBS[text.strip().lower()]
    code = province_code(text)
    if code is None:
        raise ValueError(f"unknown province '{text}'{province_suggestion(text)}; allowed: a code or name "
                         f"({province_mapping_text()}), a hub ({', '.join(HUBS)}) or 'all'")
    return (code,)


def _sector_list(v):
    return v if v == "all" else _check_codes(_as_list(v, "sector", SECTORS), SECTORS, "sector")


class InstrumentBase(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(None, description="Unique label; a child scenario that names a parent's instrument "
                                                 "changes it instead of adding one.")
    provinces: list[str] | Literal["all"] = Field(
        "all", description="Provinces by code or name, any case (" + province_mapping_text() + "), hub names "
                           "(noord, oost, zuid, zuid_holland, noordwest) or 'all'.")
    sectors: list[str] | Literal["all"] = Field("all", description="Sectors served: " + ", ".join(SECTORS))
    sizes: list[str] | Literal["all"] = Field("all", description="Size classes served: " + ", ".join(SIZE_CLASSES))
    start: str = Field(..., description="First quarter, e.g. 2026Q1", examples=["2026Q1"])
    end: str = Field(..., description="Last quarter (inclusive), e.g. 2030Q4", examples=["2030Q4"])
    end_announced: str | None = Field(
        None, description="Quarter in which firms learn of the end and start discounting the support they "
                          "expect (seed 001: unstable policy). Omitted: firms expect the instrument to continue.")
    budget_eur: float = Field(..., ge=0, le=MAX_BUDGET_EUR, description="Total public budget in EUR; spending stops "
                                                                       "when it is spent.")

    @field_validator("provinces", mode="before")
    @classmethod
    def _provinces(cls, v):
        if v == "all":
            return v
        out: list[str] = []
        for code in _as_list(v, "province", PROVINCES + tuple(HUBS)):
            out.extend(_province_or_hub(code))
        return _check_codes(out, PROVINCES + tuple(HUBS), "province")

    @field_validator("sectors", mode="before")
    @classmethod
    def _sectors(cls, v):
        return _sector_list(v)

    @field_validator("sizes", mode="before")
    @classmethod
    def _sizes(cls, v):
        return v if v == "all" else _check_codes(_as_list(v, "size class", SIZE_CLASSES), SIZE_CLASSES, "size class")

    @field_validator("start", "end", "end_announced")
    @classmethod
    def _quarter(cls, v):
        if v is None:
            return v
        if not parse_quarter(EARLIEST_QUARTER) <= parse_quarter(v) <= parse_quarter(LATEST_QUARTER):
            raise ValueError(f"{v} is outside the quarters the model simulates; allowed: {EARLIEST_QUARTER} to "
                             f"{LATEST_QUARTER}")
        return v

    @model_validator(mode="after")
    def _timing(self):
        """start <= end_announced <= end. Announcing before the start would mean the same as
        announcing at the start (firms discount only while it runs), so an earlier quarter is
        a mix-up of the dates, not a different policy. Different instruments may overlap in
        time and place: they add up, each paying from its own budget (baseline's hubs and
        BOOST both serve Oost in 2018-2020)."""
        if parse_quarter(self.end) < parse_quarter(self.start):
            raise ValueError(f"end {self.end} is before start {self.start}")
        if self.end_announced is not None:
            if parse_quarter(self.end_announced) > parse_quarter(self.end):
                raise ValueError(f"end_announced {self.end_announced} is after end {self.end}")
            if parse_quarter(self.end_announced) < parse_quarter(self.start):
                raise ValueError(f"end_announced {self.end_announced} is before start {self.start}; allowed: a "
                                 f"quarter from start to end ({self.start} = temporary from the outset)")
        return self

    @property
    def n_quarters(self) -> int:
        return parse_quarter(self.end) - parse_quarter(self.start) + 1


class Fieldlabs(InstrumentBase):
    """New fieldlabs: shared test sites where firms try smart technology."""

    type: Literal["fieldlab"]
    count: int = Field(1, ge=1, le=200, description="Fieldlabs opened, spread in turn over the provinces listed.")
    capacity_per_year: float = Field(6.0, gt=0, le=500, description=(
        "Visiting firms (a trial without membership) each fieldlab takes per year; member places are "
        "bought by the budget (parameter fieldlab_cost_per_member_eur)."))
    themes: list[str] | Literal["all"] = Field("all", description="Sectors the fieldlabs serve.")
    eur_per_quarter: float | None = Field(None, ge=0, le=MAX_BUDGET_EUR, description=(
        "Spending per quarter on all these fieldlabs together; omitted: the budget spread evenly."))

    @field_validator("themes", mode="before")
    @classmethod
    def _themes(cls, v):
        return _sector_list(v)


class HistoricalFieldlabs(InstrumentBase):
    """The fieldlabs of the national programme, opened as in calibration/data/fieldlabs_active.csv."""

    type: Literal["historical_fieldlabs"]
    capacity_per_year: float | None = Field(None, gt=0, le=500, description=(
        "Visiting firms per fieldlab per year; omitted: parameter fieldlab_capacity. Member places are "
        "bought by the budget (parameter fieldlab_cost_per_member_eur)."))
    eur_per_quarter: float | None = Field(None, ge=0, le=MAX_BUDGET_EUR, description=(
        "Spending per quarter on all these fieldlabs together; omitted: the budget spread evenly over the "
        "fieldlab-quarters in the window."))


class HubOutreach(InstrumentBase):
    """A regional hub: company visits and events that make firms aware and adopters visible."""

    type: Literal["hub_outreach"]
    eur_per_quarter: float | None = Field(None, ge=0, le=MAX_BUDGET_EUR, description="Spending per quarter; "
                                                                                     "omitted: budget spread evenly.")
    visibility_boost: float = Field(0.0, ge=0, le=1, description="Share of the gap to full visibility closed for "
                                                                 "local adopters (events, visits).")


class AdoptionSubsidy(InstrumentBase):
    """A subsidy on the investment of firms that adopt."""

    type: Literal["adoption_subsidy"]
    rate: float = Field(..., gt=0, le=1, description="Share of the investment paid.")
    max_per_firm_eur: float = Field(100_000, gt=0, le=1e8, description="Cap per adopting firm.")


class Training(InstrumentBase):
    """Retraining routine workers into technical jobs."""

    type: Literal["training"]
    cost_per_trainee_eur: float = Field(15_000, gt=0, le=1e7, description="Public cost of one conversion course.")
    eur_per_quarter: float | None = Field(None, ge=0, le=MAX_BUDGET_EUR, description="Spending per quarter; "
                                                                                     "omitted: budget spread evenly.")


class ReshoringSupport(InstrumentBase):
    """Support for bringing offshored production home."""

    type: Literal["reshoring_support"]
    cost_reduction: float = Field(0.05, gt=0, le=0.5, description="Share by which support lowers home unit cost "
                                                                  "in the reshoring decision.")
    eur_per_job: float = Field(20_000, gt=0, le=1e7, description="Public cost per job brought home.")


Instrument = Annotated[
    Union[Fieldlabs, HistoricalFieldlabs, HubOutreach, AdoptionSubsidy, Training, ReshoringSupport],
    Field(discriminator="type"),
]
INSTRUMENT_TYPES = ("fieldlab", "historical_fieldlabs", "hub_outreach", "adoption_subsidy", "training",
                    "reshoring_support")
