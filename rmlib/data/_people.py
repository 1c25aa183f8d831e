"""Names, e-mails, phones, companies and places for the case, drawn fast.

Faker makes realistic names, but calling it once per row costs tens of
microseconds (more for ``en_US``), which is minutes for a million customers.
So Faker is asked once for a *pool* of values per field (a few hundred last
names, first names, ...), from an instance seeded with a seed drawn from the
caller's generator (never Faker's global seed), and NumPy then samples indices
into the pools. Full names combine independently drawn parts, so there are far
more distinct names than pool entries. E-mails are built from the name and made
unique by numbering repeats; phones fill the locale's Faker phone format with
NumPy digits. Faker has no vectorised API, hence this module.

The city list (real Far Eastern cities with approximate 2021-census
populations) is also kept here, in both languages.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from faker import Faker
from faker.providers.internet.ru_RU import Provider as _RuInternet

LOCALES = ("ru_RU", "en_US")

# name (ru), name (en), region (ru), region (en), population (thousands, 2021 census, rounded)
CITIES = [
    ("Хабаровск", "Khabarovsk", "Хабаровский край", "Khabarovsk Krai", 617),
    ("Владивосток", "Vladivostok", "Приморский край", "Primorsky Krai", 604),
    ("Якутск", "Yakutsk", "Республика Саха (Якутия)", "Sakha Republic (Yakutia)", 355),
    ("Благовещенск", "Blagoveshchensk", "Амурская область", "Amur Oblast", 241),
    ("Комсомольск-на-Амуре", "Komsomolsk-on-Amur", "Хабаровский край", "Khabarovsk Krai", 239),
    ("Южно-Сахалинск", "Yuzhno-Sakhalinsk", "Сахалинская область", "Sakhalin Oblast", 182),
    ("Уссурийск", "Ussuriysk", "Приморский край", "Primorsky Krai", 173),
    (
        "Петропавловск-Камчатский",
        "Petropavlovsk-Kamchatsky",
        "Камчатский край",
        "Kamchatka Krai",
        165,
    ),
    ("Находка", "Nakhodka", "Приморский край", "Primorsky Krai", 141),
    ("Магадан", "Magadan", "Магаданская область", "Magadan Oblast", 91),
]
# Cities partners may sit in besides the chain's own.
EXTRA_PARTNER_CITIES = {"ru_RU": ["Москва", "Новосибирск"], "en_US": ["Moscow", "Novosibirsk"]}

_PHONE_FORMAT = {"ru_RU": "+7 (9##) ###-##-##", "en_US": "$##-$##-####"}
_TRANSLIT = {k: v for k, v in _RuInternet.replacements}
_TRANSLIT.update({k.lower(): v.lower() for k, v in _RuInternet.replacements})


def cities(locale: str) -> pd.DataFrame:
    """The chain's cities with region and population, names in the locale's language."""
    ru = locale == "ru_RU"
    rows = [(c[0] if ru else c[1], c[2] if ru else c[3], c[4]) for c in CITIES]
    return pd.DataFrame(rows, columns=["city", "region", "population"])


def _ascii(word: str) -> str:
    out = "".join(_TRANSLIT.get(ch, ch) for ch in word).lower()
    return "".join(ch for ch in out if ch.isascii() and ch.isalnum())


def _cross_join(left: pa.Array, right: pa.Array, sep: str) -> pa.Array:
    """Every ``left + sep + right``, left-major: entry ``i * len(right) + j``."""
    li = np.repeat(np.arange(len(left)), len(right))
    ri = np.tile(np.arange(len(right)), len(left))
    return pc.binary_join_element_wise(left.take(li), right.take(ri), sep)


def _occurrence(key: np.ndarray) -> np.ndarray:
    """For each element, how many equal keys come before it (0 for the first).

    Keys are made unique by their position, so NumPy's fast unstable sort gives
    the same order a stable sort of ``key`` would.
    """
    n = key.size
    order = np.argsort(key.astype(np.int64) * n + np.arange(n))
    sorted_key = key[order]
    new_group = np.r_[True, sorted_key[1:] != sorted_key[:-1]]
    group_start = np.maximum.accumulate(np.where(new_group, np.arange(n), 0))
    repeat = np.empty(n, np.int64)
    repeat[order] = np.arange(n) - group_start
    return repeat


class PeoplePools:
    """Pools of Faker values for one locale, sampled with NumPy.

    Parameters
    ----------
    locale : {"ru_RU", "en_US"}
    seed : int
        Seed for this pool's own Faker instance.
    size : int
        Draws per field (duplicates are removed, so pools may be a little smaller).

    Examples
    --------
    >>> pools = PeoplePools("en_US", seed=1, size=50)
    >>> rng = np.random.default_rng(0)
    >>> people = pools.people(3, rng)
    >>> list(people.columns)
    ['name', 'gender', 'email']
    >>> bool(people["email"].is_unique)
    True
    """

    def __init__(self, locale: str, seed: int, size: int = 400) -> None:
        self.locale = locale
        self.fake = Faker(locale)
        self.fake.seed_instance(seed)
        f = self.fake
        ru = locale == "ru_RU"

        def pool(fn, n=size):
            return np.unique(np.array([fn() for _ in range(n)], dtype=object))

        self.first = {"M": pool(f.first_name_male), "F": pool(f.first_name_female)}
        if ru:
            self.last = {"M": pool(f.last_name_male), "F": pool(f.last_name_female)}
            self.middle = {"M": pool(f.middle_name_male), "F": pool(f.middle_name_female)}
        else:
            last = pool(f.last_name)
            self.last = {"M": last, "F": last}
            self.middle = None
        self.domains = np.array(sorted(f.free_email_domain() for _ in range(40)), dtype=object)
        self.domains = np.unique(self.domains)
        self.streets = pool(f.street_address, 300)

    def _draw(self, gender: np.ndarray, rng: np.random.Generator) -> dict[str, np.ndarray]:
        """Indices into the combined (male then female) pools for each person."""
        n = len(gender)
        out = {"first": np.empty(n, np.int64), "last": np.empty(n, np.int64)}
        if self.middle is not None:
            out["middle"] = np.empty(n, np.int64)
        for g in ("M", "F"):
            idx = np.flatnonzero(gender == g)
            for part in ("first", "last", "middle"):
                pools = getattr(self, part)
                if pools is None:
                    continue
                shift = 0 if g == "M" else len(pools["M"])
                out[part][idx] = rng.integers(len(pools[g]), size=idx.size) + shift
        return out

    def _combined(self, part: str) -> np.ndarray:
        pools = getattr(self, part)
        return np.concatenate([pools["M"], pools["F"]])

    def people(
        self,
        n: int,
        rng: np.random.Generator,
        *,
        domain: str | None = None,
        female_share: float = 0.55,
        gender: np.ndarray | None = None,
    ) -> pd.DataFrame:
        """``n`` people: name, gender ('F'/'M') and a unique e-mail.

        With ``domain`` every e-mail is at that domain (work addresses);
        otherwise at one of the locale's free mail providers. ``gender``
        (an array of 'F'/'M') overrides drawing it with ``female_share``.
        Strings are assembled with Arrow's vectorised kernels.
        """
        if gender is None:
            gender = np.where(rng.random(n) < female_share, "F", "M")
        gender = np.asarray(gender).astype(str)
        ix = self._draw(gender, rng)
        first = pa.array(self._combined("first"), pa.string())
        last = pa.array(self._combined("last"), pa.string())
        if self.middle is not None:
            # "first middle" for every pair of pool entries (tens of thousands), so each
            # row costs one take per part instead of two
            middle = pa.array(self._combined("middle"), pa.string())
            pair = _cross_join(first, middle, " ")
            full = pc.binary_join_element_wise(
                last.take(ix["last"]), pair.take(ix["first"] * len(middle) + ix["middle"]), " "
            )
        else:
            full = pc.binary_join_element_wise(first.take(ix["first"]), last.take(ix["last"]), " ")
        # e-mail: ascii first.last@domain, numbered when the same address recurs
        first_a, first_id = np.unique(
            [_ascii(x) for x in self._combined("first")], return_inverse=True
        )
        last_a, last_id = np.unique(
            [_ascii(x) for x in self._combined("last")], return_inverse=True
        )
        if domain is None:
            dom_ix = rng.integers(len(self.domains), size=n)
            doms = self.domains
        else:
            dom_ix = np.zeros(n, np.int64)
            doms = np.array([domain], dtype=object)
        name_key = first_id[ix["first"]] * len(last_a) + last_id[ix["last"]]
        repeat = _occurrence(name_key * len(doms) + dom_ix)
        suffixes = pa.array([""] + [str(k + 1) for k in range(1, int(repeat.max(initial=0)) + 1)])
        at_domain = pa.array(["@" + d for d in doms], pa.string())
        email = pc.binary_join_element_wise(
            _cross_join(
                pa.array(first_a.astype(object), pa.string()),
                pa.array(last_a.astype(object), pa.string()),
                ".",
            ).take(name_key),
            suffixes.take(repeat),
            at_domain.take(dom_ix),
            "",
        )
        return pd.DataFrame(
            {
                "name": pd.array(full, dtype="str"),
                "gender": pd.array(
                    pa.array(["F", "M"]).take((gender == "M").astype(np.int64)), dtype="str"
                ),
                "email": pd.array(email, dtype="str"),
            }
        )

    def phones(self, n: int, rng: np.random.Generator) -> pd.api.extensions.ExtensionArray:
        """``n`` phone numbers in the locale's format (Faker's pattern, NumPy digits)."""
        fmt = _PHONE_FORMAT[self.locale]
        template = np.frombuffer(fmt.encode("ascii"), dtype=np.uint8)
        out = np.tile(template, (n, 1))
        hashes = np.flatnonzero(template == ord("#"))
        dollars = np.flatnonzero(template == ord("$"))
        out[:, hashes] = 48 + rng.integers(0, 10, size=(n, hashes.size), dtype=np.uint8)
        out[:, dollars] = 48 + rng.integers(2, 10, size=(n, dollars.size), dtype=np.uint8)
        as_bytes = pa.array(out.view(f"S{len(fmt)}").ravel())
        return pd.array(as_bytes.cast(pa.string()), dtype="str")

    def companies(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """``n`` company names, sampled from a pool of Faker companies."""
        k = int(min(max(n, 1), 2000))
        pool = np.unique(np.array([self.fake.company() for _ in range(k)], dtype=object))
        return pool[rng.integers(len(pool), size=n)]

    def addresses(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """``n`` street addresses from the pool."""
        return self.streets[rng.integers(len(self.streets), size=n)]
