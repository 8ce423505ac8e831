"""The plan's 27 tasks and the safeguards of its section 五, and the levers that implement them.

A lever declares its tasks (:mod:`.registry`); a task here adds its title in the plan and the
scenario tables other than levers that configure it (carrier programmes, funds). ``qcy levers``
prints :func:`task_table`; ``docs/ODD.md`` §8 reproduces it.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..schema import iter_keys
from . import LEVERS_IN_ORDER, LeverSpec

__all__ = ["Task", "TASKS", "SAFEGUARDS", "task_table", "levers_of"]


@dataclass(frozen=True)
class Task:
    """One task of the plan (0: a safeguard of section 五) and the non-lever tables it uses."""

    task: int
    title: str
    tables: tuple[str, ...] = ()

    @property
    def levers(self) -> tuple[LeverSpec, ...]:
        """The levers that implement the task."""
        return levers_of(self.task) if self.task else ()


def levers_of(task: int) -> tuple[LeverSpec, ...]:
    """The levers that declare ``task``, in table order."""
    return tuple(spec for spec in LEVERS_IN_ORDER if task in spec.tasks)


def _keys(tables) -> list[str]:
    return [key for key, *_ in iter_keys() if any(key.startswith(t + ".") for t in tables)]


TASKS: tuple[Task, ...] = (
    Task(1, "Leadership mechanism for talent work (领导机制)"),
    Task(2, "Evaluation reform: 三重三看, 以赛代评, overseas grading"),
    Task(
        3,
        "Three pools and one centre, joint campus recruitment (三池一中心, 校招共用)",
        ("carriers.shared_research_center",),
    ),
    Task(4, "City-university-enterprise co-employment (城校企协同用人)"),
    Task(5, "Use the 三项改革 results; brokers; cash + technology equity"),
    Task(6, "Overseas talent work stations (海外引智工作站)"),
    Task(7, "Science enclaves (人才科创飞地)"),
    Task(8, "Fault tolerance and exemption (容错免责)"),
    Task(9, "National strategic S&T platforms, strategic scientists (一事一议)"),
    Task(
        10,
        "Results transformation platforms (1 中心 + N 园区, 一园区一高校)",
        ("carriers.innovation_carrier", "carriers.pilot_base"),
    ),
    Task(11, "Industry-chain talent alliances, chain leaders (链主), workstations"),
    Task(
        12,
        "SOE innovation centre: platforms, consortia, R&D institutions",
        ("carriers.common_tech_platform", "carriers.new_rd_institution"),
    ),
    Task(13, "Offshore innovation platform, international talent posts"),
    Task(
        14,
        "Youth innovation community, competitions, student projects",
        ("carriers.student_space", "carriers.incubator"),
    ),
    Task(15, "Alumni recruiting (校友招商)"),
    Task(16, "Strategic S&T talent teams (定向对接、特事特办)"),
    Task(17, "Research talent teams: one university per industry"),
    Task(18, "Young S&T talents: postdocs, targeted campus recruiting"),
    Task(19, "Enterprise managers (新锐西商) and 300 technology brokers of three kinds"),
    Task(20, "Skilled technicians, apprenticeships"),
    Task(21, "Professionals of the industry chains (5,000 high-end talents)"),
    Task(22, "Qinchuangyuan talent market and cloud platform"),
    Task(23, "Xi'an International Talent Port (国际人才港)"),
    Task(24, "Talent finance: special fund and development fund (一专项、一基金)", ("funds",)),
    Task(25, "Talent services: housing, schooling, medical, spouse jobs, headhunters"),
    Task(26, "Talent exchange and learning platforms (大讲堂, training)"),
    Task(27, "Atmosphere of respect for talent (爱才氛围)"),
)

# Section 五's safeguards, with the lever (if any) that represents each.
SAFEGUARDS: tuple[tuple[Task, str | None], ...] = (
    (Task(0, "五(一)(三) Organisation and supervision"), "leadership"),
    (Task(0, "五(二) Funding guarantee: the budgets of [funds]", ("funds",)), None),
    (Task(0, "五(四) Publicity of reform experience"), "publicity"),
)


def _entry(task: Task, spec: LeverSpec) -> dict:
    return {
        "task": task.task,
        "title": task.title,
        "lever": spec.lever,
        "keys": _keys((spec.lever, *task.tables)),
        "mechanism": spec.mechanism,
        "cost": spec.cost,
        "spending_category": spec.spending_category,
        "kpis": list(spec.kpis),
        "reform": spec.reform,
    }


def task_table() -> list[dict]:
    """One entry per (task, lever) pair, safeguards (task 0) last.

    Each entry: ``task``, ``title``, ``lever`` (the scenario table that switches it),
    ``keys`` (the lever's keys and the task's other tables), ``mechanism``, ``cost``,
    ``spending_category``, ``kpis`` (the KPI ids its mechanism moves) and ``reform``.
    """
    from . import LEVERS

    out = [_entry(task, spec) for task in TASKS for spec in task.levers]
    out += [_entry(task, LEVERS[name]) for task, name in SAFEGUARDS if name]
    return out
