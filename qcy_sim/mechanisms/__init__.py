"""The model's mechanisms, one module each: parameters read, state added, kernels, invariants.

The model (:mod:`qcy_sim.model`) builds one instance of each and runs their phases in the order
of its schedule.
"""
