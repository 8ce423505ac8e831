"""qcy_sim: an agent-based model of the Xixian New Area's talent ecosystem under the 2022-2024 plan.

Typical use::

    import qcy_sim
    scenario = qcy_sim.load_scenario("scenarios/baseline.toml")
    result = qcy_sim.run_replicates(scenario, replicates=20, seed=1)
    result.summary()["targets"]["innovation_talents"]["p_met"]
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("qcy_sim")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+unknown"

from .core.jitcache import kernel_cache  # noqa: E402

with kernel_cache():  # every kernel is defined by the modules imported here
    from .model import QcyModel  # noqa: E402 - the version first: modules below record it
    from .runner import Replicates, run_replicates  # noqa: E402
    from .scenario import ConfigError, Scenario, load_scenario  # noqa: E402

__all__ = [
    "QcyModel",
    "Scenario",
    "ConfigError",
    "Replicates",
    "load_scenario",
    "run_replicates",
    "__version__",
]
