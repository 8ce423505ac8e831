"""P(met) to a stated precision: add replicates until every exact interval is narrow enough.

``qcy run --precision 0.02`` (and ``qcy compare --precision``) starts with ``--replicates``
replicates, computes the Clopper-Pearson 95 % interval of P(met) of every target and of all
targets together (of every mix, for a comparison), and while the widest half-width
``(high - low) / 2`` is not below the precision, runs more replicates — the next replicates of
the same seed sequence, so the result equals a plain run with the final number of replicates —
up to ``--max-replicates`` (default 2000). How many to add is estimated for each interval still
too wide as the smallest number of replicates at which the Clopper-Pearson interval at the same
estimate would be narrow enough (plus 5 %), so it usually takes one to three rounds. Near
p = 0.5 a precision of 0.02 needs about 2,400 replicates: the cap is then reached and reported.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ..execution import Executor, executor_for
from ..results import clopper_pearson, target_outcomes
from ..runner import Replicates, extend_mixes, extend_replicates, run_replicates
from ..scenario import Scenario, month_index
from ..schema import KPIS, Target
from ..uncertainty import ParameterSetup

__all__ = [
    "DEFAULT_MAX_REPLICATES",
    "interval_half_widths",
    "next_replicates",
    "run_to_precision",
    "compare_to_precision",
]

DEFAULT_MAX_REPLICATES = 2000


def interval_half_widths(
    rep: Replicates, targets: Sequence[Target] | None = None
) -> dict[str, tuple[float, float]]:
    """``{target kpi or "all": (p_met, half-width of its 95 % Clopper-Pearson interval)}``.

    Args:
        rep: Replicates of one scenario.
        targets: Targets to judge by (default: the scenario's own).
    """
    sc = rep.scenario
    targets = sc.targets if targets is None else targets
    out: dict[str, tuple[float, float]] = {}
    all_met = np.ones(rep.n, dtype=bool)
    for t in targets:
        m = month_index(sc.params.time.start, t.deadline)
        met = target_outcomes(rep.kpi[:, :, KPIS.index(t.kpi)], t, m)[0]
        all_met &= met
        out[t.kpi] = _width(met)
    out["all"] = _width(all_met)
    return out


def _width(met: np.ndarray) -> tuple[float, float]:
    s, n = int(met.sum()), len(met)
    lo, hi = clopper_pearson(s, n)
    return (s / n if n else 0.0), (hi - lo) / 2


def _cp_half(p: float, n: int) -> float:
    lo, hi = clopper_pearson(int(round(p * n)), n)
    return (hi - lo) / 2


def _needed(p: float, precision: float, n: int, cap: int) -> int:
    """Smallest total (<= cap) at which an interval at the same estimate is narrow enough."""
    if _cp_half(p, cap) >= precision:
        return cap
    lo, hi = n, cap  # half-width(lo) >= precision > half-width(hi)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if _cp_half(p, mid) < precision:
            hi = mid
        else:
            lo = mid
    return hi


def next_replicates(
    widths: dict[str, tuple[float, float]], n: int, precision: float, cap: int
) -> int:
    """How many replicates the next round should have in total (``n`` if precise enough).

    For each interval still too wide, the smallest total at which the Clopper-Pearson interval
    at the same estimate would be narrow enough, plus 5 % (the estimate moves); at least 10 % more
    than now; at most ``cap``.
    """
    if max(w for _, w in widths.values()) < precision or n >= cap:
        return n
    needed = max(_needed(p, precision, n, cap) for p, w in widths.values() if w >= precision)
    return int(min(cap, max(math.ceil(1.05 * needed), math.ceil(1.1 * n))))


def _round_info(n: int, widths: dict[str, dict[str, tuple[float, float]]]) -> dict[str, Any]:
    worst = max(
        (
            (w, f"{mix}:{k}" if len(widths) > 1 else k)
            for mix, ws in widths.items()
            for k, (_, w) in ws.items()
        )
    )
    return {"replicates": n, "max_half_width": worst[0], "widest": worst[1]}


def _info(precision: float, cap: int, rounds: list[dict[str, Any]]) -> dict[str, Any]:
    last = rounds[-1]
    return {
        "precision": precision,
        "max_replicates": cap,
        "replicates": last["replicates"],
        "max_half_width": last["max_half_width"],
        "widest": last["widest"],
        "reached": last["max_half_width"] < precision,
        "rounds": rounds,
        "rule": "replicates are added until the half-width (high - low) / 2 of every 95 % "
        "Clopper-Pearson interval of P(met) (each target and all targets together) is "
        "below the precision, or the cap is reached",
    }


def run_to_precision(
    scenario: Scenario,
    precision: float,
    seed: int = 0,
    workers: int = 1,
    start: int = 100,
    max_replicates: int = DEFAULT_MAX_REPLICATES,
    progress: Callable[[int], None] | None = None,
    checkpoint=None,
    on_round: Callable[[dict[str, Any]], None] | None = None,
    *,
    executor: Executor | None = None,
    parameters: ParameterSetup | None = None,
) -> tuple[Replicates, dict[str, Any]]:
    """Replicates of ``scenario`` until every P(met) interval is narrower than ``precision``.

    ``executor`` (default: from ``workers``) is started once for every round. With drawn
    ``parameters`` the replicates grow by whole draws (``R`` seeds each).

    Returns:
        The replicates and the ``precision`` block written to ``summary.json``.
    """
    if not 0 < precision < 0.5:
        raise ValueError(f"precision must be in (0, 0.5), got {precision}")
    n = min(start, max_replicates)
    executor = executor_for(workers, executor)
    with executor:
        rep = run_replicates(
            scenario,
            n,
            seed,
            progress=progress,
            checkpoint=checkpoint,
            executor=executor,
            parameters=parameters,
        )
        return _run_rounds(rep, precision, max_replicates, progress, checkpoint, on_round, executor)


def _run_rounds(rep, precision, max_replicates, progress, checkpoint, on_round, ex):
    scenario = rep.scenario
    rounds = []
    while True:
        widths = interval_half_widths(rep)
        rounds.append(_round_info(rep.n, {scenario.name: widths}))
        nxt = next_replicates(widths, rep.n, precision, max_replicates)
        if on_round:
            on_round({**rounds[-1], "next_replicates": nxt})
        if nxt <= rep.n:
            break
        rep = extend_replicates(rep, nxt, progress=progress, checkpoint=checkpoint, executor=ex)
    return rep, _info(precision, max_replicates, rounds)


def compare_to_precision(
    scenarios: Sequence[Scenario],
    precision: float,
    seed: int = 0,
    workers: int = 1,
    start: int = 100,
    max_replicates: int = DEFAULT_MAX_REPLICATES,
    progress: Callable[[int], None] | None = None,
    on_round: Callable[[dict[str, Any]], None] | None = None,
    *,
    executor: Executor | None = None,
    parameters: ParameterSetup | None = None,
):
    """A :class:`~qcy_sim.compare.Comparison` with every mix's P(met) intervals narrow enough.

    Every mix keeps the same replicate seeds (the pairing is kept); the intervals are those of
    P(met) of each mix for each reference target and for all of them together.

    Returns:
        The comparison and its ``precision`` block.
    """
    from ..compare import compare_mixes

    if not 0 < precision < 0.5:
        raise ValueError(f"precision must be in (0, 0.5), got {precision}")
    executor = executor_for(workers, executor)
    with executor:
        return _compare_rounds(
            compare_mixes(
                scenarios,
                min(start, max_replicates),
                seed,
                progress=progress,
                executor=executor,
                parameters=parameters,
            ),
            precision,
            max_replicates,
            progress,
            on_round,
            executor,
        )


def _compare_rounds(comp, precision, max_replicates, progress, on_round, executor):
    from ..compare import Comparison

    rounds = []
    while True:
        widths = {
            lab: interval_half_widths(r, comp.targets)
            for lab, r in zip(comp.labels, comp.reps, strict=True)
        }
        rounds.append(_round_info(comp.replicates, widths))
        merged = {f"{lab}:{k}": v for lab, ws in widths.items() for k, v in ws.items()}
        nxt = next_replicates(merged, comp.replicates, precision, max_replicates)
        if on_round:
            on_round({**rounds[-1], "next_replicates": nxt})
        if nxt <= comp.replicates:
            break
        reps = extend_mixes(comp.reps, nxt, executor, progress)
        comp = Comparison(comp.labels, reps, comp.targets, comp.notes)
    return comp, _info(precision, max_replicates, rounds)
