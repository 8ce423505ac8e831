"""The ``qcy`` command line.

Every user error (a bad file, a bad flag) prints one message and exits with code 2, without a
traceback; nothing is written.
"""

from __future__ import annotations

import argparse
import shutil
import signal
import sys
import time
from pathlib import Path

from .execution import ClusterLost, RunFailed
from .exits import (
    EXIT_FAILED,
    EXIT_NO_WORKERS,
    EXIT_USAGE,
    catch_signals,
    environment_error,
    interrupted_code,
    log_warnings,
    reset,
    signal_name,
)
from .scenario import ConfigError, load_scenario

__all__ = ["main"]


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # noqa: D102 - argparse's hook
        self.print_usage(sys.stderr)
        print(f"{self.prog}: error: {message}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def _whole(minimum: int, what: str = "a number"):
    """An argparse type: a whole number >= ``minimum``."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, found {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"expected {what} >= {minimum}, found {value}")
        return value

    return parse


_positive = _whole(1)
_seed = _whole(0, "a seed")
_count = _whole(0)


def _fraction(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, found {text!r}") from None
    if not 0.0 < value < 1.0 or value != value:
        raise argparse.ArgumentTypeError(f"expected a number between 0 and 1, found {text}")
    return value


def _precision(text: str) -> float:
    value = _fraction(text)
    if value >= 0.5:
        raise argparse.ArgumentTypeError(f"expected a half-width below 0.5, found {text}")
    return value


def _probability(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a probability, found {text!r}") from None
    if not 0.0 < value <= 1.0:
        raise argparse.ArgumentTypeError(f"expected a probability in (0, 1], found {text}")
    return value


def _add_precision(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--precision",
        type=_precision,
        default=None,
        help="add replicates until every 95 %% interval of P(met) has a half-width "
        "below this, e.g. 0.02 (starting from --replicates)",
    )
    p.add_argument(
        "--max-replicates", type=_positive, default=None, help="cap of --precision (default 2000)"
    )


def _add_safety(p: argparse.ArgumentParser, force: bool = True) -> None:
    p.add_argument(
        "--overwrite",
        action="store_true",
        help="replace the previous qcy result in --out (only qcy's own files are removed)",
    )
    if force:
        p.add_argument(
            "--force",
            action="store_true",
            help="run even if the memory or time estimate exceeds this machine",
        )


def _integer(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, found {text!r}") from None


def _add_parameters(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--parameters",
        choices=("fixed", "prior", "posterior"),
        default=None,
        help="the uncertain parameters of each replicate: the scenario's own values (fixed), "
        "draws from the priors, or from the posterior sample (default: posterior when the "
        "scenario names one, else prior)",
    )
    p.add_argument(
        "--posterior",
        default=None,
        metavar="FILE",
        help="posterior sample (Parquet) instead of the scenario's; implies --parameters posterior",
    )
    p.add_argument(
        "--seeds-per-draw",
        type=_integer,
        default=4,
        metavar="R",
        help="seeds run under each parameter draw (default 4): N replicates become "
        "ceil(N/R) draws x R seeds",
    )


def _parameters(args, scenario):
    """The checked parameter setup of ``--parameters``, ``--posterior``, ``--seeds-per-draw``."""
    from .uncertainty import parameter_setup

    return parameter_setup(scenario, args.parameters, args.posterior, args.seeds_per_draw)


def _add_executor(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--executor",
        choices=("serial", "local", "dask"),
        default=None,
        help="serial (in-process), local (process pool, the default) or dask; "
        "the results are identical",
    )
    p.add_argument(
        "--workers",
        type=_positive,
        default=None,
        help="processes or Dask workers (default: all cores; 1 without --executor runs in-process)",
    )
    p.add_argument(
        "--scheduler",
        default=None,
        help="address of a running Dask scheduler, e.g. tcp://HOST:8786 (implies --executor dask)",
    )


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``qcy``."""
    parser = _Parser(prog="qcy", description="Agent-based simulation of the Xixian talent plan.")
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)

    p = sub.add_parser("run", help="run replicates of a scenario and write results")
    p.add_argument("scenario", help="scenario file (TOML)")
    p.add_argument("--replicates", type=_positive, default=100, help="replicates (default 100)")
    p.add_argument("--seed", type=_seed, default=0, help="base seed (default 0)")
    _add_parameters(p)
    _add_executor(p)
    p.add_argument("--out", default=None, help="output folder (default results/<scenario name>)")
    _add_safety(p)
    p.add_argument("--no-figures", action="store_true", help="skip the fan charts")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    _add_precision(p)

    p = sub.add_parser("validate", help="check scenario or experiment files without running them")
    p.add_argument("files", nargs="+", help="scenario or experiment files")

    p = sub.add_parser("sweep", help="run the sweep of an experiment file (resumable)")
    p.add_argument("experiment", help="experiment file (TOML)")
    _add_parameters(p)
    _add_executor(p)
    p.add_argument("--out", default=None, help="output folder (default results/sweep-<name>)")
    p.add_argument(
        "--resume",
        action="store_true",
        help="finish the sweep saved in --out: run only what is missing",
    )
    p.add_argument(
        "--retry-failed",
        action="store_true",
        help="also run again the runs saved as failed (implies --resume)",
    )
    _add_safety(p)
    p.add_argument("--quiet", action="store_true", help="no progress bar")

    p = sub.add_parser("compare", help="compare policy mixes on the same seeds")
    p.add_argument(
        "scenarios", nargs="+", help="two or more scenario files; the first is the reference"
    )
    p.add_argument("--replicates", type=_positive, default=100, help="replicates (default 100)")
    p.add_argument("--seed", type=_seed, default=0, help="base seed (default 0)")
    _add_parameters(p)
    _add_executor(p)
    p.add_argument(
        "--out", default=None, help="output folder (default results/compare-<names joined by _vs_>)"
    )
    _add_safety(p)
    p.add_argument("--no-figures", action="store_true", help="skip the comparison figure")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    _add_precision(p)

    p = sub.add_parser("levers", help="the plan's 27 tasks and the scenario keys that drive them")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")

    p = sub.add_parser("sensitivity", help="Sobol' or Morris indices of an experiment (SALib)")
    p.add_argument("experiment", help="experiment file with a sobol or morris design (TOML)")
    p.add_argument(
        "--target",
        action="append",
        default=None,
        metavar="KPI",
        help="analyse P(target met) (repeatable; 'all' = all targets together); "
        "default: every recorded target and all",
    )
    p.add_argument(
        "--kpi",
        action="append",
        default=None,
        metavar="KPI",
        help="analyse the mean final value of a KPI (repeatable)",
    )
    p.add_argument(
        "--sweep",
        default=None,
        metavar="DIR",
        help="reuse this finished sweep of the experiment instead of running it",
    )
    p.add_argument(
        "--out",
        default=None,
        help="output folder (default results/sensitivity-<name>; the sweep goes to "
        "<out>/sweep unless --sweep)",
    )
    _add_executor(p)
    p.add_argument("--no-figures", action="store_true", help="skip sensitivity.png")
    p.add_argument("--quiet", action="store_true", help="no progress bar")

    p = sub.add_parser("discover", help="PRIM boxes of the runs of a sweep that miss a target")
    p.add_argument("sweep_dir", help="a finished sweep folder (qcy sweep --out DIR)")
    p.add_argument(
        "--target",
        required=True,
        metavar="KPI",
        help="the target whose misses are explained ('all' = any target missed)",
    )
    p.add_argument(
        "--by",
        choices=("run", "point"),
        default="run",
        help="cases: every run (default) or every point (missed if its share of "
        "missing runs >= --threshold)",
    )
    p.add_argument(
        "--threshold",
        type=_fraction,
        default=0.5,
        help="with --by point: share of missing runs that makes a miss (default 0.5)",
    )
    p.add_argument("--boxes", type=_positive, default=3, help="boxes to search (default 3)")
    p.add_argument(
        "--peel-alpha",
        type=_fraction,
        default=0.05,
        help="share peeled at each step (default 0.05)",
    )
    p.add_argument(
        "--paste-alpha",
        type=_fraction,
        default=0.05,
        help="share pasted back at each step (default 0.05)",
    )
    p.add_argument(
        "--mass-min",
        type=_fraction,
        default=0.05,
        help="smallest box as a share of the cases (default 0.05)",
    )
    p.add_argument(
        "--min-density",
        type=_fraction,
        default=None,
        help="report the step of largest coverage with at least this density "
        "(default: the step of highest F1 of coverage and density)",
    )
    p.add_argument(
        "--out", default=None, help="output folder (default results/discover-<experiment>-<target>)"
    )
    _add_safety(p, force=False)
    p.add_argument("--no-figures", action="store_true", help="skip discover.png")

    p = sub.add_parser(
        "optimize", help="cheapest lever setting meeting the targets with probability p"
    )
    p.add_argument("experiment", help="experiment file: one scenario, [levers] ranges, targets")
    p.add_argument(
        "--p", type=_probability, required=True, help="required P(all chosen targets met), e.g. 0.9"
    )
    p.add_argument(
        "--trials", type=_positive, default=40, help="candidates to evaluate (default 40)"
    )
    p.add_argument(
        "--replicates",
        type=_positive,
        default=None,
        help="replicates per candidate (default: the experiment's)",
    )
    p.add_argument(
        "--validate-replicates",
        type=_count,
        default=None,
        help="fresh replicates for the answer (default: --replicates; 0 skips)",
    )
    p.add_argument("--out", default=None, help="output folder (default results/optimize-<name>)")
    _add_safety(p, force=False)
    _add_executor(p)
    p.add_argument("--no-figures", action="store_true", help="skip optimize.png")
    p.add_argument("--quiet", action="store_true", help="no progress lines")

    p = sub.add_parser(
        "calibrate", help="posterior of the uncertain parameters given observed figures (ABC-SMC)"
    )
    p.add_argument("config", help="calibration file (TOML)")
    p.add_argument(
        "--generations",
        type=_positive,
        default=None,
        help="total ABC-SMC generations (default: the file's; a resumed run adds the rest)",
    )
    p.add_argument(
        "--out",
        default=None,
        help="output folder, also holding the sampler's database to resume from "
        "(default results/calibrate-<name>)",
    )
    _add_executor(p)
    p.add_argument("--quiet", action="store_true", help="no progress lines")

    p = sub.add_parser("report", help="one self-contained HTML report of a results folder")
    p.add_argument("dir", help="a run, compare, sweep or analysis folder, or a folder of them")
    p.add_argument("--out", default=None, help="output file (default DIR/report.html)")
    p.add_argument("--title", default=None, help="report title")

    p = sub.add_parser("dashboard", help="the planner's dashboard in the browser (Solara)")
    p.add_argument(
        "scenario",
        nargs="?",
        default="scenarios/baseline.toml",
        help="starting scenario file (default scenarios/baseline.toml)",
    )
    p.add_argument("--port", type=_whole(0, "a port"), default=8791, help="port (default 8791)")
    p.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1, this machine)"
    )
    p.add_argument(
        "--workers",
        type=_positive,
        default=None,
        help="processes per ensemble (default: all cores)",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``qcy`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.version:
        from . import __version__

        print(__version__)
        return 0
    if args.command is None:
        parser.print_help()
        return EXIT_USAGE
    reset()
    log_warnings()
    previous = catch_signals()
    try:
        return _dispatch(args)
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


def _dispatch(args) -> int:
    try:
        return {
            "run": _cmd_run,
            "validate": _cmd_validate,
            "levers": _cmd_levers,
            "sweep": _cmd_sweep,
            "compare": _cmd_compare,
            "sensitivity": _cmd_sensitivity,
            "discover": _cmd_discover,
            "optimize": _cmd_optimize,
            "calibrate": _cmd_calibrate,
            "report": _cmd_report,
            "dashboard": _cmd_dashboard,
        }[args.command](args)
    except ConfigError as exc:
        print(f"qcy: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:  # output piped into a command that stopped reading (head, less)
        sys.stderr.close()
        return 0
    except OSError as exc:
        code = environment_error(exc)
        if code is None:
            raise
        return code
    except ClusterLost as exc:
        print(
            f"qcy: error: {exc}; the finished replicates are kept: the same command resumes",
            file=sys.stderr,
        )
        return EXIT_NO_WORKERS
    except RunFailed as exc:
        print(f"qcy: error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        kept = (
            "; finished replicates are kept: the same command runs only what is missing"
            if args.command == "run"
            else ""
        )
        print(
            f"qcy: interrupted by {signal_name()}; no results were written{kept}",
            file=sys.stderr,
        )
        return interrupted_code()


def _cmd_validate(args) -> int:
    from .experiment import is_experiment_file, load_experiment

    for path in args.files:
        if _is_calibration_file(path):
            from .analysis.calibrate import load_calibration

            cal = load_calibration(path)
            print(
                f"{path}: ok (calibration {cal.name}: {len(cal.fitted)} parameters, "
                f"{len(cal.fitted_rows)} fitted rows and {len(cal.rows) - len(cal.fitted_rows)} "
                f"checks, {cal.population} particles x up to {cal.generations} generations)"
            )
            continue
        if is_experiment_file(path):
            exp = load_experiment(path)
            print(
                f"{path}: ok (experiment {exp.name}: {exp.design.kind} design, "
                f"{len(exp.factors)} factors, {len(exp.points)} points x {exp.replicates} "
                f"replicates = {exp.n_runs} runs)"
            )
            continue
        sc = load_scenario(path)
        extra = ""
        if sc.posterior:  # the named sample must match the scenario's uncertain parameters
            from .priors import priors
            from .uncertainty import load_posterior

            post = load_posterior(sc.posterior, list(priors(sc)))
            extra = f", posterior of {len(post)} draws"
        print(f"{path}: ok ({sc.name}, {len(sc.targets)} targets, config {sc.config_hash}{extra})")
    return 0


def _cmd_levers(args) -> int:
    import json

    from .policy.tasks import task_table

    table = task_table()
    if args.json:
        print(json.dumps(table, indent=2, ensure_ascii=False))
        return 0
    for t in table:
        head = f"task {t['task']:2d}" if t["task"] else "safeguard"
        print(f"{head}  {t['title']}")
        print(f"           lever: {t['lever']}{' (a reform)' if t['reform'] else ''}")
        print(f"           mechanism: {t['mechanism']}")
        print(f"           cost: {t['cost']} (spending category {t['spending_category']})")
        print(f"           moves: {', '.join(t['kpis'])}\n")
    return 0


def _cmd_run(args) -> int:
    from .outputs import hold

    executor = _executor(args)
    scenario = load_scenario(args.scenario)
    setup = _parameters(args, scenario)
    _check_fits(args, [scenario], executor, setup.replicates(args.replicates))
    out = Path(args.out) if args.out else Path("results") / scenario.name
    with hold(out, overwrite=args.overwrite):
        return _run_into(args, scenario, setup, executor, out)


def _run_into(args, scenario, setup, executor, out: Path) -> int:
    from .results import format_summary, write_outputs
    from .runner import run_replicates

    t0 = time.time()
    bar = None
    if not args.quiet:
        from tqdm import tqdm

        total = setup.replicates(args.replicates)
        bar = tqdm(total=total, desc=scenario.name, unit="run", file=sys.stderr)
    # finished replicates are kept here (inside the locked --out) until the results are
    # written: a killed run, started again with the same command, runs only what is missing
    checkpoint = out / f".qcy-checkpoint-seed{args.seed}"
    precision = None
    try:
        if args.precision is not None:
            from .analysis.precision import DEFAULT_MAX_REPLICATES, run_to_precision

            cap = args.max_replicates or DEFAULT_MAX_REPLICATES
            rep, precision = run_to_precision(
                scenario,
                args.precision,
                args.seed,
                None,
                args.replicates,
                cap,
                progress=bar.update if bar else None,
                checkpoint=checkpoint,
                on_round=_precision_round(bar, args.precision, cap),
                executor=executor,
                parameters=setup,
            )
        else:
            rep = run_replicates(
                scenario,
                args.replicates,
                args.seed,
                progress=bar.update if bar else None,
                checkpoint=checkpoint,
                executor=executor,
                parameters=setup,
            )
    finally:
        if bar is not None:
            bar.close()
    elapsed = time.time() - t0
    extra = _executor_record(executor, elapsed)
    if precision is not None:
        extra["precision"] = precision
    summary = write_outputs(
        rep,
        out,
        extra,
        figures=not args.no_figures,
        summary_extra={"precision": precision} if precision else None,
    )
    shutil.rmtree(checkpoint, ignore_errors=True)
    print(format_summary(summary))
    if precision is not None:
        print(_precision_line(precision))
    print(f"\nresults in {out}/ ({elapsed:.1f} s)")
    return 0


def _precision_round(bar, precision: float, cap: int):
    def report(info: dict) -> None:
        if bar is not None:
            mixes = max(1, round((bar.total or 1) / max(1, info["replicates"])))
            bar.total = max(bar.total or 0, info["next_replicates"] * mixes)
            bar.refresh()
            bar.write(
                f"{info['replicates']} replicates: widest 95% half-width "
                f"{info['max_half_width']:.3f} ({info['widest']}); target {precision:g}, "
                f"cap {cap}"
            )

    return report


def _precision_line(info: dict) -> str:
    state = (
        "reached"
        if info["reached"]
        else f"NOT reached: the cap of {info['max_replicates']} replicates was hit"
    )
    return (
        f"precision {info['precision']:g} {state}: {info['replicates']} replicates, widest "
        f"95% half-width {info['max_half_width']:.3f} ({info['widest']})"
    )


def _is_calibration_file(path: str) -> bool:
    from .scenario import peek_toml

    data = peek_toml(path)
    return data is not None and "calibration" in data


def _cmd_sweep(args) -> int:
    from .experiment import load_experiment
    from .sweep import SweepInterrupted, SweepStopped, format_sweep_summary, run_sweep

    executor = _executor(args)
    experiment = load_experiment(args.experiment)
    setup = _parameters(args, experiment.scenarios[0])
    replicates = setup.replicates(experiment.replicates)
    _check_fits(args, _point_scenarios(experiment), executor, replicates)
    out = Path(args.out) if args.out else Path("results") / f"sweep-{experiment.name}"
    flags = f" --parameters {setup.mode}"  # a sweep resumes only with the same draws
    flags += f" --posterior {args.posterior}" if args.posterior else ""
    flags += f" --seeds-per-draw {setup.seeds_per_draw}" if not setup.fixed else ""
    resume = f"qcy sweep {args.experiment}{flags} --out {out} --resume"
    try:
        result = run_sweep(
            experiment,
            out,
            executor,
            resume=args.resume,
            retry_failed=args.retry_failed,
            overwrite=args.overwrite,
            progress=not args.quiet,
            parameters=setup,
        )
    except SweepInterrupted as exc:
        print(
            f"qcy: interrupted by {signal_name()}; {exc.saved} of {exc.total} runs are saved "
            f"in {exc.out}/; finish with: {resume}",
            file=sys.stderr,
        )
        return interrupted_code()
    except SweepStopped as exc:
        print(f"qcy: error: {exc}; finish with: {resume}", file=sys.stderr)
        return EXIT_NO_WORKERS
    for name in result.damaged:
        print(f"qcy: warning: {out / name} was damaged or stale and was run again", file=sys.stderr)
    print(format_sweep_summary(result.summary))
    done = "nothing left to run" if result.ran == 0 else f"{result.ran} runs"
    print(f"\nresults in {out}/ ({done} in {result.elapsed_s:.1f} s)")
    if result.failed:
        print(
            f"qcy: {result.failed} runs failed (status and error in {out}/runs.parquet); "
            "rerun them with --retry-failed",
            file=sys.stderr,
        )
        return 1
    return 0


def _cmd_compare(args) -> int:
    from .compare import default_out

    if len(args.scenarios) < 2:
        raise ConfigError(
            "command line", "scenarios", "two or more scenario files", f"{len(args.scenarios)}"
        )
    from .compare import _labels
    from .outputs import hold

    executor = _executor(args)
    scenarios = [load_scenario(p) for p in args.scenarios]
    setup = _parameters(args, scenarios[0])
    _check_fits(args, scenarios, executor, setup.replicates(args.replicates))
    out = Path(args.out) if args.out else default_out(_labels(scenarios))
    with hold(out, overwrite=args.overwrite):
        return _compare_into(args, scenarios, setup, executor, out)


def _compare_into(args, scenarios, setup, executor, out: Path) -> int:
    from .compare import compare_mixes, format_comparison, write_comparison

    t0 = time.time()
    bar = None
    if not args.quiet:
        from tqdm import tqdm

        total = setup.replicates(args.replicates) * len(scenarios)
        bar = tqdm(total=total, desc="compare", unit="run", file=sys.stderr)
    precision = None
    try:
        if args.precision is not None:
            from .analysis.precision import DEFAULT_MAX_REPLICATES, compare_to_precision

            cap = args.max_replicates or DEFAULT_MAX_REPLICATES
            comp, precision = compare_to_precision(
                scenarios,
                args.precision,
                args.seed,
                None,
                args.replicates,
                cap,
                progress=bar.update if bar else None,
                on_round=_precision_round(bar, args.precision, cap),
                executor=executor,
                parameters=setup,
            )
        else:
            comp = compare_mixes(
                scenarios,
                args.replicates,
                args.seed,
                progress=bar.update if bar else None,
                executor=executor,
                parameters=setup,
            )
    finally:
        if bar is not None:
            bar.close()
    elapsed = time.time() - t0
    extra = _executor_record(executor, elapsed)
    if precision is not None:
        extra["precision"] = precision
    data = write_comparison(
        comp,
        out,
        extra,
        figures=not args.no_figures,
        data_extra={"precision": precision} if precision is not None else None,
    )
    print(format_comparison(data))
    for note in data["notes"]:
        print(f"note: {note}")
    if precision is not None:
        print(_precision_line(precision))
    print(f"\nresults in {out}/ ({elapsed:.1f} s)")
    return 0


def _executor(args):
    """The executor of ``--executor``, ``--workers`` and ``--scheduler``, for every command.

    Without ``--executor``: dask with a scheduler, serial for ``--workers 1``, else local.
    """
    from .execution import make_executor

    kind = args.executor or (
        "dask" if args.scheduler else "serial" if args.workers == 1 else "local"
    )
    if args.scheduler and kind != "dask":
        raise ConfigError(
            "command line",
            "--scheduler",
            "--executor dask (or no --executor)",
            f"--executor {kind}",
        )
    return make_executor(kind, args.workers, args.scheduler)


def _point_scenarios(experiment) -> list:
    """One scenario per distinct point of an experiment (for the resource estimate)."""
    from .scenario import scenario_from_dict

    seen: dict[str, object] = {}
    for p in experiment.points:
        if p.config_hash not in seen:
            seen[p.config_hash] = scenario_from_dict(
                experiment.params(p), path=experiment.scenarios[p.scenario].path
            )
    return list(seen.values())


def _check_fits(args, scenarios: list, executor, replicates: int | None = None) -> None:
    """Refuse, before any work, a run that cannot fit this machine (``--force`` overrides)."""
    from .budget import check_fits

    workers = executor.describe().get("workers") or 1
    check_fits(scenarios, replicates or args.replicates, workers, force=args.force)


def _executor_record(executor, elapsed: float) -> dict:
    """What ran the command, for the manifest (``workers`` kept for older readers)."""
    info = executor.describe()
    return {"executor": info, "workers": info.get("workers", 1), "elapsed_s": round(elapsed, 3)}


def _cmd_sensitivity(args) -> int:
    from .analysis.sensitivity import format_sensitivity, run_sensitivity
    from .sweep import SweepInterrupted

    executor = _executor(args)
    t0 = time.time()
    try:
        data, out = run_sensitivity(
            args.experiment,
            args.target,
            args.kpi,
            args.sweep,
            args.out,
            executor,
            progress=not args.quiet,
            figures=not args.no_figures,
        )
    except SweepInterrupted as exc:
        print(
            f"qcy: interrupted by {signal_name()}; {exc.saved} of {exc.total} runs are saved "
            f"in {exc.out}/; the same command resumes the sweep",
            file=sys.stderr,
        )
        return interrupted_code()
    print(format_sensitivity(data))
    print(f"\nresults in {out}/ ({time.time() - t0:.1f} s; sweep in {data['sweep']}/)")
    return 0


def _cmd_discover(args) -> int:
    from .analysis.discover import check_options, discover, format_discovery, write_discovery

    check_options(
        args.peel_alpha,
        args.paste_alpha,
        args.mass_min,
        args.min_density,
        args.threshold,
        args.boxes,
    )
    t0 = time.time()
    data = discover(
        args.sweep_dir,
        args.target,
        by=args.by,
        threshold=args.threshold,
        max_boxes=args.boxes,
        peel_alpha=args.peel_alpha,
        paste_alpha=args.paste_alpha,
        mass_min=args.mass_min,
        min_density=args.min_density,
    )
    out = (
        Path(args.out)
        if args.out
        else (Path("results") / f"discover-{data['experiment']}-{args.target}")
    )
    from .outputs import hold

    with hold(out, overwrite=args.overwrite):
        write_discovery(data, out, figures=not args.no_figures)
    print(format_discovery(data))
    print(f"\nresults in {out}/ ({time.time() - t0:.1f} s)")
    return 0


def _cmd_optimize(args) -> int:
    from .analysis.optimize import format_optimize, run_optimize, write_optimize
    from .experiment import load_experiment
    from .outputs import check_out, hold

    name = load_experiment(args.experiment).name
    out = Path(args.out) if args.out else Path("results") / f"optimize-{name}"
    check_out(out, overwrite=args.overwrite)  # before the trials, not after
    executor = _executor(args)
    t0 = time.time()

    def progress(rec: dict) -> None:
        if not args.quiet:
            print(
                f"trial {rec['trial']:>3}: cost {rec['cost_cny_million']:>10,.0f} million CNY, "
                f"P(all met) {rec['p_all_met']:.2f} [{rec['ci_low']:.2f}, {rec['ci_high']:.2f}]",
                file=sys.stderr,
            )

    try:
        data = run_optimize(
            args.experiment,
            args.p,
            args.trials,
            args.replicates,
            args.validate_replicates,
            executor,
            progress,
        )
    except RuntimeError as exc:  # a model run failed: nothing is written
        print(f"qcy: {exc}", file=sys.stderr)
        return 1
    with hold(out, overwrite=args.overwrite):
        write_optimize(data, out, figures=not args.no_figures)
    print(format_optimize(data))
    print(f"\nresults in {out}/ ({time.time() - t0:.1f} s)")
    return 0


def _cmd_calibrate(args) -> int:
    from .analysis.calibrate import format_calibration, load_calibration, run_calibration

    cfg = load_calibration(args.config)
    out = Path(args.out) if args.out else Path("results") / f"calibrate-{cfg.name}"
    kind = args.executor or ("dask" if args.scheduler else "local")
    if args.scheduler and kind != "dask":
        raise ConfigError(
            "command line",
            "--scheduler",
            "--executor dask (or no --executor)",
            f"--executor {kind}",
        )
    t0 = time.time()

    def progress(line: str) -> None:
        if not args.quiet:
            print(line, file=sys.stderr)

    from .outputs import claim

    try:
        with claim(out, "calibrate"):
            data = run_calibration(
                cfg, out, kind, args.workers, args.scheduler, args.generations, progress
            )
    except KeyboardInterrupt:
        print(
            f"qcy: interrupted by {signal_name()}; the finished generations are kept in "
            f"{out / cfg.database}: run the same command to resume",
            file=sys.stderr,
        )
        return interrupted_code()
    print(format_calibration(data))
    print(
        f"\nresults in {out}/: posterior.parquet, calibration.json, calibration.png, "
        f"posterior.png ({time.time() - t0:.1f} s; resumable from {out / cfg.database})"
    )
    return 0


def _cmd_report(args) -> int:
    from .analysis.report import write_report

    path, found = write_report(args.dir, args.out, title=args.title)
    print(
        f"report of {len(found)} result folder(s) "
        f"({', '.join(sorted({k for k, _ in found}))}) written to {path}"
    )
    return 0


def _cmd_dashboard(args) -> int:
    from .runner import default_workers

    load_scenario(args.scenario)  # a bad file is a user error before anything starts
    if args.port > 65535:
        print(f"qcy: error: --port: expected a port <= 65535, found {args.port}", file=sys.stderr)
        return EXIT_USAGE
    try:
        from .dashboard import app  # noqa: F401 - needs the dashboard extra
        from .dashboard.server import PortInUse, serve
    except ImportError as exc:
        print(
            f"qcy: error: the dashboard needs its extra ({exc.name} is missing): "
            "pip install 'qcy_sim[dashboard]'",
            file=sys.stderr,
        )
        return EXIT_USAGE
    try:
        return serve(args.scenario, args.host, args.port, args.workers or default_workers())
    except PortInUse as exc:
        print(f"qcy: error: --port: expected a free port, found {exc}", file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
