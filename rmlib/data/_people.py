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

    def _ascii_pool(self, arr: np.ndarray) -> np.ndarray:
        return np.array([_ascii(x) for x in arr], dtype=object)

    def names(self, gender: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, ...]:
        """Full names for the given genders; also returns ASCII first and last names."""
        n = len(gender)
        full = np.empty(n, dtype=object)
        first_a = np.empty(n, dtype=object)
        last_a = np.empty(n, dtype=object)
        for g in ("M", "F"):
            idx = np.flatnonzero(gender == g)
            fi = rng.integers(len(self.first[g]), size=idx.size)
            la = rng.integers(len(self.last[g]), size=idx.size)
            first = self.first[g][fi]
            last = self.last[g][la]
            if self.middle is not None:
                mi = rng.integers(len(self.middle[g]), size=idx.size)
                full[idx] = last + " " + first + " " + self.middle[g][mi]
            else:
                full[idx] = first + " " + last
            first_a[idx] = self._ascii_pool(self.first[g])[fi]
            last_a[idx] = self._ascii_pool(self.last[g])[la]
        return full, first_a, last_a

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
        """
        if gender is None:
            gender = np.where(rng.random(n) < female_share, "F", "M")
        gender = np.asarray(gender).astype(object)
        full, first_a, last_a = self.names(gender, rng)
        if domain is None:
            dom = self.domains[rng.integers(len(self.domains), size=n)]
        else:
            dom = np.full(n, domain, dtype=object)
        local = pd.Series(first_a + "." + last_a, dtype=object)
        address = local + "@" + dom
        repeat = address.groupby(address, sort=False).cumcount().to_numpy()
        suffix = np.where(repeat > 0, (repeat + 1).astype(str), "")
        email = local.to_numpy() + suffix.astype(object) + "@" + dom
        return pd.DataFrame({"name": full, "gender": gender, "email": email})

    def phones(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """``n`` phone numbers in the locale's format (Faker's pattern, NumPy digits)."""
        fmt = _PHONE_FORMAT[self.locale]
        template = np.frombuffer(fmt.encode("ascii"), dtype=np.uint8)
        out = np.tile(template, (n, 1))
        hashes = np.flatnonzero(template == ord("#"))
        dollars = np.flatnonzero(template == ord("$"))
        out[:, hashes] = 48 + rng.integers(0, 10, size=(n, hashes.size), dtype=np.uint8)
        out[:, dollars] = 48 + rng.integers(2, 10, size=(n, dollars.size), dtype=np.uint8)
        return out.view(f"S{len(fmt)}").ravel().astype(str).astype(object)

    def companies(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """``n`` company names, sampled from a pool of Faker companies."""
        k = int(min(max(n, 1), 2000))
        pool = np.unique(np.array([self.fake.company() for _ in range(k)], dtype=object))
        return pool[rng.integers(len(pool), size=n)]

    def addresses(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """``n`` street addresses from the pool."""
        return self.streets[rng.integers(len(self.streets), size=n)]
