"""Before any work: will the run fit this machine? An upper-bound estimate of memory and time.

Every value of a scenario may lie inside its valid range and the run still not fit (600 months
of 10 million candidates a month). :func:`check_fits` estimates from the scenario alone

* the most talents alive at once, ``initial + months x monthly inflow`` (everyone stays: an upper
  bound), and the agent-months simulated (talents alive each month plus the candidates who
  consider the area);
* memory: per worker, a process's base size plus the agent arrays at that peak (with room for
  the store's growth and kernel temporaries), plus the result arrays of every replicate;
* time: agent-months x a measured cost per agent-month, spread over the workers;

and refuses, with the estimate, a run whose memory exceeds what the machine has available or
whose time exceeds :data:`MAX_SECONDS`, unless forced (``--force``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from .scenario import ConfigError, Scenario

__all__ = ["Estimate", "estimate", "check_fits", "available_memory", "MAX_SECONDS"]

# From benchmarks/run.py on the development machine: the baseline replicate takes 0.21-0.27 s
# (docs/PERFORMANCE.md) for an upper bound of 3.0 million agent-months by the formula below,
# 69-88 ns per agent-month; 200 ns leaves room for slower machines and busier scenarios.
NS_PER_AGENT_MONTH = 200.0
BASE_PROCESS_BYTES = 300 * 2**20  # a fresh worker running one replicate peaks at ~250 MiB
# a talent's arrays take 54 bytes (docs/PERFORMANCE.md, measured on the store); 64 with room
BYTES_PER_TALENT = 64
GROWTH_FACTOR = 3.0  # capacity doubling and kernel temporaries over the live arrays
BYTES_PER_CANDIDATE = 200  # a month's candidate arrays, alive during attraction
MAX_SECONDS = 7 * 24 * 3600.0


@dataclass(frozen=True)
class Estimate:
    """Upper bounds for a batch of runs."""

    runs: int
    months: int
    peak_talents: float
    agent_months: float
    memory_bytes: float
    seconds: float

    def describe(self) -> str:
        """One line for a message."""
        return (
            f"{self.runs} runs of {self.months} months with up to {self.peak_talents:,.0f} "
            f"talents: about {_bytes(self.memory_bytes)} of memory and "
            f"{_duration(self.seconds)} (upper bounds)"
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain data (for a manifest)."""
        return {
            "runs": self.runs,
            "months": self.months,
            "peak_talents": self.peak_talents,
            "agent_months": self.agent_months,
            "memory_bytes": self.memory_bytes,
            "seconds": self.seconds,
        }


def _per_run(scenario: Scenario) -> tuple[int, float, float, float]:
    """``(months, peak talents, agent-months, bytes)`` of one run of ``scenario``."""
    p = scenario.params
    months = int(p.time.horizon_months)
    inflow = (
        float(p.talent.candidates_domestic_per_month)
        + float(p.talent.candidates_overseas_per_month)
        + float(p.talent.graduates_per_year) / 12.0
    )
    start = float(p.initial.talents)
    peak = start + months * inflow
    agent_months = months * (start + inflow * (months + 1) / 2.0) + months * inflow
    memory = BASE_PROCESS_BYTES + GROWTH_FACTOR * peak * BYTES_PER_TALENT
    memory += BYTES_PER_CANDIDATE * inflow
    return months, peak, agent_months, memory


def estimate(scenarios: list[Scenario], replicates: int, workers: int) -> Estimate:
    """Upper bounds for ``replicates`` runs of each scenario on ``workers`` workers."""
    workers = max(1, workers)
    per = [_per_run(sc) for sc in scenarios]
    months = max(m for m, _, _, _ in per)
    results = 0.0
    for m, _, _, _ in per:  # kpi, series and spending arrays, and their tables
        results += replicates * (m + 1) * 100 * 8 * 3
    memory = min(workers, replicates * len(per)) * max(b for _, _, _, b in per) + results
    seconds = replicates * sum(a for _, _, a, _ in per) * NS_PER_AGENT_MONTH * 1e-9 / workers
    return Estimate(
        runs=replicates * len(per),
        months=months,
        peak_talents=max(p for _, p, _, _ in per),
        agent_months=sum(a for _, _, a, _ in per) * replicates,
        memory_bytes=memory,
        seconds=seconds,
    )


def available_memory() -> float:
    """Bytes of memory available now (``MemAvailable``), or the physical memory."""
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return float(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return float(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (ValueError, OSError, AttributeError):
        return float("inf")


def check_fits(
    scenarios: list[Scenario], replicates: int, workers: int, force: bool = False
) -> Estimate:
    """The estimate; raise :class:`ConfigError` if it does not fit and ``force`` is false."""
    est = estimate(scenarios, replicates, workers)
    avail = available_memory()
    if force or (est.memory_bytes <= avail and est.seconds <= MAX_SECONDS):
        return est
    limit = f"at most {_bytes(avail)} of memory (available now) and {_duration(MAX_SECONDS)}"
    raise ConfigError(
        scenarios[0].path,
        "time.horizon_months, talent.*",
        f"a run that fits this machine ({limit}); pass --force to run anyway",
        est.describe(),
    )


def _bytes(n: float) -> str:
    for unit, size in (("TiB", 2**40), ("GiB", 2**30), ("MiB", 2**20)):
        if n >= size:
            return f"{n / size:,.1f} {unit}"
    return f"{n / 1024:,.0f} KiB"


def _duration(s: float) -> str:
    if s >= 86400:
        return f"{s / 86400:,.1f} days"
    if s >= 3600:
        return f"{s / 3600:,.1f} hours"
    if s >= 60:
        return f"{s / 60:,.1f} minutes"
    return f"{s:,.1f} s"
