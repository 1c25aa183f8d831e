"""Synthetic data for the case company, with a known ground truth.

The course follows one fictional retail chain in the Russian Far East. Its
customers, purchases, surveys, CRM contact log, loyalty-card experiment, staff
and partners are generated here from a seed, together with the hidden truth
(each customer's real purchase rate, dropout probability, mean spend, churn
date, ...), so a student can check whether a method recovers what really
happened.

* :func:`generate_case` makes a :class:`Case`; :meth:`Case.write` saves it as
  CSV or Parquet and :func:`read_case` reads it back. For large cases,
  :func:`generate_case_files` writes the same files table by table without
  holding the whole case in memory.
* :func:`add_nonbuyers_and_returns` adds what the teaching case leaves out and
  a graded variant needs: registered customers who never bought, and returns.
* :mod:`rmlib.data.schema` is the one place where tables, columns, dtypes and
  their meanings are defined.
* ``python -m rmlib.data --customers N --seed S --out DIR`` does the same from
  the command line.

Examples
--------
>>> from rmlib.data import generate_case
>>> case = generate_case(n_customers=300, random_state=7)
>>> int(case.transactions.groupby("customer_id").size().min())
1
"""

from rmlib.data import schema
from rmlib.data._case import FORMATS, Case, read_case
from rmlib.data._generate import POPULATION, generate_case, generate_case_files, seasonality
from rmlib.data._people import LOCALES
from rmlib.data._variant import add_nonbuyers_and_returns

__all__ = [
    "FORMATS",
    "LOCALES",
    "POPULATION",
    "Case",
    "add_nonbuyers_and_returns",
    "generate_case",
    "generate_case_files",
    "read_case",
    "schema",
    "seasonality",
]
