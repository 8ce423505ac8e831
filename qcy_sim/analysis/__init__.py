"""Answers for planners and reviewers, computed from runs, sweeps and comparisons.

=================  ==========================================================================
module             answers
=================  ==========================================================================
``precision``      P(met) to a stated precision: replicates are added until every exact
                   interval is narrow enough (``qcy run/compare --precision``).
``sensitivity``    Which levers and uncertainties matter: Sobol' and Morris indices (SALib)
                   from a sweep (``qcy sensitivity``).
``discover``       Under which conditions a target is missed: PRIM boxes (``qcy discover``).
``optimize``       The cheapest lever setting meeting chosen targets with probability p, and the
                   budget-probability frontier (optuna; ``qcy optimize``).
``calibrate``      Posterior of the uncertain parameters given the reported figures (ABC-SMC
                   with pyabc, resumable; ``qcy calibrate``).
``report``         One self-contained HTML file of any results folder (``qcy report``).
=================  ==========================================================================

Every command validates its inputs first (a :class:`~qcy_sim.scenario.ConfigError` names the
file, the key, what was expected and what was found) and writes its outputs through a temporary
folder, so an interrupted command never leaves files that look complete.
"""

__all__: list[str] = []
