"""The talent flow of :mod:`reference` written with mesa-frames (agents as Polars DataFrames).

The same rules as ``MesaFlow`` in ``benchmarks/reference.py`` — arrival by binary logit against
the outside option, matching ``M = round(A U^a V^(1-a))`` in two segments, retention with the
hazard ``exit_base x exp(exit_coef x max(D, 0))`` — with the agents of each kind held in one
``AgentSetPolars`` (one row per agent) and every rule applied to all of them at once with Polars
expressions, as mesa-frames is meant to be used. Draws come from ``model.random`` (a numpy
``Generator``), one array per rule and month.

mesa-frames pins its own numpy (``mesa-frames 0.1.0a0``: numpy < 2), so it lives in a virtual
environment of its own and this file imports neither qcy_sim nor mesa: the parameters and the
initial state arrive as files written by ``benchmarks/run.py`` (``FlowParams`` as JSON, the
state as ``.npz``; :func:`write_inputs` there). Run standalone:

    .venv-frames/bin/python benchmarks/reference_frames.py PARAMS.json STATE.npz \
        --months 6 --seeds 0 1 2

It prints one JSON object: per seed, the seconds the months took (construction not timed) and
the KPI rows (``residents, employed, arrivals, matches, departures``).
"""

from __future__ import annotations

import argparse
import json
import math
import time

import numpy as np
import polars as pl
from mesa_frames import AgentSetPolars, ModelDF

HOUSING_MONTHS = 36  # newcomers are eligible for talent housing this long (nobody is housed)


def table(values) -> pl.Expr:
    """A small lookup table (by kind, level, origin) as an expression to ``gather`` from."""
    return pl.lit(pl.Series(values, dtype=pl.Float64))


class Firms(AgentSetPolars):
    """Employers: desired staff, staff, productivity; institutes employ scientists."""

    def __init__(self, model: FramesFlow, state: dict[str, np.ndarray]):
        super().__init__(model)
        n = state["firm_kind"].shape[0]
        self.add(
            pl.DataFrame(
                {
                    "unique_id": np.arange(n, dtype=np.int64) + model.next_id(n),
                    "institute": state["firm_kind"] == model.codes["FIRM_INSTITUTE"],
                    "desired": state["desired"].astype(np.float64),
                    "productivity": state["productivity"].astype(np.float64),
                    "staff": np.zeros(n, dtype=np.int64),
                }
            )
        )

    def vacancies(self, institutes: bool) -> pl.Series:
        """One firm id per open position of the segment: ``ceil(desired) - staff``."""
        open_posts = (pl.col("desired").ceil().cast(pl.Int64) - pl.col("staff")).clip(0)
        return (
            self.agents.filter(pl.col("institute") == institutes)
            .select(pl.col("unique_id").repeat_by(open_posts).explode())
            .drop_nulls()
            .to_series()
        )

    def staff_change(self, employers: pl.Series, sign: int) -> None:
        """Add ``sign`` to the staff of each firm once per occurrence in ``employers``."""
        if employers.len() == 0:
            return
        change = employers.value_counts(name="n").rename({employers.name: "unique_id"})
        self.agents = (
            self.agents.join(change, on="unique_id", how="left")
            .with_columns((pl.col("staff") + sign * pl.col("n").fill_null(0)).alias("staff"))
            .drop("n")
        )

    def step(self) -> None:
        """Desired staff grows by the month's drift."""
        self.agents = self.agents.with_columns(pl.col("desired") * self.model.growth)


class Talents(AgentSetPolars):
    """Resident innovation talents, one row each."""

    def __init__(self, model: FramesFlow, state: dict[str, np.ndarray]):
        super().__init__(model)
        t = {name[2:]: state[name] for name in state if name.startswith("t_")}
        n = t["kind"].shape[0]
        employed = t["status"] == model.codes["EMPLOYED"]
        self.add(
            pl.DataFrame(
                {
                    "unique_id": np.arange(n, dtype=np.int64) + model.next_id(n),
                    "kind": t["kind"].astype(np.int64),
                    "field": t["field"].astype(np.int64),
                    "level": t["level"].astype(np.int64),
                    "level_since": t["level_since"].astype(np.int64),
                    "ability": t["ability"].astype(np.float64),
                    "titled": t["titled"].astype(bool),
                    "expectation": t["expectation"].astype(np.float64),
                    "arrived": t["arrived"].astype(np.int64),
                    "search_since": t["search_since"].astype(np.int64),
                    "employed": employed,
                    "employer": np.where(employed, t["employer"], -1).astype(np.int64),
                    "wage": np.where(employed, t["wage"], 0.0).astype(np.float64),
                }
            )
        )

    def step(self) -> None:
        """A month of career for every talent: ability, recognition, the departure decision."""
        model, fp, m = self.model, self.model.fp, self.model.month
        mult = table(fp["level_mult"])
        n = len(self)
        df = self.agents.with_columns(
            pl.col("ability") + fp["ability_growth"],
            pl.Series("u_apply", model.random.random(n)),
            pl.Series("u_exit", model.random.random(n)),
        )
        if model.batch(m):
            margin = pl.when(pl.col("titled")).then(0.0).otherwise(fp["untitled_margin"])
            target = (
                pl.when(pl.col("ability") >= fp["th_high_level"] + margin)
                .then(2)
                .when(pl.col("ability") >= fp["th_high_end"] + margin)
                .then(1)
                .otherwise(0)
            )
            df = df.with_columns(target.alias("target"))
            up = (
                (pl.col("level") < 2)
                & (pl.col("target") > pl.col("level"))
                & (pl.col("u_apply") < fp["apply_share"])
            )
            raise_by = mult.gather(pl.col("target")) / mult.gather(pl.col("level"))
            df = df.with_columns(
                pl.when(up & pl.col("employed"))
                .then(pl.col("wage") * raise_by)
                .otherwise(pl.col("wage"))
                .alias("wage"),
                pl.when(up).then(pl.col("target")).otherwise(pl.col("level")).alias("level"),
                pl.when(up).then(m).otherwise(pl.col("level_since")).alias("level_since"),
            ).drop("target")
        searching = ~pl.col("employed")
        d = (
            fp["d_services_gap"]
            + pl.when(pl.col("employed") & (pl.col("wage") < pl.col("expectation")))
            .then(fp["d_wage"] * (pl.col("expectation") / pl.col("wage")).log())
            .otherwise(0.0)
            + pl.when(m - pl.col("arrived") <= HOUSING_MONTHS).then(fp["d_unhoused"]).otherwise(0.0)
            + pl.when(searching)
            .then(fp["d_search"] * (m - pl.col("search_since")) / 12.0)
            .otherwise(0.0)
        )
        h = fp["exit_base"] * (fp["exit_coef"] * d.clip(lower_bound=0.0)).exp()
        h = pl.when(searching).then(1.0 - (1.0 - h) * (1.0 - fp["search_exit"])).otherwise(h)
        df = df.with_columns((pl.col("u_exit") < h).alias("leaves"))
        leaving = df.filter(pl.col("leaves"))
        model.firms.staff_change(leaving.filter(pl.col("employed"))["employer"], -1)
        model.departures += leaving.height
        self.agents = df.drop("u_apply", "u_exit", "leaves")
        self.discard(leaving["unique_id"])


class FramesFlow(ModelDF):
    """The talent flow as a mesa-frames model: a ``Talents`` and a ``Firms`` agent set.

    Args:
        fp: The ``FlowParams`` of ``benchmarks/reference.py`` as a dict (tuples as lists).
        codes: ``EMPLOYED``, ``SEARCHING``, ``SCIENTIST``, ``FIRM_INSTITUTE`` (qcy_sim's codes).
        seed: Seed of ``model.random``.
        state: The initial state (``firm_kind``, ``desired``, ``productivity``, and ``t_<prop>``
            for the talents' properties).
    """

    def __init__(self, fp: dict, codes: dict, seed: int, state: dict[str, np.ndarray]):
        super().__init__(seed=int(seed))
        self.fp, self.codes = fp, codes
        self.month = 0
        self.departures = 0
        self._next = 0
        self.growth = math.exp(fp["desired_growth_per_month"])
        self.firms = Firms(self, state)
        self.talents = Talents(self, state)
        self.agents += self.firms
        self.agents += self.talents
        staff = self.talents.agents.filter(pl.col("employed"))["employer"]
        self.firms.staff_change(staff, +1)
        self.kpis = [self._kpi_row(0, 0, 0)]

    def next_id(self, n: int) -> int:
        """The first of ``n`` new unique ids."""
        first, self._next = self._next, self._next + n
        return first

    def batch(self, month: int) -> bool:
        """Whether a recognition batch is held in ``month`` (the run starts in January)."""
        b = self.fp["batches_per_year"]
        return b > 0 and ((month - 1) % 12 + 1) % (12 // b) == 0

    def _kpi_row(self, arrivals: int, matches: int, departures: int) -> tuple[int, ...]:
        t = self.talents.agents
        return (t.height, int(t["employed"].sum()), arrivals, matches, departures)

    def arrive(self) -> int:
        """Candidates of each origin decide between the area and their outside option."""
        fp, m, rnd = self.fp, self.month, self.random
        frames = []
        for origin, n in enumerate(fp["candidates"]):
            if n <= 0:
                continue
            cum = np.cumsum(fp["kind_shares"][origin])
            kind = np.minimum(np.searchsorted(cum, rnd.random(n), side="right"), len(cum) - 1)
            cum_f = np.cumsum(fp["field_shares"])
            field = np.minimum(np.searchsorted(cum_f, rnd.random(n), side="right"), len(cum_f) - 1)
            frames.append(
                pl.DataFrame(
                    {
                        "origin": np.full(n, origin),
                        "kind": kind.astype(np.int64),
                        "field": field.astype(np.int64),
                        "z_ability": rnd.standard_normal(n),
                        "u_title": rnd.random(n),
                        "z_expect": rnd.standard_normal(n),
                        "u_choice": rnd.random(n),
                    }
                )
            )
        if not frames:
            return 0
        mult = table(fp["level_mult"])
        shift = table(fp["ability_shift"])
        c = pl.concat(frames).with_columns(
            (
                shift.gather(pl.col("kind"))
                + pl.when(pl.col("origin") == 1).then(fp["overseas_shift"]).otherwise(0.0)
                + fp["ability_sd"] * pl.col("z_ability")
            ).alias("ability")
        )
        c = c.with_columns(
            pl.when(pl.col("ability") >= fp["th_high_level"])
            .then(2)
            .when(pl.col("ability") >= fp["th_high_end"])
            .then(1)
            .otherwise(0)
            .alias("lvl"),
            (pl.col("u_title") < fp["recognised_share"]).alias("titled"),
        )
        c = c.with_columns(
            pl.when(pl.col("titled")).then(pl.col("lvl")).otherwise(0).alias("rec"),
        ).with_columns(
            (
                fp["expectation_ratio"]
                * mult.gather(pl.col("lvl"))
                * (fp["expect_sd"] * pl.col("z_expect")).exp()
            ).alias("expectation")
        )
        area = (
            table(fp["asc"]).gather(pl.col("origin"))
            + fp["beta_wage"] * (mult.gather(pl.col("rec")) / pl.col("expectation")).log()
            + fp["beta_award"] * table(fp["awards"]).gather(pl.col("rec")) / 100.0
            + table(fp["region_utility"]).gather(pl.col("kind"))
        ).exp()
        total = 1.0 + area
        for pay, subsidy, other in zip(
            fp["rival_pay"], fp["rival_subsidy"], fp["rival_utility"], strict=True
        ):
            v = fp["beta_wage"] * (pay * mult.gather(pl.col("lvl")) / pl.col("expectation")).log()
            total = (
                total
                + (
                    v + fp["beta_award"] * table(subsidy).gather(pl.col("lvl")) / 100.0 + other
                ).exp()
            )
        came = c.filter(pl.col("u_choice") < area / total)
        k = came.height
        if k:
            self.talents.add(
                came.select(
                    pl.Series("unique_id", np.arange(k, dtype=np.int64) + self.next_id(k)),
                    "kind",
                    "field",
                    pl.col("rec").alias("level"),
                    pl.when(pl.col("rec") > 0).then(m).otherwise(-1).alias("level_since"),
                    "ability",
                    "titled",
                    "expectation",
                    pl.lit(m, dtype=pl.Int64).alias("arrived"),
                    pl.lit(m, dtype=pl.Int64).alias("search_since"),
                    pl.lit(False).alias("employed"),
                    pl.lit(-1, dtype=pl.Int64).alias("employer"),
                    pl.lit(0.0).alias("wage"),
                )
            )
        return k

    def match(self) -> int:
        """Match searchers to vacancies in both segments with M = A U^a V^(1-a)."""
        fp, rnd, total = self.fp, self.random, 0
        scientist = self.codes["SCIENTIST"]
        mult = table(fp["level_mult"])
        for institutes in (True, False):
            slots = self.firms.vacancies(institutes)
            t = self.talents.agents
            in_segment = (pl.col("kind") == scientist) == institutes
            searchers = t.filter(~pl.col("employed") & in_segment)["unique_id"]
            u, v = searchers.len(), slots.len()
            if not u or not v:
                continue
            n = fp["efficiency"] * u ** fp["elasticity"] * v ** (1.0 - fp["elasticity"])
            n = min(int(math.floor(n + 0.5)), u, v)
            hired = pl.DataFrame(
                {
                    "unique_id": searchers.to_numpy()[rnd.choice(u, n, replace=False)],
                    "firm": slots.to_numpy()[rnd.choice(v, n, replace=False)],
                }
            )
            pay = self.firms.agents.select(pl.col("unique_id").alias("firm"), "productivity")
            hired = hired.join(pay, on="firm", how="left")
            self.talents.agents = (
                t.join(hired, on="unique_id", how="left")
                .with_columns(
                    pl.col("employed") | pl.col("firm").is_not_null(),
                    pl.coalesce("firm", "employer").alias("employer"),
                    pl.when(pl.col("firm").is_not_null())
                    .then(mult.gather(pl.col("level")) * pl.col("productivity"))
                    .otherwise(pl.col("wage"))
                    .alias("wage"),
                )
                .drop("firm", "productivity")
            )
            self.firms.staff_change(hired["firm"], +1)
            total += n
        return total

    def step(self) -> None:
        """One month: arrivals, matching, then every agent set's step."""
        self.month += 1
        self.departures = 0
        arrivals = self.arrive()
        matches = self.match()
        self.agents.step()
        self.kpis.append(self._kpi_row(arrivals, matches, self.departures))

    def run(self, months: int) -> np.ndarray:
        """Step ``months`` months; return the KPI rows so far."""
        for _ in range(months):
            self.step()
        return np.array(self.kpis)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("params", help="JSON: {'fp': FlowParams as a dict, 'codes': {...}}")
    ap.add_argument("state", help=".npz of the initial state")
    ap.add_argument("--months", type=int, default=6)
    ap.add_argument("--seeds", type=int, nargs="+", default=[0])
    args = ap.parse_args()
    spec = json.loads(open(args.params, encoding="utf-8").read())
    with np.load(args.state) as npz:
        state = {name: npz[name] for name in npz.files}
    runs = []
    for seed in args.seeds:
        model = FramesFlow(spec["fp"], spec["codes"], seed, state)
        c0, t0 = time.process_time(), time.perf_counter()
        kpis = model.run(args.months)
        runs.append(
            {
                "seed": seed,
                "s": time.perf_counter() - t0,
                "cpu_s": time.process_time() - c0,
                "kpis": kpis.tolist(),
            }
        )
    import mesa_frames

    print(json.dumps({"mesa_frames": mesa_frames.__version__, "polars": pl.__version__,
                      "runs": runs}))  # fmt: skip


if __name__ == "__main__":
    main()
