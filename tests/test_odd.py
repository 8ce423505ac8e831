"""docs/ODD.md describes the model in the code: schedule, initial state, tables, state, outputs.

Each test reads the ODD and the code that it describes, so that the two cannot drift apart: a
phase added to ``model.SCHEDULE``, a scenario table, an agent property, a monthly output or a
random stream that the ODD does not describe fails here.
"""

import importlib.util
import re

import pytest

from qcy_sim.indicators import DEFAULT_COUNTING, SERIES
from qcy_sim.mechanisms.attraction import ArrivalKeys
from qcy_sim.mechanisms.carriers import CARRIER_PROPERTIES
from qcy_sim.mechanisms.reforms import CASE_PROPERTIES
from qcy_sim.mechanisms.teams import TEAM_PROPERTIES
from qcy_sim.model import COMPONENTS, INITIALISE, SCHEDULE
from qcy_sim.policy import LEVERS_IN_ORDER
from qcy_sim.schema import iter_keys

from .conftest import ROOT

ODD_PATH = ROOT / "docs" / "ODD.md"


@pytest.fixture(scope="module")
def odd() -> str:
    return ODD_PATH.read_text(encoding="utf-8")


def section(text: str, number: str) -> str:
    """The text of the top-level section ``## <number> ...`` up to the next one."""
    parts = re.split(r"^## ", text, flags=re.M)
    found = [p for p in parts if p.startswith(f"{number} ")]
    assert len(found) == 1, f"docs/ODD.md has no single section {number}"
    return found[0]


def subsection(text: str, number: str) -> str:
    parts = re.split(r"^### ", text, flags=re.M)
    found = [p for p in parts if p.startswith(f"{number} ")]
    assert len(found) == 1, f"docs/ODD.md has no single subsection {number}"
    return found[0].split("\n## ")[0]


def phase_rows(text: str) -> list[tuple[str, str, str]]:
    """``(component, phase, what happens)`` of the numbered rows ``| n | `c.p` | ... |``."""
    rows = re.findall(r"^\| (\d+) \| `(\w+)\.(\w+)` \| (.*?) \|", text, flags=re.M)
    assert [int(n) for n, *_ in rows] == list(range(1, len(rows) + 1)), "rows are not numbered 1.."
    return [(c, p, what) for _n, c, p, what in rows]


def load_generator():
    spec = importlib.util.spec_from_file_location("odd_tables", ROOT / "docs" / "odd_tables.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_section_3_is_the_schedule_in_order(odd):
    rows = phase_rows(section(odd, "3"))
    assert [(c, p) for c, p, _ in rows] == [(c, p) for c, p, _ in SCHEDULE]
    assert [w for *_, w in rows] == [w.replace("|", "\\|") for *_, w in SCHEDULE]


def test_section_5_is_the_initial_state_in_order(odd):
    rows = phase_rows(section(odd, "5"))
    assert [(c, p) for c, p, _ in rows] == list(INITIALISE)


def test_every_component_has_a_submodel(odd):
    submodels = section(odd, "7")
    for name in COMPONENTS:
        if name == "population":  # the talents' state and counts: sections 2.1 and 5
            continue
        assert re.search(rf"^### 7\.\d+ .*`{name}`", submodels, flags=re.M), name


def test_generated_tables_are_current(odd):
    generator = load_generator()
    assert generator.render(odd) == odd, (
        "docs/ODD.md is stale: run python docs/odd_tables.py docs/ODD.md"
    )
    assert len(generator.BLOCK.findall(odd)) >= 20


def test_every_scenario_table_is_named(odd):
    tables = sorted({key.rsplit(".", 1)[0] for key, *_ in iter_keys()})
    missing = [t for t in tables if f"[{t}]" not in odd and f"`{t}." not in odd]
    assert not missing, f"scenario tables not described in docs/ODD.md: {missing}"


def test_every_scenario_key_is_in_a_table(odd):
    generator = load_generator()
    wide = "".join(
        "\n".join(generator.render_block(f"wide {t}"))
        for t in ("carriers", "support", "funds", "competitors")
        if f"<!-- generated: wide {t} -->" in odd
    )
    generic = "`policy.<lever>.on`" in odd and "`policy.<lever>.start_month`" in odd
    missing = []
    for key, *_ in iter_keys():
        leaf = key.rsplit(".", 1)[1]
        if f"`{key}`" in odd:
            continue
        if key.startswith("policy.") and leaf in ("on", "start_month") and generic:
            continue
        if f"| `{leaf}` |" in wide and f"| `{leaf}` |" in odd:
            continue
        missing.append(key)
    assert not missing, f"scenario keys not in any table of docs/ODD.md: {missing}"


def test_every_agent_property_is_described(odd):
    state = section(odd, "2")
    stores = {"talents": {}, "firms": {}}
    for cls in COMPONENTS.values():
        for store, props in cls.properties.items():
            stores[store].update(props)
    stores.update(carriers=CARRIER_PROPERTIES, teams=TEAM_PROPERTIES, cases=CASE_PROPERTIES)
    missing = [
        f"{store}.{prop}"
        for store, props in stores.items()
        for prop in props
        if not re.search(rf"^\| `{prop}`(, `\w+`)* \|", state, flags=re.M)
        and not re.search(rf"^\| `\w+`, `{prop}` \|", state, flags=re.M)
    ]
    assert not missing, f"agent properties not in section 2: {missing}"


def test_every_monthly_output_is_defined(odd):
    observation = subsection(odd, "4.13")
    missing = [s for s in SERIES if "__" not in s and f"`{s}`" not in observation]
    assert not missing, f"monthly outputs not defined in section 4.13: {missing}"


def _streams_in_code() -> set[str]:
    names = {f"arrival.{f}" for f in ArrivalKeys._fields}
    for path in (ROOT / "qcy_sim").rglob("*.py"):
        names |= set(re.findall(r'key\("([a-z_]+\.[a-z_]+)"\)', path.read_text(encoding="utf-8")))
    return names


def test_random_streams_match_the_code(odd):
    table = subsection(odd, "4.11")
    listed = set(re.findall(r"^\| `([a-z_]+\.[a-z_]+)` \|", table, flags=re.M))
    in_code = _streams_in_code()
    assert len(in_code) > 30
    assert in_code - listed == set(), "streams drawn in the code but not listed in 4.11"
    assert listed - in_code == set(), "streams listed in 4.11 that the code no longer draws"


def test_default_countings_are_those_of_the_code(odd):
    purpose = subsection(odd, "1.1")
    rows = dict(
        re.findall(r"^\| `(\w+)` \|.*\| (stock|gained|cumulative) \|$", purpose, flags=re.M)
    )
    assert rows == DEFAULT_COUNTING


def test_every_lever_is_in_section_8(odd):
    levers = section(odd, "8")
    missing = [s.lever for s in LEVERS_IN_ORDER if f"`[{s.lever}]`" not in levers]
    assert not missing, missing


def _numbers(text: str) -> set[int]:
    found = re.findall(r"[Pp]hases? ((?:\d+(?:, | and )?)+)", text)
    return {int(n) for group in found for n in re.findall(r"\d+", group)}


def test_submodels_name_their_phases(odd):
    phases: dict[str, set[int]] = {}
    for i, (name, _phase, _what) in enumerate(SCHEDULE, 1):
        phases.setdefault(name, set()).add(i)
    checked = set()
    for part in re.split(r"^### ", section(odd, "7"), flags=re.M)[1:]:
        heading = part.splitlines()[0]
        names = [n for n in re.findall(r"`(\w+)`", heading) if n in phases]
        if not names:
            continue
        name = names[0]
        assert _numbers(heading) == phases[name], heading
        assert _numbers(part) <= phases[name], f"{heading}: a phase number is not {name}'s"
        checked.add(name)
    assert checked == set(phases)
