"""The case company's data generator (see :func:`generate_case`).

Why by hand: no library simulates a retail CRM with a known BG/NBD +
Gamma-Gamma truth, so the latent process is written here with NumPy, fully
vectorised (no per-customer Python loop); Faker supplies the people's names
through pools (see :mod:`rmlib.data._people`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
from scipy import special

from rmlib import _validate as v
from rmlib.data import schema
from rmlib.data._case import Case, CaseFolder, TableParts
from rmlib.data._people import EXTRA_PARTNER_CITIES, LOCALES, PeoplePools, cities

__all__ = ["POPULATION", "generate_case", "generate_case_files"]

# Population parameters per segment. Time unit: weeks; money: roubles.
#   BG/NBD: lambda ~ Gamma(shape r, rate alpha); dropout p ~ Beta(a, b).
#   Gamma-Gamma: amount ~ Gamma(shape p, rate nu), nu ~ Gamma(shape q, rate gamma);
#   the mean spend p/nu has population mean p*gamma/(q-1).
POPULATION = {
    "B2C": {
        "share": 0.97,
        "bgnbd": {"r": 0.9, "alpha": 8.0, "a": 1.2, "b": 7.0},
        "gamma_gamma": {"p": 4.0, "q": 5.0, "gamma": 2500.0},
        "margin_rate": 0.24,
        "unit_price": 350.0,
        "female_share": 0.6,
    },
    "B2B": {
        "share": 0.03,
        "bgnbd": {"r": 2.0, "alpha": 6.0, "a": 1.0, "b": 12.0},
        "gamma_gamma": {"p": 3.0, "q": 6.0, "gamma": 133000.0},
        "margin_rate": 0.34,
        "unit_price": 1500.0,
        "female_share": 0.45,
    },
}
DISCOUNTS = np.array([0.0, 0.05, 0.10, 0.15, 0.20])
DISCOUNT_P = np.array([0.70, 0.10, 0.10, 0.05, 0.05])
MARGIN_LOSS_PER_DISCOUNT = 0.9  # each point of discount costs 0.9 points of margin rate
PROGRAM_UPLIFT = 0.20  # enrolled customers buy 20% more often
PROGRAM_DROPOUT_CUT = 0.25  # ... and their dropout probability is this much lower
ATTITUDE_LOADING = 0.55  # correlation of attitude with latent behavioural loyalty
STORE_SORTING = 0.35  # how strongly loyal customers gather at well-run stores
CHAIN = {"ru_RU": "Восток-Маркет", "en_US": "Vostok Market"}
STAFF_DOMAIN = "vostok-market.ru"

# contact types in alphabetical order (ties in time are broken by this order)
_CONTACT_TYPES = ["churn_notice", "complaint", "follow_up", "inquiry", "offer", "refusal"]
_WEEKDAY = {
    "B2C": np.array([0.9, 0.9, 0.95, 1.0, 1.1, 1.25, 1.05]),
    "B2B": np.array([1.2, 1.2, 1.2, 1.2, 1.1, 0.06, 0.04]),
}
_NEW_YEAR_PEAK = {"B2C": 1.0, "B2B": 0.5}
_HOLIDAY_LULL = {"B2C": 0.6, "B2B": 0.3}
_HOURS_STORE = np.array([0] * 9 + [2, 3, 4, 5, 5, 5, 5, 6, 7, 8, 8, 6, 3] + [0, 0], float)
_HOURS_ONLINE = np.array(
    [1, 0.5, 0.3, 0.2, 0.2, 0.3, 0.6, 1.2, 2, 2.5, 3, 3, 3.5, 3.5, 3, 3, 3.2, 3.5, 4, 4.8]
    + [5.5, 5.5, 4, 2],
    float,
)
_HOURS_OFFICE = np.array([0] * 9 + [3, 4, 4, 3, 3, 4, 4, 3, 2, 1] + [0] * 5, float)


def seasonality(days: pd.DatetimeIndex, segment: str) -> np.ndarray:
    """Daily purchase-rate multiplier for ``segment``, with mean exactly 1 over ``days``.

    A peak in the run-up to New Year (smaller for B2B), a lull in the January
    holidays, a bump before 8 March and a summer dip; consumers shop more at the
    weekend, corporate clients on weekdays.

    >>> s = seasonality(pd.date_range("2023-01-01", "2024-12-31"), "B2C")
    >>> round(float(s.mean()), 12)
    1.0
    >>> bool(s[pd.date_range("2023-01-01", "2024-12-31").month == 12].mean() > 1.2)
    True
    """
    doy = days.day_of_year.to_numpy()
    dec24 = pd.DatetimeIndex(pd.to_datetime({"year": days.year, "month": 12, "day": 24}))
    dist = doy - dec24.day_of_year.to_numpy()
    y = 1.0 + _NEW_YEAR_PEAK[segment] * np.exp(-0.5 * (dist / 6.0) ** 2)
    month, day = days.month.to_numpy(), days.day.to_numpy()
    y = np.where((month == 1) & (day <= 8), _HOLIDAY_LULL[segment], y)
    if segment == "B2C":
        y = np.where((month == 3) & (day <= 7), 1.25 * y, y)
    y = np.where((month >= 6) & (month <= 8), 0.9 * y, y)
    s = y * _WEEKDAY[segment][days.day_of_week.to_numpy()]
    return s / s.mean()


def _expected_purchases(lam, p, weeks):
    """Expected purchases in ``weeks`` for an active customer with rate ``lam`` and dropout ``p``.

    The time to dropout is exponential with rate ``lam * p`` (a geometric number
    of exponential gaps), so the expectation is ``(1 - exp(-lam p t)) / p``.
    """
    return -np.expm1(-lam * p * weeks) / p


def _check_args(n_customers, start, end, locale, random_state):
    n = v.check_positive_int(n_customers, "n_customers")
    t0 = v.check_timestamp(start, "start")
    t1 = v.check_timestamp(end, "end")
    if t0.normalize() != t0 or t1.normalize() != t1:
        raise ValueError(
            f"`start` and `end` must be dates without a time of day, got {start!r} and {end!r}; "
            f"pass e.g. start='2023-01-01', end='2024-12-31' (the end day is included)."
        )
    if t0.tz is not None or t1.tz is not None:
        raise ValueError("`start` and `end` must be dates without a time zone, e.g. '2023-01-01'.")
    if t1 - t0 < pd.Timedelta(days=27):
        raise ValueError(
            f"`end` must be at least 4 weeks after `start`, got start={t0.date()} and "
            f"end={t1.date()}; pass an end date later than the start."
        )
    if t1 - t0 > pd.Timedelta(days=366 * 20):
        raise ValueError(
            f"the period from `start` to `end` may be at most 20 years, got "
            f"{t0.date()} to {t1.date()}; shorten it."
        )
    if not isinstance(locale, str) or locale not in LOCALES:
        raise ValueError(
            f"`locale` must be one of {', '.join(map(repr, LOCALES))}; got {locale!r}. "
            f"Other Faker locales are not supported because city names and phone formats "
            f"are defined for these two."
        )
    rng = v.check_random_state(random_state)
    return n, t0, t1, rng


def _grouped_pick(group_of_item: np.ndarray, groups: np.ndarray, rng) -> np.ndarray:
    """For each value in ``groups`` pick a random item index whose group equals it (-1 if none)."""
    order = np.argsort(group_of_item, kind="stable")
    sorted_groups = group_of_item[order]
    lo = np.searchsorted(sorted_groups, groups, side="left")
    hi = np.searchsorted(sorted_groups, groups, side="right")
    count = hi - lo
    pick = lo + np.floor(rng.random(len(groups)) * np.maximum(count, 1)).astype(np.int64)
    out = np.where(count > 0, order[np.minimum(pick, len(order) - 1)], -1)
    return out


def _choice_idx(rng, p, size) -> np.ndarray:
    """Indices 0..len(p)-1 drawn with probabilities proportional to ``p``."""
    p = np.asarray(p, float)
    idx = np.searchsorted(np.cumsum(p / p.sum()), rng.random(size), side="right")
    return np.minimum(idx, len(p) - 1)


def _choice(rng, options, p, size) -> np.ndarray:
    """``size`` draws from ``options`` (an object array) with probabilities ``p``."""
    return np.asarray(options, dtype=object)[_choice_idx(rng, p, size)]


def _stores(pools: PeoplePools, locale: str, end: pd.Timestamp, rng) -> pd.DataFrame:
    city = cities(locale)
    n_stores = np.maximum(1, np.round(city["population"] / 160).astype(int))
    rows = city.loc[city.index.repeat(n_stores)].reset_index(drop=True)
    number = rows.groupby("city", sort=False).cumcount() + 1
    sign = "№" if locale == "ru_RU" else "#"
    n = len(rows)
    opened_year = rng.integers(2005, min(end.year - 1, 2022) + 1, size=n)
    opened = pd.to_datetime(
        pd.DataFrame({"year": opened_year, "month": rng.integers(1, 13, n), "day": 1})
    ) + pd.to_timedelta(rng.integers(0, 28, n), unit="D")
    return pd.DataFrame(
        {
            "store_id": np.arange(1, n + 1),
            "name": CHAIN[locale] + " " + rows["city"] + " " + sign + number.astype(str),
            "city": rows["city"],
            "region": rows["region"],
            "city_population": rows["population"].astype(np.int64),
            "address": pools.addresses(n, rng),
            "opened_date": opened,
            "quality": rng.standard_normal(n),  # latent service quality, not published
        }
    )


def _employees(pools, stores, n_b2b, start, end, rng) -> pd.DataFrame:
    per_store = 6 + rng.poisson(stores["city_population"].to_numpy() / 60.0)
    store_of = np.repeat(stores["store_id"].to_numpy(), per_store)
    first_of_store = np.r_[0, np.cumsum(per_store)[:-1]]
    role = _choice(
        rng, ["sales_assistant", "cashier", "stock_clerk"], [0.5, 0.35, 0.15], len(store_of)
    )
    role[first_of_store] = "store_manager"
    n_am = max(1, int(np.ceil(n_b2b / 25)))
    office_roles = ["account_manager"] * n_am + ["marketing_specialist"] * 4
    office_roles += ["customer_service"] * 6
    roles = np.concatenate([role, np.array(office_roles, dtype=object)])
    store_id = np.concatenate([store_of, np.full(len(office_roles), -1)])
    n = len(roles)
    quality = stores.set_index("store_id")["quality"]
    q = np.where(store_id > 0, quality.reindex(store_id).fillna(0.0).to_numpy(), 0.0)
    sat = np.clip(np.round(3.6 + 0.35 * q + rng.normal(0, 0.55, n), 1), 1.0, 5.0)
    opened = stores.set_index("store_id")["opened_date"]
    earliest = np.where(
        store_id > 0,
        opened.reindex(store_id).to_numpy().astype("datetime64[D]").astype(np.int64),
        (start - pd.DateOffset(years=10)).to_datetime64().astype("datetime64[D]").astype(np.int64),
    )
    earliest = np.maximum(
        earliest,
        (start - pd.DateOffset(years=12)).to_datetime64().astype("datetime64[D]").astype(int),
    )
    latest = (end - pd.Timedelta(days=30)).to_datetime64().astype("datetime64[D]").astype(np.int64)
    hire = earliest + np.floor(rng.random(n) * (latest - earliest + 1)).astype(np.int64)
    people = pools.people(n, rng, domain=STAFF_DOMAIN)
    return pd.DataFrame(
        {
            "employee_id": np.arange(1, n + 1),
            "name": people["name"],
            "email": people["email"],
            "role": roles,
            "store_id": pd.array(np.where(store_id > 0, store_id, 0), dtype="Int64"),
            "hire_date": hire.astype("datetime64[D]"),
            "satisfaction": sat,
        }
    ).assign(store_id=lambda d: d["store_id"].mask(store_id <= 0))


def _partners(pools, locale, rng) -> pd.DataFrame:
    kinds = {
        "supplier": (24, 9.0e7),
        "distributor": (4, 6.0e7),
        "logistics": (4, 2.5e7),
        "bank": (3, 3.0e8),
        "investor": (3, 5.0e8),
        "agency": (5, 8.0e6),
        "media": (5, 5.0e6),
    }
    kind = np.concatenate([np.full(k, name, dtype=object) for name, (k, _) in kinds.items()])
    scale = np.concatenate([np.full(k, s) for k, s in kinds.values()])
    n = len(kind)
    city_pool = list(cities(locale)["city"]) + EXTRA_PARTNER_CITIES[locale]
    years = np.round(rng.gamma(2.0, 3.0, n) + 0.5, 1)
    sat = np.clip(np.round(3.1 + 0.12 * np.sqrt(years) * 2 + rng.normal(0, 0.6, n), 1), 1, 5)
    return pd.DataFrame(
        {
            "partner_id": np.arange(1, n + 1),
            "name": pools.companies(n, rng),
            "kind": kind,
            "city": _choice(rng, city_pool, np.ones(len(city_pool)), n),
            "contact_name": pools.people(n, rng)["name"],
            "phone": pools.phones(n, rng),
            "relationship_years": years,
            "annual_volume": np.round(scale * rng.lognormal(0, 0.6, n), -3),
            "satisfaction": sat,
        }
    )


def _to_ns(start: pd.Timestamp, day: np.ndarray, seconds: np.ndarray) -> np.ndarray:
    base = start.to_datetime64().astype("datetime64[s]").astype(np.int64)
    return (base + day.astype(np.int64) * 86400 + seconds.astype(np.int64)).astype("datetime64[s]")


def generate_case(
    n_customers: int = 5000,
    start="2023-01-01",
    end="2024-12-31",
    locale: str = "ru_RU",
    random_state=42,
    *,
    progress: bool = False,
) -> Case:
    """Generate the case company's data with a known ground truth.

    A retail chain in the Russian Far East ("Vostok Market"): stores in real
    cities (more stores where more people live), an online shop, a loyalty card
    run as a randomised experiment, a B2B arm with account managers, partners
    and staff. Every customer signs up with a first purchase between ``start``
    and ``end``; what follows is driven by a latent process whose parameters are
    returned in ``truth`` (per customer) and ``meta`` (per population).

    Parameters
    ----------
    n_customers : int, default 5000
        Number of customers (about 3% of them B2B).
    start, end : date-like, default "2023-01-01", "2024-12-31"
        First and last day of the observation window (both included).
    locale : {"ru_RU", "en_US"}, default "ru_RU"
        Language of names, cities and companies (Faker locale).
    random_state : int or numpy.random.Generator, default 42
        Source of all randomness; the same int gives byte-identical output.
    progress : bool, default False
        Show a tqdm progress bar over the generation steps.

    Returns
    -------
    Case
        Tables ``customers, transactions, returns, stores, employees, partners,
        surveys, interactions, loyalty, truth`` (columns in :mod:`rmlib.data.schema`;
        ``returns`` is empty, see :func:`add_nonbuyers_and_returns`) and
        ``meta`` (arguments and true population parameters).

    Notes
    -----
    **Purchases (BG/NBD).** Customer *i* of segment *s* has a purchase rate
    ``lambda_i ~ Gamma(shape r_s, rate alpha_s)`` per week and a dropout
    probability ``p_i ~ Beta(a_s, b_s)``. The first purchase happens at signup;
    while alive, purchases follow a Poisson process with rate ``lambda_i``;
    after each *repeat* purchase the customer leaves for good with probability
    ``p_i`` (the churn date is that purchase's time). Signup times are spread
    over the window like purchases (same seasonality).

    **Spend (Gamma-Gamma).** ``nu_i ~ Gamma(shape q_s, rate gamma_s)``; each
    purchase's amount ``~ Gamma(shape p_s, rate nu_i)``, independent of the
    purchase times, so the customer's mean spend is ``p_s / nu_i``. Margin is a
    segment share of the amount, lowered by promotional discounts.

    **Seasonality bends BG/NBD a little.** Purchase times run on an
    "operational clock" that ticks faster before New Year, before 8 March and
    at weekends (weekdays for B2B) and slower in the January holidays and in
    summer; the multiplier averages exactly 1 over the window, so the expected
    number of purchases over the whole window is what BG/NBD says. Within the
    window the rate is not constant, so the Poisson assumption holds on the
    operational clock, not the calendar: a customer observed only over a
    December looks faster than their ``lambda``, one observed over a summer
    slower. Times of day are drawn separately (store opening hours, evening
    peaks online), which only reorders purchases within a day.

    **Loyalty card.** Half of the B2C customers, at random, are offered the card
    (``treatment``); more frequent buyers and those who like the company accept
    more often (self-selection). The card raises an enrolled customer's rate
    by ``PROGRAM_UPLIFT`` (20%) and cuts their dropout probability by
    ``PROGRAM_DROPOUT_CUT`` (25%), about 10% more purchases per offered
    customer. Enrolled customers' ``lambda`` and ``p`` are therefore scaled
    Gamma and Beta draws: the population parameters in ``meta`` describe
    customers before the card, i.e. exactly the control group (and B2B).
    Enrolled vs not enrolled exaggerates the effect (self-selection);
    treatment vs control estimates it honestly, diluted by the share who enrol.
    ``truth`` holds the effective (after-card) ``lambda`` and ``p``.

    **Attitude and behaviour.** A latent attitude correlates (0.55) with a
    latent behavioural loyalty score (low dropout, high rate); NPS and CSAT are
    noisy readings of the attitude (CSAT also of the home store's service), so
    true, latent, spurious and no loyalty all occur.

    **Staff.** Each store has a latent service quality that raises its staff's
    satisfaction and its customers' CSAT, and loyal customers gather a little
    more at well-run stores (the store weights average to city population), so
    staff satisfaction, customer satisfaction and repeat rate move together
    across stores without any customer's own parameters changing distribution.

    Examples
    --------
    >>> case = generate_case(n_customers=200, random_state=1)
    >>> case.customers.shape[0], case.truth.shape[0]
    (200, 200)
    >>> sorted(case.customers["segment"].unique())
    ['B2B', 'B2C']
    >>> case.meta["population"]["B2C"]["bgnbd"]
    {'r': 0.9, 'alpha': 8.0, 'a': 1.2, 'b': 7.0}
    """
    tables: dict[str, pd.DataFrame] = {}

    def keep(name, table):
        tables[name] = table.frame() if isinstance(table, TableParts) else table

    meta = _generate(n_customers, start, end, locale, random_state, progress, keep)
    return Case(**{name: tables[name] for name in schema.TABLE_NAMES}, meta=meta)


def generate_case_files(
    path,
    n_customers: int = 5000,
    start="2023-01-01",
    end="2024-12-31",
    locale: str = "ru_RU",
    random_state=42,
    *,
    format: str = "csv",
    overwrite: bool = False,
    progress: bool = False,
) -> dict:
    """Generate a case as :func:`generate_case` does and write it to the folder ``path``.

    The files are byte for byte those of ``generate_case(...).write(path,
    format)``, but each table is written as soon as it is complete and then
    dropped, so the whole case is never in memory at once: a million customers
    over ten years (about ten million purchases) fit in well under 2 GB. This is
    what ``python -m rmlib.data`` runs. Like :meth:`Case.write`, it writes to a
    temporary folder moved into place at the end, so an error leaves nothing
    half-written behind.

    Parameters
    ----------
    path : str or Path
        Target folder (see :meth:`Case.write`).
    n_customers, start, end, locale, random_state, progress
        As for :func:`generate_case`.
    format : {"csv", "parquet"}, default "csv"
        File format of the tables.
    overwrite : bool, default False
        Replace an existing case folder (one holding ``meta.json``).

    Returns
    -------
    dict
        The case's ``meta`` (also saved as ``meta.json``); ``meta["rows"]``
        gives each table's number of rows.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from rmlib.data import read_case
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     meta = generate_case_files(Path(tmp) / "case", n_customers=100, random_state=0)
    ...     back = read_case(Path(tmp) / "case")
    >>> back.transactions.equals(generate_case(100, random_state=0).transactions)
    True
    >>> meta["rows"]["customers"]
    100
    """
    _check_args(n_customers, start, end, locale, random_state)  # before touching any folder
    with CaseFolder(path, format, overwrite=overwrite) as folder:
        meta = _generate(n_customers, start, end, locale, random_state, progress, folder.add)
        folder.finish(meta)
    return meta


def _generate(n_customers, start, end, locale, random_state, progress, emit) -> dict:
    """Simulate the case, handing each finished table to ``emit(name, table)``; returns meta.

    ``table`` is a DataFrame in the schema's dtypes or, for the two big tables
    (transactions, the contact log), a :class:`TableParts` that makes the table
    slice by slice from compact arrays. Each table is emitted as soon as it is
    complete, the big ones first, and no reference to it is kept here, so a
    writer can free it once written. Every step draws from its own random
    stream, so the order of the steps does not change the data.
    """
    from tqdm.auto import tqdm

    n, t0, t1, root = _check_args(n_customers, start, end, locale, random_state)
    seed_record = int(random_state) if not isinstance(random_state, np.random.Generator) else None
    streams = root.spawn(10)
    bar = tqdm(total=9, desc="case", disable=not progress, unit="step")
    counts: dict[str, int] = {}

    def step(name):
        bar.set_postfix_str(name)
        bar.update(1)

    def put(name, df):
        df = schema.conform(df, name)
        counts[name] = len(df)
        emit(name, df)

    def put_parts(name, n_rows, rows):
        """Emit a big table as row slices ``rows(lo, hi)`` (see :class:`TableParts`)."""
        counts[name] = n_rows
        emit(name, TableParts(n_rows, lambda lo, hi: schema.conform(rows(lo, hi), name)))

    r_faker, r_seg, r_store, r_purch, r_cust, r_emp, r_surv, r_int, r_loy, r_part = streams
    pools = PeoplePools(locale, seed=int(r_faker.integers(2**31 - 1)))
    days = pd.date_range(t0, t1, freq="D")

    # --- segments and latent parameters -------------------------------------------
    n_b2b = int(round(POPULATION["B2B"]["share"] * n))
    is_b2b, segment, lam_base, p_drop, mean_spend, z_lam, behaviour, attitude = _latent(
        n, n_b2b, r_seg
    )
    step("latent parameters")

    # --- stores and home stores -----------------------------------------------------
    stores = _stores(pools, locale, t1, r_store)
    home_store, city = _home_stores(stores, behaviour, r_store)
    step("stores")

    # --- channels, loyalty experiment -----------------------------------------------
    acq, online_share = _channels(is_b2b, r_cust)
    treatment, enrolled, lam, p_drop, program_effect = _loyalty_experiment(
        is_b2b, lam_base, p_drop, z_lam, attitude, r_loy
    )
    del lam_base, z_lam

    # --- transactions (written first: the biggest table) ----------------------------------
    tx_cust, tx_ts, alive, n_rep, first_ts, last_ts, spend_total = _purchases(
        r_purch,
        days,
        lam,
        p_drop,
        is_b2b,
        online_share,
        mean_spend,
        home_store,
        stores,
        step,
        put_parts,
    )
    del online_share
    step("transactions")

    # --- customers and staff --------------------------------------------------------------
    employees = _employees(pools, stores, n_b2b, t0, t1, r_emp)
    customers, manager, pref, opt_in = _customers(
        pools, employees, is_b2b, segment, city, acq, first_ts, home_store, attitude, t0, r_cust
    )
    del city, acq
    put("customers", customers)
    del customers
    step("customers and staff")

    # --- surveys --------------------------------------------------------------------------
    surveys, q_home = _surveys(
        stores, home_store, is_b2b, attitude, n_rep, tx_cust, tx_ts, t1, r_surv
    )
    cust_sat = surveys["csat"].groupby(home_store[surveys["customer_id"].to_numpy() - 1]).mean()
    put("surveys", surveys)
    del surveys
    step("surveys")

    # --- interactions -------------------------------------------------------------------------
    purchases = [tx_cust, tx_ts]  # handed over: _interactions drops them when done
    del tx_cust, tx_ts
    facts = _ContactFacts(
        is_b2b=is_b2b,
        home=home_store,
        manager=np.where(is_b2b, manager, 0),
        pref=pref,
        attitude=attitude,
        q_home=q_home,
        opt_in=opt_in,
        treatment=treatment,
        enrolled=enrolled,
        alive=alive,
        first_ts=first_ts,
        last_ts=last_ts,
    )
    contacts = _interactions(r_int, purchases, facts, employees=employees, t0=t0, t1=t1)
    del facts
    put_parts("interactions", *contacts)
    del contacts
    step("interactions")

    # --- loyalty ------------------------------------------------------------------------------
    loyalty = _loyalty_table(is_b2b, treatment, enrolled, spend_total, first_ts, r_loy)
    put("loyalty", loyalty)
    del loyalty

    # --- truth ---------------------------------------------------------------------------------
    truth = _truth(
        is_b2b,
        segment,
        lam,
        p_drop,
        mean_spend,
        alive,
        last_ts,
        behaviour,
        attitude,
        program_effect,
    )
    put("truth", truth)
    del truth
    step("loyalty and truth")

    # --- store aggregates, staff, partners, meta ----------------------------------------------
    staff_sat = employees.groupby("store_id")["satisfaction"].mean()
    stores["staff_satisfaction"] = np.round(stores["store_id"].map(staff_sat).astype(float), 2)
    stores["customer_satisfaction"] = np.round(stores["store_id"].map(cust_sat).astype(float), 2)
    put("stores", stores)
    put("employees", employees)
    put("partners", _partners(pools, locale, r_part))
    put("returns", schema.empty("returns"))  # none here: see add_nonbuyers_and_returns
    rows = {name: counts[name] for name in schema.TABLE_NAMES}
    meta = _meta(n, t0, t1, locale, seed_record, stores, rows, enrolled, treatment)
    step("meta")
    bar.close()
    return meta


def _latent(n, n_b2b, r_seg):
    """Segments, latent BG/NBD and spend parameters, and attitude (stream ``r_seg``)."""
    is_b2b = np.zeros(n, bool)
    is_b2b[r_seg.choice(n, size=n_b2b, replace=False)] = True
    segment = np.where(is_b2b, "B2B", "B2C").astype(object)
    lam_base = np.empty(n)
    p_drop = np.empty(n)
    mean_spend = np.empty(n)
    z_lam = np.empty(n)
    z_p = np.empty(n)
    for seg, mask in (("B2C", ~is_b2b), ("B2B", is_b2b)):
        k = int(mask.sum())
        bg, gg = POPULATION[seg]["bgnbd"], POPULATION[seg]["gamma_gamma"]
        lam = np.maximum(np.round(r_seg.gamma(bg["r"], 1 / bg["alpha"], k), 6), 1e-6)
        p = np.clip(np.round(r_seg.beta(bg["a"], bg["b"], k), 6), 1e-6, 1 - 1e-6)
        nu = r_seg.gamma(gg["q"], 1 / gg["gamma"], k)
        lam_base[mask], p_drop[mask] = lam, p
        mean_spend[mask] = np.maximum(np.round(gg["p"] / nu, 2), 0.01)
        z_lam[mask] = special.ndtri(
            np.clip(special.gammainc(bg["r"], bg["alpha"] * lam), 1e-9, 1 - 1e-9)
        )
        z_p[mask] = special.ndtri(np.clip(1 - special.betainc(bg["a"], bg["b"], p), 1e-9, 1 - 1e-9))
    behaviour = (0.7 * z_p + 0.3 * z_lam) / np.sqrt(0.7**2 + 0.3**2)
    rho = ATTITUDE_LOADING
    attitude = rho * behaviour + np.sqrt(1 - rho**2) * r_seg.standard_normal(n)
    return is_b2b, segment, lam_base, p_drop, mean_spend, z_lam, behaviour, attitude


def _home_stores(stores, behaviour, r_store):
    """Each customer's home store (better stores draw the behaviourally loyal) and city."""
    n = len(behaviour)
    pop = stores["city_population"].to_numpy(float)
    per_city = stores.groupby("city")["city"].transform("size").to_numpy()
    base_w = pop / per_city
    q = stores["quality"].to_numpy()
    home = np.empty(n, np.int64)
    chunk = 200_000
    for lo in range(0, n, chunk):
        b = behaviour[lo : lo + chunk, None]
        w = base_w[None, :] * np.exp(STORE_SORTING * b * q[None, :] - STORE_SORTING**2 * q**2 / 2)
        cw = np.cumsum(w, axis=1)
        u = r_store.random(len(b))[:, None] * cw[:, -1:]
        home[lo : lo + chunk] = (cw < u).sum(axis=1)
    home_store = stores["store_id"].to_numpy()[home]
    city = stores["city"].to_numpy()[home]
    return home_store, city


def _channels(is_b2b, r_cust):
    """Acquisition channel and share of purchases online (stream ``r_cust``)."""
    n = len(is_b2b)
    acq = np.where(
        is_b2b,
        _choice(r_cust, ["sales_team", "referral", "online"], [0.7, 0.2, 0.1], n),
        _choice(
            r_cust,
            ["store", "online", "referral", "advertising"],
            [0.5, 0.25, 0.1, 0.15],
            n,
        ),
    )
    online_share = np.where(
        is_b2b,
        r_cust.beta(6, 2, n),
        np.where(acq == "online", r_cust.beta(4, 2, n), r_cust.beta(1, 4, n)),
    )
    return acq, online_share


def _loyalty_experiment(is_b2b, lam_base, p_drop, z_lam, attitude, r_loy):
    """The randomised card offer, who enrols, and the program's effect on rate and dropout."""
    n = len(is_b2b)
    treatment = (~is_b2b) & (r_loy.random(n) < 0.5)
    enrol_p = special.expit(0.7 + 0.9 * z_lam + 0.5 * attitude)
    enrolled = treatment & (r_loy.random(n) < enrol_p)
    lam = np.where(enrolled, np.round(lam_base * (1 + PROGRAM_UPLIFT), 6), lam_base)
    p_base = p_drop
    p_drop = np.where(enrolled, np.round(p_base * (1 - PROGRAM_DROPOUT_CUT), 6), p_base)
    p_drop = np.maximum(p_drop, 1e-6)
    program_effect = np.round(
        _expected_purchases(lam, p_drop, 52.0) - _expected_purchases(lam_base, p_base, 52.0), 4
    )
    return treatment, enrolled, lam, p_drop, program_effect


def _customers(
    pools, employees, is_b2b, segment, city, acq, first_ts, home_store, attitude, t0, r_cust
):
    """The customers table, with each B2B customer's manager, preferred channel and opt-in."""
    n, n_b2b = len(is_b2b), int(is_b2b.sum())
    am_ids = employees.loc[employees["role"] == "account_manager", "employee_id"].to_numpy()
    manager = np.where(is_b2b, am_ids[r_cust.integers(0, len(am_ids), n)], 0)
    female = np.where(is_b2b, POPULATION["B2B"]["female_share"], POPULATION["B2C"]["female_share"])
    gender = np.where(r_cust.random(n) < female, "F", "M")
    people = pools.people(n, r_cust, gender=gender)
    age = np.where(is_b2b, r_cust.normal(45, 9, n), r_cust.normal(40, 13, n))
    birth_year = t0.year - np.clip(np.round(age), 18, 85).astype(np.int64)
    companies = np.full(n, None, dtype=object)
    companies[is_b2b] = pools.companies(n_b2b, r_cust)
    pref = np.where(
        is_b2b,
        _choice(r_cust, ["email", "phone", "messenger"], [0.5, 0.4, 0.1], n),
        _choice(r_cust, ["email", "sms", "messenger", "phone"], [0.35, 0.25, 0.3, 0.1], n),
    )
    opt_in = r_cust.random(n) < special.expit(0.4 + 0.5 * attitude)
    customers = pd.DataFrame(
        {
            "customer_id": np.arange(1, n + 1),
            "name": people["name"],
            "email": people["email"],
            "phone": pools.phones(n, r_cust),
            "city": city,
            "gender": people["gender"],
            "birth_year": birth_year,
            "signup_date": first_ts.astype("datetime64[D]"),
            "acquisition_channel": acq,
            "segment": segment,
            "company": companies,
            "manager_id": pd.array(np.where(is_b2b, manager, 0), dtype="Int64"),
            "preferred_channel": pref,
            "marketing_opt_in": opt_in,
            "store_id": home_store,
        }
    )
    customers["manager_id"] = customers["manager_id"].mask(~is_b2b)
    return customers, manager, pref, opt_in


def _surveys(stores, home_store, is_b2b, attitude, n_rep, tx_cust, tx_ts, t1, r_surv):
    """Surveys after a random purchase (NPS, CSAT) and the quality of each home store."""
    n = len(is_b2b)
    q_home = stores.set_index("store_id")["quality"].reindex(home_store).to_numpy()
    answers = r_surv.random(n) < np.where(is_b2b, 0.5, 0.3)
    who = np.flatnonzero(answers)
    n_tx = n_rep + 1
    tx_start = np.r_[0, np.cumsum(np.bincount(tx_cust, minlength=n))[:-1]]
    pick = tx_start[who] + np.floor(r_surv.random(len(who)) * n_tx[who]).astype(np.int64)
    by_cust = np.argsort(tx_cust, kind="stable")
    row = by_cust[pick]
    lag = r_surv.geometric(0.45, len(who))
    s_date = tx_ts[row].astype("datetime64[D]") + lag.astype("timedelta64[D]")
    keep = s_date <= t1.to_datetime64()
    who, row, s_date = who[keep], row[keep], s_date[keep]
    k = len(who)
    a_w = attitude[who]
    nps = np.clip(np.round(7.0 + 1.9 * a_w + 0.3 * q_home[who] + r_surv.normal(0, 1.3, k)), 0, 10)
    csat = np.clip(np.round(3.8 + 0.55 * a_w + 0.25 * q_home[who] + r_surv.normal(0, 0.6, k)), 1, 5)
    surveys = pd.DataFrame(
        {
            "customer_id": who + 1,
            "transaction_id": row + 1,  # transaction ids are the table's row numbers from 1
            "date": s_date,
            "channel": _choice(r_surv, ["email", "sms", "app", "phone"], [0.45, 0.2, 0.3, 0.05], k),
            "nps": nps.astype(np.int64),
            "csat": csat.astype(np.int64),
        }
    ).sort_values(["date", "customer_id"], kind="stable")
    surveys.insert(0, "survey_id", np.arange(1, k + 1))
    return surveys, q_home


def _loyalty_table(is_b2b, treatment, enrolled, spend_total, first_ts, r_loy):
    """The loyalty experiment's table: group, enrolment, tier and points of the B2C customers."""
    n = len(is_b2b)
    b2c = np.flatnonzero(~is_b2b)
    earned = np.where(enrolled, np.floor(0.03 * spend_total), 0).astype(np.int64)
    redeemed = np.floor(earned * r_loy.beta(3, 2, n)).astype(np.int64)
    tier = np.where(spend_total >= 40000, "gold", np.where(spend_total >= 12000, "silver", "basic"))
    loyalty = pd.DataFrame(
        {
            "customer_id": b2c + 1,
            "group": np.where(treatment[b2c], "treatment", "control"),
            "enrolled": enrolled[b2c],
            "enrolled_date": pd.Series(first_ts[b2c].astype("datetime64[D]")).where(enrolled[b2c]),
            "tier": pd.Series(tier[b2c].astype(object)).where(enrolled[b2c]),
            "points_earned": earned[b2c],
            "points_redeemed": redeemed[b2c],
        }
    )
    return loyalty


def _truth(
    is_b2b, segment, lam, p_drop, mean_spend, alive, last_ts, behaviour, attitude, program_effect
):
    """The hidden truth per customer: parameters, 52-week expectations, value tier, loyalty type."""
    n = len(is_b2b)
    margin_share = np.where(
        is_b2b, POPULATION["B2B"]["margin_rate"], POPULATION["B2C"]["margin_rate"]
    ) - MARGIN_LOSS_PER_DISCOUNT * float(DISCOUNTS @ DISCOUNT_P)
    exp_n = np.where(alive, _expected_purchases(lam, p_drop, 52.0), 0.0)
    exp_m = exp_n * mean_spend * margin_share
    cuts = np.quantile(exp_m, [0.5, 0.8, 0.95])
    value_tier = np.where(
        exp_m > cuts[2],
        "platinum",
        np.where(exp_m > cuts[1], "gold", np.where(exp_m > cuts[0], "iron", "lead")),
    )
    loyal_b, loyal_a = behaviour > 0, attitude > 0
    loyalty_type = np.where(
        loyal_b & loyal_a,
        "true",
        np.where(loyal_a, "latent", np.where(loyal_b, "spurious", "none")),
    )
    churn = pd.Series(last_ts).where(~alive)
    truth = pd.DataFrame(
        {
            "customer_id": np.arange(1, n + 1),
            "segment": segment,
            "purchase_rate": lam,
            "dropout_probability": p_drop,
            "mean_spend": mean_spend,
            "alive_at_end": alive,
            "churn_date": churn,
            "expected_purchases_52w": np.round(exp_n, 4),
            "expected_margin_52w": np.round(exp_m, 2),
            "value_tier": value_tier,
            "program_effect": program_effect,
            "attitude": np.round(attitude, 4),
            "loyalty_type": loyalty_type,
        }
    )
    return truth


def _purchases(
    rng, days, lam, p_drop, is_b2b, online_share, mean_spend, home_store, stores, step, put_parts
):
    """Simulate every purchase and hand the transactions table to ``put_parts``.

    Returns, in the table's order, each purchase's customer (0-based) and time
    (``datetime64[s]``), then per-customer facts. There are about ten purchases
    per customer, so for a big run every per-purchase array is large: they are
    updated in place where the arithmetic allows, each column is brought into
    the table's order as soon as it is drawn, and the unsorted one is dropped,
    so that only a few such arrays are alive at once. (Draws still happen in the
    unsorted order, so the data do not depend on this bookkeeping.)
    """
    n, n_days, t0 = len(lam), len(days), days[0]
    weeks = n_days / 7.0
    # purchase times on the operational clock
    cum = {seg: np.r_[0.0, np.cumsum(seasonality(days, seg))] / 7.0 for seg in ("B2C", "B2B")}
    tau0 = rng.random(n) * weeks
    remaining = weeks - tau0
    n_poisson = rng.poisson(lam * remaining)
    n_until_death = rng.geometric(p_drop)
    n_rep = np.minimum(n_poisson, n_until_death)
    alive = n_poisson < n_until_death
    rep_cust = np.repeat(np.arange(n), n_rep)
    # the first n_rep of n_poisson uniform order statistics, via exponential spacings
    cs = rng.exponential(size=len(rep_cust))
    np.cumsum(cs, out=cs)
    ends = np.cumsum(n_rep)
    starts = ends - n_rep
    before = np.where(starts > 0, cs[np.maximum(starts - 1, 0)], 0.0) if len(cs) else np.zeros(n)
    s_last = np.where(n_rep > 0, cs[np.maximum(ends - 1, 0)] - before, 0.0) if len(cs) else before
    s_total = s_last + rng.gamma(n_poisson - n_rep + 1.0)
    cs -= before[rep_cust]
    cs /= s_total[rep_cust]
    m = n + len(rep_cust)
    tau = np.empty(m)
    tau[:n] = tau0
    later = remaining[rep_cust]
    later *= cs
    del cs, before, s_last, s_total, ends, n_poisson, n_until_death
    np.add(tau0[rep_cust], later, out=tau[n:])
    del later
    cust = np.concatenate([np.arange(n), rep_cust])
    del rep_cust
    b2b_tx = is_b2b[cust]
    grid = np.arange(n_days + 1)
    x = np.interp(tau, cum["B2C"], grid)
    sel = np.flatnonzero(b2b_tx)
    x[sel] = np.interp(tau[sel], cum["B2B"], grid)
    del tau, sel
    np.floor(x, out=x)
    day = x.astype(np.int64)
    del x
    np.minimum(day, n_days - 1, out=day)
    online = rng.random(m) < online_share[cust]
    office = _choice_idx(rng, _HOURS_OFFICE, m).astype(np.int8)  # hours 0-23
    evening = _choice_idx(rng, _HOURS_ONLINE, m).astype(np.int8)
    shop = _choice_idx(rng, _HOURS_STORE, m).astype(np.int8)
    hour = np.where(online, np.where(b2b_tx, office, evening), shop)
    del office, evening, shop
    seconds = hour.astype(np.int64) * 3600 + rng.integers(0, 60, m) * 60
    del hour
    ts = _to_ns(t0, day, seconds)
    del day, seconds
    step("purchase times")

    # first and last purchase of each customer: the first n purchases are the signups,
    # then each customer's repeat purchases follow in one block
    ti = ts.view(np.int64)
    first, last = ti[:n].copy(), ti[:n].copy()
    has = np.flatnonzero(n_rep > 0)
    if len(has):
        first[has] = np.minimum(first[has], np.minimum.reduceat(ti[n:], starts[has]))
        last[has] = np.maximum(last[has], np.maximum.reduceat(ti[n:], starts[has]))
    first_ts, last_ts = first.view("datetime64[s]"), last.view("datetime64[s]")
    del ti, has, starts
    order = np.lexsort((cust, ts))
    tx_ts = ts[order]
    del ts
    online_tx = online[order]
    del online

    # amounts (Gamma-Gamma), discounts, margin, items, store
    b2b, b2c = POPULATION["B2B"], POPULATION["B2C"]
    gg_p = np.where(b2b_tx, b2b["gamma_gamma"]["p"], b2c["gamma_gamma"]["p"])
    scale = mean_spend[cust]
    scale /= gg_p
    amount = rng.gamma(gg_p, scale)
    del gg_p, scale
    np.round(amount, 2, out=amount)
    np.maximum(amount, 0.01, out=amount)
    d = DISCOUNTS[_choice_idx(rng, DISCOUNT_P, m)]
    discount = amount * d
    discount /= 1 - d
    np.round(discount, 2, out=discount)
    discount_tx = discount[order]
    del discount
    rate = np.where(b2b_tx, b2b["margin_rate"], b2c["margin_rate"])
    rate += rng.normal(0, 0.03, m)
    d *= MARGIN_LOSS_PER_DISCOUNT
    rate -= d
    del d
    np.clip(rate, 0.02, 0.6, out=rate)
    rate *= amount
    np.round(rate, 2, out=rate)
    margin_tx = rate[order]
    del rate
    per_item = np.where(b2b_tx, b2b["unit_price"], b2c["unit_price"])
    np.divide(amount, per_item, out=per_item)
    items = rng.poisson(per_item)
    del per_item
    np.maximum(items, 1, out=items)
    items_tx = items[order]
    del items
    spend_total = np.bincount(cust, weights=amount, minlength=n)
    amount_tx = amount[order]
    del amount
    away = rng.random(m) < 0.1
    store_ids = stores["store_id"].to_numpy()
    elsewhere = store_ids[rng.integers(0, len(stores), m)]
    store = home_store[cust]
    np.copyto(store, elsewhere, where=away)
    del away, elsewhere, b2b_tx
    store_tx = store[order]
    del store
    tx_cust = cust[order]
    del cust, order
    channels = pa.array(["store", "online"], pa.large_string())

    def rows(lo, hi):
        online = online_tx[lo:hi]
        return pd.DataFrame(
            {
                "transaction_id": np.arange(lo + 1, hi + 1),
                "customer_id": tx_cust[lo:hi] + 1,
                "timestamp": tx_ts[lo:hi].astype("datetime64[ns]"),
                "channel": pd.array(channels.take(online.view(np.uint8)), dtype="str"),
                "store_id": pd.arrays.IntegerArray(store_tx[lo:hi], online),
                "amount": amount_tx[lo:hi],
                "margin": margin_tx[lo:hi],
                "items": items_tx[lo:hi],
                "discount": discount_tx[lo:hi],
            },
            copy=False,
        )

    put_parts("transactions", m, rows)
    return tx_cust, tx_ts, alive, n_rep, first_ts, last_ts, spend_total


class _Words:
    """Text values of the contact log kept as small integer codes until the table is built.

    A contact log for a million customers has millions of rows but only a few
    dozen distinct texts; codes (``int16``, -1 = missing) take a quarter of the
    memory of object arrays and turn into Arrow strings in one ``take``.
    """

    def __init__(self) -> None:
        self.words: list[str] = []
        self._index: dict[str, int] = {}

    def code(self, word: str) -> int:
        if word not in self._index:
            self._index[word] = len(self.words)
            self.words.append(word)
        return self._index[word]

    def codes(self, value, k: int) -> np.ndarray:
        """Codes for ``value``: None, one text, or ``(labels, idx)`` meaning ``labels[idx]``."""
        if value is None:
            return np.full(k, -1, np.int16)
        if isinstance(value, str):
            return np.full(k, self.code(value), np.int16)
        labels, idx = value
        lut = np.array([self.code(w) for w in labels], np.int16)
        return lut[idx]

    def column(self, codes: np.ndarray) -> pd.api.extensions.ExtensionArray:
        """The texts of ``codes`` as a pandas ``str`` array (missing where the code is -1)."""
        missing = codes < 0
        idx = pa.array(codes, mask=missing) if missing.any() else pa.array(codes)
        return pd.array(pa.array(self.words, pa.large_string()).take(idx), dtype="str")


@dataclass(frozen=True)
class _ContactFacts:
    """What each customer's contacts depend on: arrays over customers, 0-based.

    ``home``, ``manager`` (0 = none) and ``pref``: home store, account manager
    and preferred channel; ``q_home``: how well the home store is run;
    ``first_ts`` and ``last_ts``: first and last purchase; ``alive``: still a
    customer at the end.
    """

    is_b2b: np.ndarray
    home: np.ndarray
    manager: np.ndarray
    pref: np.ndarray
    attitude: np.ndarray
    q_home: np.ndarray
    opt_in: np.ndarray
    treatment: np.ndarray
    enrolled: np.ndarray
    alive: np.ndarray
    first_ts: np.ndarray
    last_ts: np.ndarray


class _ContactLog:
    """The contact log while it is drawn: each kind of contact adds a part (stream ``rng``).

    Holds the customers' facts, the staff who handle contacts and the window
    (``t0`` to the end of ``t1``); :meth:`add` keeps a part in compact columns
    (texts as :class:`_Words` codes) until :func:`_contact_table` sorts them.
    """

    def __init__(self, rng, facts: _ContactFacts, employees: pd.DataFrame, t0, t1) -> None:
        self.rng, self.facts, self.employees, self.t0 = rng, facts, employees, t0
        self.n = len(facts.is_b2b)
        self.parts: list[tuple] = []
        self.words = _Words()
        self.end_s = (t1 + pd.Timedelta(days=1)).to_datetime64().astype("datetime64[s]")
        self.emp_store = employees["store_id"].fillna(-1).to_numpy(np.int64)
        self.service = employees.loc[
            employees["role"] == "customer_service", "employee_id"
        ].to_numpy()
        self.first = facts.first_ts.astype("datetime64[s]")
        self.stop = np.where(facts.alive, self.end_s, facts.last_ts.astype("datetime64[s]"))

    def handler(self, c, in_store):
        """Employee for each contact: the account manager for B2B, store staff in store
        (``in_store``), customer service otherwise; 0 = automated."""
        rng, facts = self.rng, self.facts
        out = self.service[rng.integers(0, len(self.service), len(c))]
        if in_store.any():
            picked = _grouped_pick(self.emp_store, facts.home[c[in_store]], rng)
            out[in_store] = self.employees["employee_id"].to_numpy()[picked]
        out = np.where(facts.is_b2b[c] & (facts.manager[c] > 0), facts.manager[c], out)
        return out

    def add(self, c, when, channel, kind, outcome, reason, emp):
        """Keep the contacts of customers ``c`` at ``when`` (texts: see :meth:`_Words.codes`)."""
        k = len(c)
        words = self.words
        self.parts.append(
            (
                c + 1,
                when.astype("datetime64[s]"),
                words.codes(channel, k),
                np.full(k, _CONTACT_TYPES.index(kind), dtype=np.int8),
                words.codes(outcome, k),
                words.codes(reason, k),
                np.broadcast_to(np.asarray(emp, dtype=np.int64), (k,)),
            )
        )

    def around(self, base, days_lo, days_hi):
        """``base`` moved by a uniform whole number of seconds in ``[days_lo, days_hi]`` days."""
        secs = self.rng.integers(int(days_lo * 86400), int(days_hi * 86400) + 1, len(base))
        return base + secs.astype("timedelta64[s]")

    def active_weeks(self, who):
        """Weeks from the first purchase of each customer in ``who`` to the end or their loss."""
        return np.maximum((self.stop[who] - self.first[who]).astype(np.int64) / (7 * 86400), 0)

    def spread(self, who, k):
        """``k`` contacts of each customer in ``who`` at uniform times while active.

        Returns each contact's customer and time."""
        first, stop = self.first, self.stop
        c = np.repeat(who, k)
        span = np.repeat((stop[who] - first[who]).astype(np.int64), k)
        offset = (self.rng.random(len(c)) * span).astype(np.int64)
        return c, first[c] + offset.astype("timedelta64[s]")


def _two(first_label, second_label, is_first):
    """``first_label`` where ``is_first``, else ``second_label``, as (labels, idx)."""
    return [first_label, second_label], np.where(is_first, 0, 1).astype(np.int8)


def _interactions(
    rng, purchases: list, facts: _ContactFacts, *, employees: pd.DataFrame, t0, t1
) -> tuple[int, Callable[[int, int], pd.DataFrame]]:
    """The CRM contact log as its number of rows and ``rows(lo, hi)`` (a slice of the table).

    ``purchases``: a list of each purchase's customer (0-based) and time, emptied
    here so that these arrays are freed once the contacts that follow purchases
    are drawn. Each kind of contact is drawn in turn from ``rng``, in a fixed order.
    """
    log = _ContactLog(rng, facts, employees, t0, t1)
    _inquiries(log, *purchases)
    complained, when = _complaints(log, purchases)
    _complaint_follow_ups(log, complained, when)
    del complained, when
    _account_management(log)
    _offers(log)
    _refusals(log)
    _churn_notices(log)
    return _contact_table(log)


def _inquiries(log: _ContactLog, tx_cust, tx_ts) -> None:
    """Inquiries: about 6% of purchases come with a question."""
    rng = log.rng
    sel = np.flatnonzero(rng.random(len(tx_cust)) < 0.06)
    c = tx_cust[sel]
    channels = ["phone", "chat", "email", "store"]
    ch = _choice_idx(rng, [0.35, 0.3, 0.15, 0.2], len(c))
    reason = _choice_idx(rng, [0.3, 0.2, 0.1, 0.15, 0.1, 0.15], len(c))
    reasons = [
        "product availability",
        "order status",
        "opening hours",
        "returns",
        "loyalty card",
        "delivery",
    ]
    outcome = _two("resolved", "unresolved", rng.random(len(c)) < 0.85)
    when = log.around(tx_ts[sel], -2, 0)
    emp = log.handler(c, ch == channels.index("store"))
    log.add(c, when, (channels, ch), "inquiry", outcome, (reasons, reason), emp)


def _complaints(log: _ContactLog, purchases: list):
    """Complaints: more likely from customers who dislike the company and at weaker stores.

    Empties ``purchases`` (the last use of the purchase arrays) and returns the
    complaining customers and the complaints' times, for the follow-ups.
    """
    rng, attitude, q_home = log.rng, log.facts.attitude, log.facts.q_home
    tx_cust, tx_ts = purchases
    purchases.clear()
    # expit(-3.3 - 0.6 * attitude - 0.3 * quality) per purchase, computed in place
    p_c = attitude[tx_cust]
    p_c *= 0.6
    np.subtract(-3.3, p_c, out=p_c)
    q_tx = q_home[tx_cust]
    q_tx *= 0.3
    p_c -= q_tx
    del q_tx
    special.expit(p_c, out=p_c)
    sel = np.flatnonzero(rng.random(len(tx_cust)) < p_c)
    del p_c
    c = tx_cust[sel]
    channels = ["phone", "email", "chat", "store"]
    ch = _choice_idx(rng, [0.35, 0.25, 0.2, 0.2], len(c))
    reason = _choice_idx(rng, [0.3, 0.15, 0.15, 0.15, 0.1, 0.15], len(c))
    reasons = [
        "product quality",
        "delivery delay",
        "staff behaviour",
        "queue at checkout",
        "billing error",
        "out of stock",
    ]
    u = rng.random(len(c))
    p_unres = special.expit(-1.4 - 0.5 * q_home[c])
    outcome = np.where(u < p_unres, 0, np.where(u < p_unres + 0.2, 1, 2)).astype(np.int8)
    when = log.around(tx_ts[sel], 0, 3)
    del tx_cust, tx_ts, sel
    emp = log.handler(c, ch == channels.index("store"))
    outcomes = ["unresolved", "compensated", "resolved"]
    log.add(c, when, (channels, ch), "complaint", (outcomes, outcome), (reasons, reason), emp)
    return c, when


def _complaint_follow_ups(log: _ContactLog, c, when) -> None:
    """The accountable level: most complaints get a follow-up call a few days later."""
    rng = log.rng
    fol = rng.random(len(c)) < 0.6
    c2 = c[fol]
    outcome = _two("completed", "no_answer", rng.random(len(c2)) < 0.75)
    when2 = log.around(when[fol], 1, 6)
    emp = log.handler(c2, np.zeros(len(c2), bool))
    log.add(c2, when2, "phone", "follow_up", outcome, None, emp)


def _account_management(log: _ContactLog) -> None:
    """Proactive B2B account management: a call or visit about every four weeks while active."""
    rng = log.rng
    b2b = np.flatnonzero(log.facts.is_b2b)
    c, when = log.spread(b2b, rng.poisson(log.active_weeks(b2b) / 4.0))
    ch = _choice_idx(rng, [0.5, 0.3, 0.2], len(c))
    outcome = _two("completed", "no_answer", rng.random(len(c)) < 0.85)
    channels = ["phone", "visit", "email"]
    log.add(c, when, (channels, ch), "follow_up", outcome, None, log.facts.manager[c])


def _offers(log: _ContactLog) -> None:
    """Marketing offers to opted-in customers, about three a year while active."""
    rng, facts = log.rng, log.facts
    who = np.flatnonzero(facts.opt_in)
    c, when = log.spread(who, rng.poisson(log.active_weeks(who) * 3 / 52))
    # offers go by e-mail, messenger (also for those who prefer SMS) or phone
    channels = ["email", "messenger", "phone"]
    by_pref = np.zeros(log.n, np.int8)
    for preferred, offer_channel in (("sms", 1), ("messenger", 1), ("phone", 2)):
        by_pref[facts.pref == preferred] = offer_channel
    ch = by_pref[c]
    u = rng.random(len(c))
    p_acc = special.expit(-1.5 + 0.6 * facts.attitude[c])
    code = (u >= p_acc).astype(np.int8) + (u >= p_acc + 0.3)
    del u, p_acc
    emp = np.where(ch == 2, log.service[rng.integers(0, len(log.service), len(c))], 0)
    outcomes = ["accepted", "declined", "no_response"]
    log.add(c, when, (channels, ch), "offer", (outcomes, code), None, emp)


def _refusals(log: _ContactLog) -> None:
    """Refusals: the loyalty card (treatment customers who said no) and marketing messages."""
    rng, facts, n = log.rng, log.facts, log.n
    c = np.flatnonzero(facts.treatment & ~facts.enrolled & (rng.random(n) < 0.7))
    reasons = ["sees no benefit", "does not want another card", "privacy concerns"]
    reasons += ["rarely shops here"]
    reason = _choice_idx(rng, [0.35, 0.3, 0.15, 0.2], len(c))
    when = log.around(log.first[c], 0, 0.01)
    emp = log.handler(c, np.ones(len(c), bool))
    labels = ["loyalty card: " + r for r in reasons]
    log.add(c, when, "store", "refusal", "recorded", (labels, reason), emp)
    c = np.flatnonzero(~facts.opt_in & (rng.random(n) < 0.5))
    reasons = ["too many messages", "privacy concerns", "not interested"]
    reason = _choice_idx(rng, [0.4, 0.3, 0.3], len(c))
    when = log.around(log.first[c], 0, 0.01)
    labels = ["marketing messages: " + r for r in reasons]
    log.add(c, when, "email", "refusal", "recorded", (labels, reason), np.zeros(len(c), np.int64))


def _churn_notices(log: _ContactLog) -> None:
    """Churn notices: some leavers say why (most B2B clients do)."""
    rng, facts = log.rng, log.facts
    is_b2b = facts.is_b2b
    dead = np.flatnonzero(~facts.alive & (rng.random(log.n) < np.where(is_b2b, 0.7, 0.2)))
    when = log.around(facts.last_ts[dead].astype("datetime64[s]"), 1, 60)
    keep = when < log.end_s
    c, when = dead[keep], when[keep]
    a = facts.attitude[c]
    reasons = [
        "moved away",
        "found a cheaper competitor",
        "poor service",
        "product range",
        "delivery problems",
        "no longer needs the products",
        "business closed",
    ]
    w = np.stack(
        [
            np.full(len(c), 1.0),
            1.2 * np.exp(-0.4 * a),
            1.0 * np.exp(-0.8 * a - 0.5 * facts.q_home[c]),
            0.8 * np.ones(len(c)),
            0.5 * np.ones(len(c)),
            0.7 * np.ones(len(c)),
        ],
        axis=1,
    )
    cw = np.cumsum(w, axis=1)
    idx = (cw < rng.random(len(c))[:, None] * cw[:, -1:]).sum(axis=1)
    closed = is_b2b[c] & (rng.random(len(c)) < 0.25)
    reason = np.where(closed, len(reasons) - 1, idx)
    channels = ["phone", "email", "store", "chat"]
    ch = _choice_idx(rng, [0.4, 0.3, 0.2, 0.1], len(c))
    emp = log.handler(c, ch == channels.index("store"))
    log.add(c, when, (channels, ch), "churn_notice", "lost", (reasons, reason), emp)


def _contact_table(log: _ContactLog) -> tuple[int, Callable[[int, int], pd.DataFrame]]:
    """The log's parts as one table sorted by time, customer and type, inside the window.

    The table is kept in compact sorted columns (texts as codes), each part
    dropped once used; ids, timestamps and texts are made slice by slice by
    ``rows(lo, hi)`` as the table is written.
    """
    parts, words = log.parts, log.words

    def column(i):
        out = np.concatenate([part[i] for part in parts])
        for j, part in enumerate(parts):
            parts[j] = part[:i] + (None,) + part[i + 1 :]
        return out

    cust, when, kind = column(0), column(1), column(3)
    inside = np.flatnonzero((when >= log.t0.to_datetime64()) & (when < log.end_s))
    order = inside[np.lexsort((kind[inside], cust[inside], when[inside]))]
    del inside
    cust, when, kind = cust[order], when[order], kind[order]
    channel, outcome, reason, emp = (column(i)[order] for i in (2, 4, 5, 6))
    del order
    parts.clear()
    types = pa.array(_CONTACT_TYPES, pa.large_string())

    def rows(lo, hi):
        handled_by = emp[lo:hi]
        return pd.DataFrame(
            {
                "interaction_id": np.arange(lo + 1, hi + 1),
                "customer_id": cust[lo:hi],
                "timestamp": when[lo:hi].astype("datetime64[ns]"),  # the schema's unit
                "channel": words.column(channel[lo:hi]),
                "type": pd.array(types.take(kind[lo:hi]), dtype="str"),
                "outcome": words.column(outcome[lo:hi]),
                "reason": words.column(reason[lo:hi]),
                "employee_id": pd.arrays.IntegerArray(handled_by, handled_by == 0),
            },
            copy=False,
        )

    return len(cust), rows


def _meta(n, t0, t1, locale, seed, stores, rows, enrolled, treatment) -> dict:
    import faker

    population = {}
    for seg, spec in POPULATION.items():
        gg = spec["gamma_gamma"]
        population[seg] = {
            "bgnbd": dict(spec["bgnbd"]),
            "gamma_gamma": dict(gg),
            "mean_spend_population_mean": gg["p"] * gg["gamma"] / (gg["q"] - 1),
            "margin_rate": spec["margin_rate"],
            "share_of_customers": spec["share"],
        }
    return {
        "generator": "rmlib.data.generate_case",
        "format_version": 1,
        "arguments": {
            "n_customers": n,
            "start": str(t0.date()),
            "end": str(t1.date()),
            "locale": locale,
            "random_state": seed,
        },
        "faker_version": faker.VERSION,
        "time_unit": "week",
        "currency": "RUB",
        "population": population,
        "notes": {
            "bgnbd": "lambda ~ Gamma(shape r, rate alpha) per week; p ~ Beta(a, b); "
            "dropout after each repeat purchase; first purchase at signup.",
            "gamma_gamma": "amount ~ Gamma(shape p, rate nu); nu ~ Gamma(shape q, rate gamma).",
            "program": "enrolled customers' lambda is multiplied by 1 + rate_uplift and their "
            "p by 1 - dropout_cut; the population parameters describe customers before the "
            "card (exactly the control group and B2B); truth holds the effective values.",
            "seasonality": "purchase times follow a daily rate multiplier with mean 1 over the "
            "window (New Year peak, January lull, 8 March, summer dip, weekday pattern).",
        },
        "loyalty_program": {
            "rate_uplift": PROGRAM_UPLIFT,
            "dropout_cut": PROGRAM_DROPOUT_CUT,
            "offered_share_of_b2c": 0.5,
            "enrolment_rate_in_treatment": round(
                float(enrolled.sum() / max(treatment.sum(), 1)), 4
            ),
        },
        "attitude_behaviour_correlation": ATTITUDE_LOADING,
        "discount_levels": dict(
            zip(map(str, DISCOUNTS.tolist()), DISCOUNT_P.tolist(), strict=True)
        ),
        "store_service_quality": {
            str(s): round(float(qv), 4)
            for s, qv in zip(stores["store_id"], stores["quality"], strict=True)
        },
        "rows": {name: int(count) for name, count in rows.items()},
    }
