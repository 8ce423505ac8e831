"""The ``qcy`` command line.

Every user error (a bad file, a bad flag) prints one message and exits with code 2, without a
traceback; nothing is written.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

from .scenario import ConfigError, load_scenario

__all__ = ["main"]

EXIT_USAGE = 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # noqa: D102 - argparse's hook
        self.print_usage(sys.stderr)
        print(f"{self.prog}: error: {message}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, found {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a number >= 1, found {value}")
    return value


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, found {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a seed >= 0, found {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``qcy``."""
    parser = _Parser(prog="qcy", description="Agent-based simulation of the Xixian talent plan.")
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)

    p = sub.add_parser("run", help="run replicates of a scenario and write results")
    p.add_argument("scenario", help="scenario file (TOML)")
    p.add_argument("--replicates", type=_positive, default=100, help="replicates (default 100)")
    p.add_argument("--seed", type=_seed, default=0, help="base seed (default 0)")
    p.add_argument("--workers", type=_positive, default=None,
                   help="processes (default: all cores; 1 runs in-process)")
    p.add_argument("--out", default=None, help="output folder (default results/<scenario name>)")
    p.add_argument("--no-figures", action="store_true", help="skip the fan charts")
    p.add_argument("--quiet", action="store_true", help="no progress bar")

    p = sub.add_parser("validate", help="check scenario or experiment files without running them")
    p.add_argument("files", nargs="+", help="scenario or experiment files")

    p = sub.add_parser("sweep", help="run the sweep of an experiment file (resumable)")
    p.add_argument("experiment", help="experiment file (TOML)")
    p.add_argument("--executor", choices=("serial", "local", "dask"), default=None,
                   help="serial (in-process), local (process pool, the default) or dask")
    p.add_argument("--workers", type=_positive, default=None,
                   help="processes or Dask workers (default: all cores)")
    p.add_argument("--scheduler", default=None,
                   help="address of a running Dask scheduler, e.g. tcp://10.0.0.5:8786 "
                        "(implies --executor dask)")
    p.add_argument("--out", default=None, help="output folder (default results/sweep-<name>)")
    p.add_argument("--resume", action="store_true",
                   help="finish the sweep saved in --out: run only what is missing")
    p.add_argument("--retry-failed", action="store_true",
                   help="also run again the runs saved as failed (implies --resume)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")

    p = sub.add_parser("compare", help="compare policy mixes on the same seeds")
    p.add_argument("scenarios", nargs="+",
                   help="two or more scenario files; the first is the reference")
    p.add_argument("--replicates", type=_positive, default=100, help="replicates (default 100)")
    p.add_argument("--seed", type=_seed, default=0, help="base seed (default 0)")
    p.add_argument("--workers", type=_positive, default=None,
                   help="processes (default: all cores; 1 runs in-process)")
    p.add_argument("--out", default=None,
                   help="output folder (default results/compare-<names joined by _vs_>)")
    p.add_argument("--no-figures", action="store_true", help="skip the comparison figure")
    p.add_argument("--quiet", action="store_true", help="no progress bar")

    p = sub.add_parser("levers", help="the plan's 27 tasks and the scenario keys that drive them")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
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
    try:
        return {"run": _cmd_run, "validate": _cmd_validate, "levers": _cmd_levers,
                "sweep": _cmd_sweep, "compare": _cmd_compare}[args.command](args)
    except ConfigError as exc:
        print(f"qcy: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("qcy: interrupted; no results were written", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into a command that stopped reading (head, less)
        sys.stderr.close()
        return 0


def _cmd_validate(args) -> int:
    from .experiment import is_experiment_file, load_experiment

    for path in args.files:
        if is_experiment_file(path):
            exp = load_experiment(path)
            print(f"{path}: ok (experiment {exp.name}: {exp.design.kind} design, "
                  f"{len(exp.factors)} factors, {len(exp.points)} points x {exp.replicates} "
                  f"replicates = {exp.n_runs} runs)")
            continue
        sc = load_scenario(path)
        print(f"{path}: ok ({sc.name}, {len(sc.targets)} targets, config {sc.config_hash})")
    return 0


def _cmd_levers(args) -> int:
    import json

    from .levers import SAFEGUARDS, TASKS, task_table

    if args.json:
        print(json.dumps(task_table(), indent=2, ensure_ascii=False))
        return 0
    for t in (*TASKS, *SAFEGUARDS):
        head = f"task {t.task:2d}" if t.task else "safeguard"
        print(f"{head}  {t.title}")
        print(f"           keys: {', '.join(tb + '.*' for tb in t.tables)}")
        print(f"           mechanism: {t.mechanism}")
        print(f"           cost: {t.cost}\n")
    return 0


def _cmd_run(args) -> int:
    from .results import write_outputs
    from .runner import default_workers, run_replicates

    scenario = load_scenario(args.scenario)
    out = Path(args.out) if args.out else Path("results") / scenario.name
    workers = args.workers or default_workers()
    t0 = time.time()
    bar = None
    if not args.quiet:
        from tqdm import tqdm

        bar = tqdm(total=args.replicates, desc=scenario.name, unit="run", file=sys.stderr)
    # finished replicates are kept here until the results are written: a killed run, started
    # again with the same command, runs only what is missing
    checkpoint = out.parent / f".{out.name}.replicates-seed{args.seed}"
    try:
        rep = run_replicates(
            scenario, args.replicates, args.seed, workers, progress=bar.update if bar else None,
            checkpoint=checkpoint,
        )
    finally:
        if bar is not None:
            bar.close()
    elapsed = time.time() - t0
    summary = write_outputs(
        rep, out, {"workers": workers, "elapsed_s": round(elapsed, 3)}, figures=not args.no_figures
    )
    shutil.rmtree(checkpoint, ignore_errors=True)
    print(format_summary(summary))
    print(f"\nresults in {out}/ ({elapsed:.1f} s)")
    return 0


def _cmd_sweep(args) -> int:
    from .experiment import load_experiment
    from .sweep import SweepInterrupted, format_sweep_summary, make_executor, run_sweep

    kind = args.executor or ("dask" if args.scheduler else "local")
    if args.scheduler and kind != "dask":
        raise ConfigError("command line", "--scheduler", "--executor dask (or no --executor)",
                          f"--executor {kind}")
    experiment = load_experiment(args.experiment)
    out = Path(args.out) if args.out else Path("results") / f"sweep-{experiment.name}"
    executor = make_executor(kind, args.workers, args.scheduler)
    try:
        result = run_sweep(experiment, out, executor, resume=args.resume,
                           retry_failed=args.retry_failed, progress=not args.quiet)
    except SweepInterrupted as exc:
        print(f"qcy: interrupted; {exc.saved} of {exc.total} runs are saved in {exc.out}/; "
              f"finish with: qcy sweep {args.experiment} --out {exc.out} --resume",
              file=sys.stderr)
        return 130
    print(format_sweep_summary(result.summary))
    done = "nothing left to run" if result.ran == 0 else f"{result.ran} runs"
    print(f"\nresults in {out}/ ({done} in {result.elapsed_s:.1f} s)")
    if result.failed:
        print(f"qcy: {result.failed} runs failed (status and error in {out}/runs.parquet); "
              "rerun them with --retry-failed", file=sys.stderr)
        return 1
    return 0


def _cmd_compare(args) -> int:
    from .compare import compare_mixes, default_out, format_comparison, write_comparison
    from .runner import default_workers

    if len(args.scenarios) < 2:
        raise ConfigError("command line", "scenarios", "two or more scenario files",
                          f"{len(args.scenarios)}")
    scenarios = [load_scenario(p) for p in args.scenarios]
    workers = args.workers or default_workers()
    t0 = time.time()
    bar = None
    if not args.quiet:
        from tqdm import tqdm

        bar = tqdm(total=args.replicates * len(scenarios), desc="compare", unit="run",
                   file=sys.stderr)
    try:
        comp = compare_mixes(scenarios, args.replicates, args.seed, workers,
                             progress=bar.update if bar else None)
    finally:
        if bar is not None:
            bar.close()
    out = Path(args.out) if args.out else default_out(comp.labels)
    elapsed = time.time() - t0
    data = write_comparison(comp, out, {"workers": workers, "elapsed_s": round(elapsed, 3)},
                            figures=not args.no_figures)
    print(format_comparison(data))
    for note in data["notes"]:
        print(f"note: {note}")
    print(f"\nresults in {out}/ ({elapsed:.1f} s)")
    return 0


def format_summary(summary: dict) -> str:
    """The target table printed after a run."""
    head = f"{'target':<26}{'threshold':>10}  {'deadline':<9}{'P(met)':>7}  {'95% CI':<13}"
    head += f"{'median met':<11}{'median final':>13}"
    lines = [f"{summary['scenario']}: {summary['replicates']} replicates", head, "-" * len(head)]
    for kpi, t in summary["targets"].items():
        ci = f"[{t['ci_low']:.2f}, {t['ci_high']:.2f}]"
        med = t["median_month_met"] or "not met"
        lines.append(
            f"{kpi:<26}{t['threshold']:>10g}  {t['deadline']:<9}{t['p_met']:>7.2f}  {ci:<13}"
            f"{med:<11}{t['median_final']:>13,.0f}"
        )
    lo, hi = summary["p_all_met_ci"]
    lines.append("-" * len(head))
    lines.append(f"{'all targets':<26}{'':>10}  {'':<9}{summary['p_all_met']:>7.2f}  "
                 f"[{lo:.2f}, {hi:.2f}]")
    spend = summary["spending_cny_million"]
    lines.append(f"median spending: {spend['median_public']:,.0f} million CNY public, "
                 f"{spend['median_total']:,.0f} million CNY with venture capital")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
