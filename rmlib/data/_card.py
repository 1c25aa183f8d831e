"""The data card (``README.md``) written beside every case.

Generated from the case's ``meta`` and :mod:`rmlib.data.schema`, so the card
can never disagree with the data or the code.
"""

from __future__ import annotations

from rmlib.data import schema

__all__ = ["data_card"]

_STORY = """\
This folder holds the data of the course's running case: **Vostok Market**
(Восток-Маркет), a fictional retail chain in the Russian Far East. It has
stores in real Far Eastern cities (more stores where more people live), an
online shop, a loyalty card, a B2B arm that sells to corporate clients through
account managers, suppliers and other partners, and its own staff. Every
chapter of the course analyses these tables.

The data is **synthetic**: made by `rmlib.data.generate_case` from a seed.
People, companies and addresses come from Faker and do not exist. Because the
data was generated, the real drivers of every customer's behaviour are known
and saved in `truth` (see below), so you can check whether a method recovers
what really happened.

What the data shows:

- Purchases come from a latent process with heterogeneity (BG/NBD for the
  number and timing of purchases, Gamma-Gamma for the amounts), so a few
  customers bring much of the revenue.
- Seasonality: a peak before New Year, a lull in the January holidays, a bump
  before 8 March, a summer dip; consumers buy more at weekends, corporate
  clients on weekdays. Purchases happen in stores and online.
- B2B clients are few but bring far more margin per customer than consumers.
- Attitude (NPS, CSAT) and behaviour are linked but not the same, so true,
  latent and spurious loyalty all occur.
- Stores whose staff are more satisfied tend to have more satisfied customers
  and a higher repeat rate.
- The loyalty card was offered to a random half of consumers (`treatment`)
  and not to the other half (`control`). It has a real but modest effect,
  visible only when treatment is compared with control.
- The CRM contact log records inquiries, complaints, follow-ups, offers,
  refusals and churn notices, with reasons.
"""

_TRUTH = """\
## The ground truth: do not peek

`truth` holds, for every customer, what an analyst never sees in real life:
the true purchase rate, dropout probability and mean spend, whether the
customer was still active at the end and when they left, their expected value
over the next year and its tier, the loyalty card's causal effect on them, and
their latent attitude and loyalty type. `meta.json` holds the population
parameters the customers were drawn from. Work a chapter's analysis on the
other tables first; open `truth` only to check your answer.
"""


def _fmt(x) -> str:
    return f"{x:g}" if isinstance(x, float) else str(x)


def data_card(meta: dict, format: str = "csv") -> str:
    """The Markdown data card for a case with metadata ``meta`` saved as ``format``."""
    args = meta.get("arguments", {})
    seed = args.get("random_state")
    lines = ["# Case data: Vostok Market (synthetic)", "", _STORY, "## How it was made", ""]
    if seed is None:
        lines += [
            "Generated from a NumPy Generator passed in by the caller, so it cannot be "
            "remade from a command line.",
            "",
        ]
    else:
        cmd = (
            f"python -m rmlib.data --customers {args['n_customers']} --seed {seed} "
            f"--start {args['start']} --end {args['end']} --locale {args['locale']} "
            f"--format {format} --out DIR"
        )
        lines += [
            "Regenerate it (byte for byte, with the same versions of rmlib, NumPy and Faker):",
            "",
            "```",
            cmd,
            "```",
            "",
        ]
    lines += [
        f"Faker {meta.get('faker_version', '?')}; window {args.get('start')} to "
        f"{args.get('end')} (both days included); money in roubles; rates per week.",
        "",
        "| table | rows |",
        "| --- | --- |",
    ]
    lines += [f"| `{k}` | {v:,} |" for k, v in meta.get("rows", {}).items()]
    lines += ["", _TRUTH]
    pop = meta.get("population", {})
    if pop:
        lines += [
            "True population parameters (BG/NBD: purchase rate ~ Gamma(r, rate alpha) per "
            "week, dropout after each repeat purchase ~ Beta(a, b); Gamma-Gamma: amount ~ "
            "Gamma(p, rate nu), nu ~ Gamma(q, rate gamma)):",
            "",
            "| segment | r | alpha | a | b | p | q | gamma | margin rate |",
            "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
        ]
        for seg, spec in pop.items():
            bg, gg = spec["bgnbd"], spec["gamma_gamma"]
            vals = [bg["r"], bg["alpha"], bg["a"], bg["b"], gg["p"], gg["q"], gg["gamma"]]
            vals.append(spec["margin_rate"])
            lines.append(f"| {seg} | " + " | ".join(_fmt(x) for x in vals) + " |")
        prog = meta.get("loyalty_program", {})
        lines += [
            "",
            f"The loyalty card raises an enrolled customer's purchase rate by "
            f"{prog.get('rate_uplift', 0):.0%} and cuts their dropout probability by "
            f"{prog.get('dropout_cut', 0):.0%}; the parameters above describe customers before "
            f"the card (exactly the control group and B2B clients).",
            "",
        ]
    lines += ["## Schema", "", schema.schema_markdown()]
    return "\n".join(lines).rstrip("\n") + "\n"
