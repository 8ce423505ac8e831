"""Fair comparison of policy mixes: the same seeds for every mix, paired statistics.

Replicate ``r`` of every mix runs with the same seed (:func:`qcy_sim.runner.replicate_seeds`),
so it sees the same random numbers wherever the mixes do not differ (common random numbers).
The outcome "target met" of mix B and of the reference mix A are then *paired* binary outcomes,
and are compared with tools made for pairs:

* the difference P_B(met) - P_A(met) with the Newcombe square-and-add interval for paired
  proportions (Newcombe 1998, *Stat Med* 17:2635, method 10, with the correlation correction
  as in Fagerland, Lydersen & Laake 2014, *Stat Methods Med Res* 24:224), built from the two
  Wilson score intervals; it behaves well for small n and for P near 0 or 1;
* the exact McNemar test: a two-sided binomial test (``scipy.stats.binomtest``) of the
  discordant pairs (B met and A not, against A met and B not) with p = 1/2.

Every mix is judged against the *reference's* targets (the first file), so that a mix cannot
win by moving the goalposts; mixes that define a target differently are noted.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from scipy import stats

from .execution import Executor, executor_for
from .outputs import write_folder, write_json
from .results import (
    _public_columns,
    clopper_pearson,
    draw_columns,
    provenance,
    target_outcomes,
)
from .runner import Replicates, run_mixes
from .scenario import ConfigError, Scenario, month_index
from .schema import KPIS, Target
from .uncertainty import ParameterSetup, check_same_priors, design_words

__all__ = [
    "Comparison",
    "compare_mixes",
    "write_comparison",
    "newcombe_paired_ci",
    "mcnemar_exact",
    "paired_difference",
    "default_out",
    "format_comparison",
    "TALENT_KPI",
]

TALENT_KPI = "innovation_talents"
_LEVEL = 0.95


# ----------------------------------------------------------------------------------------------
# Statistics of paired binary outcomes


def _wilson(successes: int, n: int, z: float) -> tuple[float, float]:
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return float(centre - half), float(centre + half)


def newcombe_paired_ci(
    both: int, first_only: int, second_only: int, neither: int, level: float = _LEVEL
) -> tuple[float, float]:
    """Newcombe square-and-add interval for ``P(first) - P(second)`` from paired outcomes.

    Args:
        both: Pairs where both outcomes are successes.
        first_only: Pairs where only the first is a success.
        second_only: Pairs where only the second is a success.
        neither: Pairs where neither is.
        level: Confidence level.

    Returns:
        ``(low, high)``; ``(-1, 1)`` when there are no pairs.
    """
    n = both + first_only + second_only + neither
    if n == 0:
        return -1.0, 1.0
    z = float(stats.norm.ppf(0.5 + level / 2))
    s1, s2 = both + first_only, both + second_only
    p1, p2 = s1 / n, s2 / n
    l1, u1 = _wilson(s1, n, z)
    l2, u2 = _wilson(s2, n, z)
    # Correlation of the two estimates, with the continuity correction of Newcombe's method 10.
    margins = s1 * (n - s1) * s2 * (n - s2)
    phi = 0.0
    if margins > 0:
        a = both * neither - first_only * second_only
        if a > n / 2:
            phi = (a - n / 2) / np.sqrt(margins)
        elif a < 0:
            phi = a / np.sqrt(margins)
    d = p1 - p2
    low = d - np.sqrt(max(0.0, (p1 - l1) ** 2 + (u2 - p2) ** 2 - 2 * phi * (p1 - l1) * (u2 - p2)))
    high = d + np.sqrt(max(0.0, (p2 - l2) ** 2 + (u1 - p1) ** 2 - 2 * phi * (p2 - l2) * (u1 - p1)))
    return float(max(-1.0, low)), float(min(1.0, high))


def mcnemar_exact(first_only: int, second_only: int) -> float:
    """Two-sided exact McNemar p-value: binomial test of the discordant pairs at p = 1/2."""
    m = first_only + second_only
    if m == 0:
        return 1.0
    return float(stats.binomtest(first_only, m, 0.5).pvalue)


def paired_difference(mix: np.ndarray, ref: np.ndarray, level: float = _LEVEL) -> dict[str, Any]:
    """Paired comparison of two boolean outcome vectors (same replicate = same seed)."""
    mix, ref = np.asarray(mix, bool), np.asarray(ref, bool)
    both = int((mix & ref).sum())
    mix_only = int((mix & ~ref).sum())
    ref_only = int((~mix & ref).sum())
    neither = int((~mix & ~ref).sum())
    n = len(mix)
    lo, hi = newcombe_paired_ci(both, mix_only, ref_only, neither, level)
    return {
        "difference": (mix_only - ref_only) / n if n else 0.0,
        "ci_low": lo,
        "ci_high": hi,
        "both_met": both,
        "only_mix_met": mix_only,
        "only_reference_met": ref_only,
        "neither_met": neither,
        "mcnemar_p": mcnemar_exact(mix_only, ref_only),
    }


def _mean_ci(x: np.ndarray, level: float = _LEVEL) -> dict[str, float | None]:
    """Mean with a t interval (the paired-difference interval when x holds differences)."""
    n = len(x)
    mean = float(np.mean(x)) if n else 0.0
    if n < 2:
        return {"mean": mean, "ci_low": None, "ci_high": None}
    half = float(stats.t.ppf(0.5 + level / 2, n - 1) * np.std(x, ddof=1) / np.sqrt(n))
    return {"mean": mean, "ci_low": mean - half, "ci_high": mean + half}


# ----------------------------------------------------------------------------------------------
# The comparison


@dataclass
class Comparison:
    """Replicates of several mixes run with the same seeds, judged against the first's targets.

    Attributes:
        labels: One unique label per mix (scenario names, suffixed if repeated).
        reps: The replicates of each mix.
        targets: The reference mix's targets, applied to every mix.
        notes: Warnings, e.g. a mix defining a target differently from the reference.
    """

    labels: list[str]
    reps: list[Replicates]
    targets: tuple[Target, ...]
    notes: list[str]

    @property
    def reference(self) -> str:
        """Label of the reference mix (the first)."""
        return self.labels[0]

    @property
    def replicates(self) -> int:
        """Replicates per mix."""
        return self.reps[0].n

    def met(self, mix: int, target: Target) -> np.ndarray:
        """Per replicate: did mix ``mix`` meet ``target`` (as the reference defines it)?"""
        rep = self.reps[mix]
        m = month_index(rep.scenario.params.time.start, target.deadline)
        return target_outcomes(rep.kpi[:, :, KPIS.index(target.kpi)], target, m)[0]

    def met_all(self, mix: int) -> np.ndarray:
        """Per replicate: were all reference targets met?"""
        out = np.ones(self.replicates, dtype=bool)
        for t in self.targets:
            out &= self.met(mix, t)
        return out

    def costs(self, mix: int) -> dict[str, np.ndarray]:
        """Per replicate: total and public spending (million CNY) and final innovation talents."""
        sp = self.reps[mix].spending
        return {
            "total": sp.sum(axis=(1, 2)),
            "public": sp[:, :, _public_columns()].sum(axis=(1, 2)),
            "talents": self.reps[mix].kpi[:, -1, KPIS.index(TALENT_KPI)].astype(float),
        }

    def to_dict(self) -> dict[str, Any]:
        """The content of ``compare.json``."""
        ref = self.reference
        targets: dict[str, Any] = {}
        outcomes = [(t.kpi, t, lambda i, t=t: self.met(i, t)) for t in self.targets]
        outcomes.append(("all", None, self.met_all))
        for key, t, met in outcomes:
            entry: dict[str, Any] = {}
            if t is not None:
                entry.update(threshold=t.threshold, deadline=t.deadline, tolerance=t.tolerance)
            ref_met = met(0)
            entry["p_met"] = {}
            entry["vs_reference"] = {}
            for i, label in enumerate(self.labels):
                m = met(i)
                s = int(m.sum())
                lo, hi = clopper_pearson(s, len(m))
                entry["p_met"][label] = {
                    "p_met": s / len(m),
                    "ci_low": lo,
                    "ci_high": hi,
                    "successes": s,
                }
                if i:
                    entry["vs_reference"][label] = paired_difference(m, ref_met)
            targets[key] = entry
        ref_cost = self.costs(0)
        cost: dict[str, Any] = {}
        for i, label in enumerate(self.labels):
            c = self.costs(i)
            cost[label] = {
                "mean_total_cny_million": float(c["total"].mean()),
                "median_total_cny_million": float(np.median(c["total"])),
                "mean_public_cny_million": float(c["public"].mean()),
                "median_public_cny_million": float(np.median(c["public"])),
                f"mean_final_{TALENT_KPI}": float(c["talents"].mean()),
            }
            if i:
                cost[label]["vs_reference"] = _cost_difference(c, ref_cost)
        return {
            "kind": "compare",
            "reference": ref,
            "ranking": self.ranking(targets, cost),
            "mixes": [
                {
                    "label": lab,
                    "scenario": r.scenario.name,
                    "path": r.scenario.path,
                    "config_hash": r.scenario.config_hash,
                }
                for lab, r in zip(self.labels, self.reps, strict=True)
            ],
            "replicates": self.replicates,
            "base_seed": self.reps[0].base_seed,
            "seeds": list(self.reps[0].seeds),
            "parameters": {
                **self.reps[0].parameters.record(),
                "pinned": {
                    lab: list(r.parameters.pinned)
                    for lab, r in zip(self.labels, self.reps, strict=True)
                },
            },
            "methods": {
                "pairing": "replicate r of every mix runs with the same seed (common random "
                "numbers); outcomes are compared pair by pair",
                "parameters": _parameters_words(self.reps[0].parameters),
                "targets": f"every mix is judged against the targets of {ref!r}",
                "p_met_interval": "Clopper-Pearson exact 95 % interval",
                "difference": "P(mix met) - P(reference met) over paired replicates",
                "difference_interval": "Newcombe (1998) square-and-add interval for paired "
                "proportions (method 10, Wilson score limits, "
                "continuity-corrected correlation), 95 %",
                "test": "exact McNemar test: two-sided binomial test of the discordant pairs at "
                "p = 1/2 (scipy.stats.binomtest)",
                "cost": "spending summed over the horizon, million CNY; public = every account "
                "except private venture capital",
                "cost_interval": "t interval of the mean paired difference, 95 %",
                "cost_per_additional_talent": "mean paired difference in spending / mean paired "
                f"difference in final {TALENT_KPI}, thousand CNY "
                "per talent; null unless the mix adds talents at "
                "a non-negative cost",
            },
            "targets": targets,
            "cost": cost,
            "notes": self.notes,
        }

    def ranking(self, targets: dict[str, Any], cost: dict[str, Any]) -> list[dict[str, Any]]:
        """Mixes ranked: by P(all targets met), then expected targets met, then public cost.

        Expected targets met is the sum of the P(met); lower public spending ranks first.
        """
        rows = []
        for label in self.labels:
            expected = sum(e["p_met"][label]["p_met"] for key, e in targets.items() if key != "all")
            rows.append(
                {
                    "label": label,
                    "p_all_met": targets["all"]["p_met"][label]["p_met"],
                    "expected_targets_met": expected,
                    "mean_public_cny_million": cost[label]["mean_public_cny_million"],
                }
            )
        rows.sort(
            key=lambda r: (
                -r["p_all_met"],
                -r["expected_targets_met"],
                r["mean_public_cny_million"],
            )
        )
        for rank, row in enumerate(rows, start=1):
            row["rank"] = rank
        return rows

    def markdown(self, data: dict[str, Any] | None = None) -> str:
        """``compare.md``: the tables of :meth:`to_dict` for reading."""
        data = data or self.to_dict()
        ref = self.reference
        others = self.labels[1:]
        lines = [
            f"# Comparison: {' vs '.join(self.labels)}",
            "",
            f"{self.replicates} replicates per mix, base seed {data['base_seed']}. Replicate r of "
            "every mix uses the same seed (common random numbers), so outcomes are paired. "
            f"Parameters: {data['methods']['parameters']}. "
            f"Every mix is judged against the targets of **{ref}**.",
            "",
            "## Ranking",
            "",
            "By P(all targets met), then the expected number of targets met (the sum of the "
            "P(met)), then public spending.",
            "",
            "| rank | mix | P(all met) | expected targets met | public spending, mean "
            "(million CNY) |",
            "|---|---|---|---|---|",
            *[
                f"| {r['rank']} | {r['label']} | {r['p_all_met']:.2f} | "
                f"{r['expected_targets_met']:.2f} of {len(self.targets)} | "
                f"{r['mean_public_cny_million']:,.0f} |"
                for r in data["ranking"]
            ],
            "",
            "## P(target met)",
            "",
        ]
        head = [
            "target",
            "threshold",
            "deadline",
            *[f"{lab} P(met) [95% CI]" for lab in self.labels],
        ]
        for lab in others:
            head += [f"{lab} − {ref} [95% CI]", "McNemar p"]
        lines += ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        for key, entry in data["targets"].items():
            cells = [
                key if key != "all" else "**all targets**",
                f"{entry['threshold']:g}" if "threshold" in entry else "",
                entry.get("deadline", ""),
            ]
            for lab in self.labels:
                e = entry["p_met"][lab]
                cells.append(f"{e['p_met']:.2f} [{e['ci_low']:.2f}, {e['ci_high']:.2f}]")
            for lab in others:
                d = entry["vs_reference"][lab]
                cells += [
                    f"{d['difference']:+.2f} [{d['ci_low']:+.2f}, {d['ci_high']:+.2f}]",
                    f"{d['mcnemar_p']:.3g}",
                ]
            lines.append("| " + " | ".join(cells) + " |")
        lines += [
            "",
            "## Cost",
            "",
            "| mix | public spending, mean (million CNY) | total spending, mean | "
            f"final {TALENT_KPI}, mean | Δ public vs {ref} [95% CI] | Δ talents [95% CI] | "
            "public cost per additional talent (thousand CNY) |",
            "|---|---|---|---|---|---|---|",
        ]
        for lab in self.labels:
            c = data["cost"][lab]
            cells = [
                lab,
                f"{c['mean_public_cny_million']:,.0f}",
                f"{c['mean_total_cny_million']:,.0f}",
                f"{c[f'mean_final_{TALENT_KPI}']:,.0f}",
            ]
            if "vs_reference" in c:
                v = c["vs_reference"]
                cells += [
                    _fmt_ci(v["public_cny_million"]),
                    _fmt_ci(v[TALENT_KPI]),
                    _fmt_opt(v["public_cost_per_additional_talent_cny_thousand"])
                    + (f" ({v['note']})" if v.get("note") else ""),
                ]
            else:
                cells += ["(reference)", "", ""]
            lines.append("| " + " | ".join(cells) + " |")
        lines += ["", "## Methods", ""]
        lines += [f"- **{k.replace('_', ' ')}**: {v}." for k, v in data["methods"].items()]
        if self.notes:
            lines += ["", "## Notes", ""] + [f"- {n}" for n in self.notes]
        return "\n".join(lines) + "\n"

    def figure(self, data: dict[str, Any] | None = None):
        """P(met) per target for every mix, and each mix's paired difference to the reference.

        Returns a matplotlib Figure (object API only: no pyplot, no backend change).
        """
        from matplotlib.figure import Figure

        data = data or self.to_dict()
        keys = list(data["targets"])
        y = np.arange(len(keys))[::-1]
        fig = Figure(figsize=(12, 0.45 * len(keys) + 2.0), layout="constrained")
        ax1, ax2 = fig.subplots(1, 2, sharey=True)
        k = len(self.labels)
        offsets = (np.arange(k) - (k - 1) / 2) * min(0.6 / k, 0.2)
        for i, lab in enumerate(self.labels):
            p = np.array([data["targets"][t]["p_met"][lab]["p_met"] for t in keys])
            lo = np.array([data["targets"][t]["p_met"][lab]["ci_low"] for t in keys])
            hi = np.array([data["targets"][t]["p_met"][lab]["ci_high"] for t in keys])
            ax1.errorbar(
                p,
                y - offsets[i],
                xerr=[p - lo, hi - p],
                fmt="o",
                ms=4,
                capsize=2,
                label=lab,
                color=f"C{i}",
            )
            if i:
                d = np.array([data["targets"][t]["vs_reference"][lab]["difference"] for t in keys])
                dl = np.array([data["targets"][t]["vs_reference"][lab]["ci_low"] for t in keys])
                dh = np.array([data["targets"][t]["vs_reference"][lab]["ci_high"] for t in keys])
                ax2.errorbar(
                    d,
                    y - offsets[i],
                    xerr=[d - dl, dh - d],
                    fmt="o",
                    ms=4,
                    capsize=2,
                    label=lab,
                    color=f"C{i}",
                )
        ax1.set_yticks(y, [t if t != "all" else "all targets" for t in keys])
        ax1.set_xlim(-0.02, 1.02)
        ax1.set_xlabel("P(target met), 95 % Clopper-Pearson interval")
        ax1.legend(loc="lower right", fontsize="small")
        ax1.grid(axis="x", alpha=0.3)
        ax2.axvline(0.0, color="0.4", lw=0.8)
        ax2.set_xlim(-1.02, 1.02)
        ax2.set_xlabel(f"paired difference vs {self.reference}, 95 % Newcombe interval")
        ax2.grid(axis="x", alpha=0.3)
        if k > 1:
            ax2.legend(loc="lower right", fontsize="small")
        fig.suptitle(f"{' vs '.join(self.labels)}: {self.replicates} replicates, same seeds")
        return fig


def _parameters_words(design) -> str:
    if design.setup.fixed:
        return "every replicate runs the scenario's own parameter values (fixed)"
    return (
        f"{design.draws} parameter draws ({design.setup.mode}) x {design.seeds_per_draw} seeds; "
        "replicate r of every mix runs the same draw and the same seed, except the uncertain "
        "parameters a mix sets itself"
    )


def _cost_difference(c: dict[str, np.ndarray], ref: dict[str, np.ndarray]) -> dict[str, Any]:
    d_total = c["total"] - ref["total"]
    d_public = c["public"] - ref["public"]
    d_talents = c["talents"] - ref["talents"]
    out: dict[str, Any] = {
        "total_cny_million": _mean_ci(d_total),
        "public_cny_million": _mean_ci(d_public),
        TALENT_KPI: _mean_ci(d_talents),
    }
    talents = float(d_talents.mean())
    note = None
    for kind, diff in (("public", d_public), ("total", d_total)):
        cost = float(diff.mean())
        key = f"{kind}_cost_per_additional_talent_cny_thousand"
        if talents > 0 and cost >= 0:
            out[key] = 1000.0 * cost / talents
        else:
            out[key] = None
            if talents <= 0:
                note = "no additional talents"
            elif kind == "public":
                note = "more talents at a lower public cost"
    out["note"] = note
    return out


def _fmt_ci(d: dict[str, float | None]) -> str:
    if d["ci_low"] is None:
        return f"{d['mean']:+,.0f}"
    return f"{d['mean']:+,.0f} [{d['ci_low']:+,.0f}, {d['ci_high']:+,.0f}]"


def _fmt_opt(v: float | None) -> str:
    return "–" if v is None else f"{v:,.1f}"


def _labels(scenarios: Sequence[Scenario]) -> list[str]:
    out: list[str] = []
    for sc in scenarios:
        label, k = sc.name, 2
        while label in out:
            label, k = f"{sc.name}_{k}", k + 1
        out.append(label)
    return out


def compare_mixes(
    scenarios: Sequence[Scenario],
    replicates: int = 100,
    seed: int = 0,
    workers: int = 1,
    progress: Callable[[int], None] | None = None,
    *,
    executor: Executor | None = None,
    parameters: ParameterSetup | None = None,
    share: bool = True,
) -> Comparison:
    """Run every mix with the same replicate seeds (and the same parameter draws).

    Mixes that differ only in levers starting after month 1 simulate the months they share once
    per replicate and fork from there (:func:`qcy_sim.runner.run_mixes`): the same numbers as
    straight runs, in less time.

    Args:
        scenarios: Two or more validated scenarios; the first is the reference. All must share
            ``time.start`` and ``time.horizon_months``.
        replicates: Replicates per mix.
        seed: Base seed (the same replicate seeds for every mix).
        workers: Processes without ``executor`` (1 runs in this process).
        progress: Called with the number of replicates just finished.
        executor: Where replicates run (:mod:`qcy_sim.execution`); started once for all mixes.
        parameters: How replicates draw their parameters (default ``fixed``). Every mix runs
            the same ``K`` draws x ``R`` seeds; a mix keeps the uncertain parameters it sets
            itself (:func:`qcy_sim.uncertainty.pinned_keys`), noted in ``notes``.
        share: False runs every mix straight (the same numbers).

    Raises:
        ConfigError: A mix with another start month or horizon than the reference, or (with
            drawn parameters) other uncertain parameters or priors than the reference.
    """
    if len(scenarios) < 2:
        raise ValueError("compare needs at least two mixes")
    ref = scenarios[0]
    for sc in scenarios[1:]:
        for key, a, b in (
            ("time.start", ref.params.time.start, sc.params.time.start),
            ("time.horizon_months", ref.horizon, sc.horizon),
        ):
            if a != b:
                raise ConfigError(
                    sc.path,
                    key,
                    f"{a!r} as in {ref.path} (mixes are compared month by month)",
                    repr(b),
                )
    labels = _labels(scenarios)
    if parameters is not None and not parameters.fixed:
        check_same_priors(ref, scenarios[1:])
    notes = []
    for label, sc in zip(labels[1:], scenarios[1:], strict=True):
        own = {t.kpi: t for t in sc.targets}
        for t in ref.targets:
            if own.get(t.kpi) != t:
                notes.append(
                    f"{label} defines {t.kpi} differently "
                    f"({'not at all' if t.kpi not in own else own[t.kpi]}); "
                    f"it is judged against {labels[0]}'s {t}"
                )
    executor = executor_for(workers, executor)
    with executor:
        reps = run_mixes(
            list(scenarios), replicates, seed, executor, progress, parameters, share=share
        )
    if parameters is not None and not parameters.fixed:
        ref_pinned = set(reps[0].parameters.pinned)
        for label, rep in zip(labels, reps, strict=True):
            own = [k for k in rep.parameters.pinned if k not in ref_pinned]
            if own:
                notes.append(
                    f"{label} sets {len(own)} uncertain parameter(s) itself and keeps them "
                    f"({', '.join(own[:4])}{', ...' if len(own) > 4 else ''}); "
                    "the other parameters follow the common draws"
                )
    return Comparison(labels, reps, ref.targets, notes)


def default_out(labels: Sequence[str]) -> Path:
    """``results/compare-<labels joined by _vs_>``."""
    return Path("results") / f"compare-{'_vs_'.join(labels)}"


def _runs_table(comp: Comparison):
    import pandas as pd

    frames = []
    for i, (label, rep) in enumerate(zip(comp.labels, comp.reps, strict=True)):
        cols: dict[str, Any] = {
            "mix": label,
            "replicate": np.arange(rep.n),
            "seed": np.array(rep.seeds, dtype=np.uint64),
        }
        for j, name in enumerate(KPIS):
            cols[name] = rep.kpi[:, -1, j].astype(np.int64)
        for t in comp.targets:
            cols[f"met_{t.kpi}"] = comp.met(i, t)
        cols["met_all"] = comp.met_all(i)
        c = comp.costs(i)
        cols["total_spending_cny_million"] = c["total"]
        cols["public_spending_cny_million"] = c["public"]
        cols.update(draw_columns(rep.design, rep.n))
        frames.append(pd.DataFrame(cols))
    return pd.concat(frames, ignore_index=True)


def write_comparison(
    comp: Comparison,
    out_dir: str | Path,
    manifest_extra: dict[str, Any] | None = None,
    figures: bool = True,
    data_extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Write ``compare.json``, ``compare.md``, ``runs.parquet``, ``compare.png`` and the manifest.

    Written into a sibling temporary folder that replaces ``out_dir`` only when complete
    (:func:`qcy_sim.outputs.write_folder`). ``data_extra`` is merged into ``compare.json``.
    """

    def build(tmp: Path) -> dict[str, Any]:
        data = comp.to_dict()
        data.update(data_extra or {})
        write_json(tmp / "compare.json", data)
        (tmp / "compare.md").write_text(comp.markdown(data), encoding="utf-8")
        _runs_table(comp).to_parquet(tmp / "runs.parquet", index=False)
        if figures:
            comp.figure(data).savefig(tmp / "compare.png", dpi=120)
        manifest = provenance(
            {
                "kind": "compare",
                "mixes": data["mixes"],
                "base_seed": data["base_seed"],
                "replicates": data["replicates"],
                "seeds": data["seeds"],
                "scenarios_resolved": {
                    lab: r.scenario.to_dict() for lab, r in zip(comp.labels, comp.reps, strict=True)
                },
            }
        )
        manifest.update(manifest_extra or {})
        write_json(tmp / "manifest.json", manifest)
        return data

    return write_folder(out_dir, build)


def format_comparison(data: dict[str, Any]) -> str:
    """A compact text table of ``compare.json`` for the terminal."""
    labels = [m["label"] for m in data["mixes"]]
    ref, others = labels[0], labels[1:]
    w = max(12, *(len(k) for k in data["targets"]))
    head = f"{'target':<{w}}" + "".join(f"{lab[:14]:>16}" for lab in labels)
    head += "".join(f"{('Δ ' + lab)[:22]:>24}{'McNemar p':>11}" for lab in others)
    drawn = f"parameters {design_words(data.get('parameters'))}"
    lines = [
        f"{' vs '.join(labels)}: {data['replicates']} replicates each, same seeds "
        f"(base seed {data['base_seed']}; {drawn}); P(met) per target",
        head,
        "-" * len(head),
    ]
    for key, entry in data["targets"].items():
        line = f"{('all targets' if key == 'all' else key):<{w}}"
        for lab in labels:
            line += f"{entry['p_met'][lab]['p_met']:>16.2f}"
        for lab in others:
            d = entry["vs_reference"][lab]
            ci = f"{d['difference']:+.2f} [{d['ci_low']:+.2f},{d['ci_high']:+.2f}]"
            line += f"{ci:>24}{d['mcnemar_p']:>11.3g}"
        lines.append(line)
    lines.append("-" * len(head))
    ranks = ", ".join(
        f"{r['rank']}. {r['label']} ({r['expected_targets_met']:.1f} targets expected)"
        for r in data["ranking"]
    )
    lines.append(f"ranking: {ranks}")
    for lab in labels:
        c = data["cost"][lab]
        line = (
            f"{lab}: public spending {c['mean_public_cny_million']:,.0f} million CNY "
            f"(mean), final {TALENT_KPI} {c[f'mean_final_{TALENT_KPI}']:,.0f}"
        )
        if "vs_reference" in c:
            v = c["vs_reference"]
            per = v["public_cost_per_additional_talent_cny_thousand"]
            line += (
                f"; vs {ref}: {v['public_cny_million']['mean']:+,.0f} million CNY, "
                f"{v[TALENT_KPI]['mean']:+,.0f} talents, "
                + (
                    f"{per:,.1f} thousand CNY per additional talent"
                    if per is not None
                    else v.get("note") or "no cost per talent"
                )
            )
        lines.append(line)
    return "\n".join(lines)
