"""Calendar, initial state and talents: the sections ``[time]``, ``[initial]``, ``[talent]``."""

from dataclasses import dataclass

from ..core.params import par

__all__ = ["TimeParams", "InitialState", "TalentParams"]


@dataclass(frozen=True)
class TimeParams:
    """Calendar of the run."""

    start: str = par("2022-01", "YYYY-MM", "First simulated month; month 0 is the state before it.")
    horizon_months: int = par(36, "months", "Number of simulated months.", 1, 600)


@dataclass(frozen=True)
class InitialState:
    """State of the area at the end of the month before ``time.start`` (end of 2021)."""

    talents: int = par(
        22000,
        "people",
        "Resident innovation talents at start (assumption: no published figure; range 15k-30k).",
        0,
        5_000_000,
        plausible=(15000, 30000),
    )
    employed_share: float = par(0.93, "1", "Share of initial talents employed.", 0, 1)
    park_developers: int = par(
        6,
        "developers",
        "Developers and operators of parks that propose innovation carriers and incubators "
        "(Xixian's five new cities' development companies and one private operator; assumption).",
        0,
        10_000,
    )
    residence_max_months: int = par(
        120,
        "months",
        "Initial talents arrived uniformly within this many months before the start (those "
        "within talent.housing_tenure_months are still newcomers).",
        0,
        1200,
    )
    kind_shares: tuple = par(
        (0.03, 0.32, 0.18, 0.12, 0.10, 0.20, 0.05),
        "1",
        "Initial talents by kind (scientist, researcher, young, manager, professional, "
        "technician, student); assumption.",
        0,
        1,
        length=7,
        simplex=True,
    )
    field_shares: tuple = par(
        (0.26, 0.22, 0.12, 0.12, 0.10, 0.18),
        "1",
        "Initial talents by field (five key chains, then other); assumption.",
        0,
        1,
        length=6,
        simplex=True,
    )
    tech_brokers: int = par(
        40, "people", "Technology brokers at start ('nearly 40', Xinhua 2022-04-06).", 0, 1_000_000
    )
    enterprises: int = par(
        1800,
        "firms",
        "Enterprises employing innovation talents at start, excluding chain leaders and "
        "institutes (assumption; 431 tech firms settled in the general window alone).",
        0,
        1_000_000,
    )
    high_tech_share: float = par(
        0.15,
        "1",
        "Share of the initial ordinary firms already certified high-tech (Xixian had a few "
        "hundred valid high-tech firms by 2021; assumption within that order).",
        0,
        1,
        plausible=(0.05, 0.3),
    )
    chain_leaders: int = par(
        12, "firms", "Chain-leader firms (链主, e.g. Shaanxi Auto, LONGi, SANY).", 0, 10_000
    )
    institutes: int = par(
        21,
        "institutions",
        "Universities and research institutes employing scientists (14 partner universities "
        "+ 7 institutes, Xinhua 2022-04-06).",
        0,
        10_000,
    )
    housing_units: int = par(
        3000, "units", "Talent apartments available at start (assumption).", 0, 10_000_000
    )


@dataclass(frozen=True)
class TalentParams:
    """Candidate pool, location choice, careers and departures of talents."""

    candidates_domestic_per_month: float = par(
        2000.0,
        "people/month",
        "Talents from other Chinese regions who consider the area each month (assumption).",
        0,
        1e7,
        plausible=(1400, 2800),
    )
    candidates_overseas_per_month: float = par(
        150.0,
        "people/month",
        "Overseas talents who consider the area each month.",
        0,
        1e7,
        plausible=(80, 300),
        prior=(
            "loguniform",
            "the range is x 0.53 to x 2 of the default (a factor of 3.75): "
            "uncertain in scale, so log-uniform",
        ),
    )
    graduates_per_year: float = par(
        12000.0,
        "people/year",
        "Graduates of local universities on the market; 80 % of them in June and July.",
        0,
        1e8,
        plausible=(8000, 16000),
    )
    graduate_season: tuple = par(
        (0.02, 0.02, 0.02, 0.02, 0.02, 0.4, 0.4, 0.02, 0.02, 0.02, 0.02, 0.02),
        "1",
        "Share of the year's graduates on the market in each calendar month, January first "
        "(80 % in June and July, the graduation season).",
        0,
        1,
        length=12,
        simplex=True,
    )
    domestic_kind_shares: tuple = par(
        (0.02, 0.34, 0.20, 0.14, 0.12, 0.18, 0.0),
        "1",
        "Kinds among domestic candidates.",
        0,
        1,
        length=7,
        simplex=True,
    )
    overseas_kind_shares: tuple = par(
        (0.08, 0.40, 0.30, 0.08, 0.10, 0.02, 0.02),
        "1",
        "Kinds among overseas candidates.",
        0,
        1,
        length=7,
        simplex=True,
    )
    graduate_kind_shares: tuple = par(
        (0.0, 0.25, 0.35, 0.0, 0.05, 0.15, 0.20),
        "1",
        "Kinds among local graduates (students include those who start up).",
        0,
        1,
        length=7,
        simplex=True,
    )
    field_shares: tuple = par(
        (0.24, 0.24, 0.12, 0.13, 0.10, 0.17),
        "1",
        "Fields among candidates.",
        0,
        1,
        length=6,
        simplex=True,
    )
    log_ability_sd: float = par(
        1.0,
        "log units",
        "Spread of log ability among candidates and residents (it sets how many pass the "
        "recognition thresholds; no figure pins it down).",
        0.01,
        5,
        plausible=(0.9, 1.1),
    )
    ability_shift_by_kind: tuple = par(
        (1.3, 0.2, 0.0, 0.2, 0.1, -0.5, -0.6),
        "log units",
        "Mean log ability by kind.",
        -5,
        5,
        length=7,
    )
    overseas_ability_shift: float = par(
        0.3, "log units", "Extra mean log ability of overseas candidates.", -5, 5
    )
    high_end_threshold: float = par(
        1.15,
        "log units",
        "Ability a titled talent needs to be recognised as high-end (the criteria of the "
        "area's programmes; untitled talents need recognition.untitled_margin more).",
        -10,
        10,
        plausible=(1.0, 1.3),
    )
    high_level_threshold: float = par(
        2.5,
        "log units",
        "Ability a titled talent needs to be recognised as high-level.",
        -10,
        10,
        plausible=(2.3, 2.7),
    )
    ability_growth_per_year: float = par(
        0.06, "log units/year", "Growth of log ability with experience in the area.", 0, 2
    )
    arrival_recognised_share: float = par(
        0.5,
        "1",
        "Share of eligible arrivals whose level is recognised on arrival (titles, awards).",
        0,
        1,
    )
    level_wage_multiplier: tuple = par(
        (1.0, 1.5, 2.4),
        "1",
        "Pay by recognised level, relative to a general talent (wages in "
        "the model are relative: only ratios enter choices and dissatisfaction).",
        0.1,
        100,
        length=3,
    )
    expectation_ratio: float = par(
        1.12,
        "1",
        "A candidate's wage expectation relative to the area's pay for its level (its current "
        "pay and offers elsewhere set it).",
        0.1,
        10,
    )
    expectation_sd: float = par(0.25, "log units", "Spread of talents' wage expectations.", 0, 3)
    asc_domestic: float = par(
        -0.9,
        "utils",
        "Alternative-specific constant of the area for domestic candidates.",
        -20,
        20,
        plausible=(-1.4, -0.4),
    )
    asc_overseas: float = par(
        -0.6, "utils", "Alternative-specific constant of the area for overseas candidates.", -20, 20
    )
    asc_graduate: float = par(
        0.2,
        "utils",
        "Alternative-specific constant of the area for local graduates.",
        -20,
        20,
        plausible=(-0.4, 0.8),
    )
    beta_wage: float = par(
        2.5, "utils per log wage", "Weight of log(wage/expectation).", 0, 50, plausible=(1.5, 4.0)
    )
    beta_award: float = par(
        0.35, "utils per 100k CNY", "Weight of one-time awards and subsidies on arrival.", 0, 50
    )
    beta_housing: float = par(
        0.6,
        "utils",
        "Weight of the chance of a talent apartment.",
        0,
        50,
        plausible=(0.3, 1.0),
    )
    beta_services: float = par(
        0.8, "utils", "Weight of the service level (0-1).", 0, 50, plausible=(0.4, 1.2)
    )
    beta_carriers: float = par(
        0.25,
        "utils per log unit",
        "Weight of log(1 + operating carrier capacity / carrier_capacity_scale).",
        0,
        50,
    )
    carrier_capacity_scale: float = par(
        100.0, "slots", "Carrier capacity at which the carriers' utility is log(2).", 1, 1e6
    )
    beta_jobs: float = par(1.0, "utils", "Weight of log(job-finding probability).", 0, 50)
    job_finding_floor: float = par(
        0.01,
        "1/month",
        "Smallest job-finding chance that enters the location choice (log of 0 is undefined).",
        1e-6,
        1,
    )
    job_finding_before_start: float = par(
        0.5,
        "1/month",
        "Job-finding chance candidates expect in the first month, before any matching.",
        1e-6,
        1,
    )
    housing_tenure_months: int = par(
        36,
        "months",
        "Newcomers are eligible for a talent apartment for this long after arriving, and "
        "tenants move out after it (three-year leases); unhoused newcomers are less satisfied.",
        1,
        600,
    )
    housing_window_months: int = par(
        12,
        "months",
        "Candidates judge the chance of a talent apartment by the residents who arrived in "
        "this many past months.",
        1,
        600,
    )
    exit_base_per_month: float = par(
        0.006,
        "1/month",
        "Departure hazard of a fully satisfied resident.",
        0,
        1,
        plausible=(0.004, 0.009),
    )
    exit_dissatisfaction_coef: float = par(
        1.0,
        "1",
        "Hazard multiplier exp(coef x dissatisfaction).",
        0,
        20,
        plausible=(0.5, 1.5),
    )
    dissatisfaction_wage: float = par(
        1.0, "1", "Dissatisfaction per log unit of wage below expectation.", 0, 20
    )
    dissatisfaction_unhoused: float = par(
        0.4, "1", "Dissatisfaction of a resident without talent housing.", 0, 20
    )
    dissatisfaction_services: float = par(
        0.8, "1", "Dissatisfaction per unit of missing service level (1 - level).", 0, 20
    )
    dissatisfaction_employer_failed: float = par(
        1.5,
        "1",
        "Dissatisfaction after the talent's employer failed: while searching, and in the month "
        "the talent is employed again.",
        0,
        20,
    )
    transfer_spinoff_share: float = par(
        0.1,
        "1",
        "Share of brokered transfers that become a spin-off firm (see brokers.project_share).",
        0,
        1,
    )
    flexible_end_per_month: float = par(
        0.04, "1/month", "Chance per month a flexible (remote, part-time) engagement ends.", 0, 1
    )
    dissatisfaction_search_per_year: float = par(
        1.0,
        "1/year",
        "Dissatisfaction a searcher adds for every year of search (long search raises the "
        "exit hazard).",
        0,
        20,
    )
    search_exit_per_month: float = par(
        0.15,
        "1/month",
        "Chance an unmatched searcher gives up and leaves each month.",
        0,
        1,
        plausible=(0.08, 0.25),
    )
    founding_per_year: tuple = par(
        (0.006, 0.006, 0.012, 0.012, 0.005, 0.0023, 0.030),
        "1/year",
        "Base yearly chance that an employed talent founds a startup, by kind (set so that the "
        "2021 registrations of new tech SMEs, row xx-2021-07, are near the model's).",
        0,
        1,
        length=7,
    )
    founding_carrier_effect: float = par(
        1.0, "1", "Founding multiplier 1 + effect x free incubation share.", 0, 50
    )
    founding_funding_effect: float = par(
        0.5, "1", "Founding multiplier 1 + effect x chance of investment.", 0, 50
    )
