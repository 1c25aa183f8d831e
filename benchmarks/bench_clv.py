"""Speed and estimates of ``rmlib.clv.BetaGeoModel`` against ``lifetimes``, in one run.

Simulates ``--customers`` customers (default 1,000,000) from the BG/NBD
process with the published CDNOW parameters (r = 0.243, alpha = 4.414,
a = 0.793, b = 2.426; weeks), each observed for a uniform 2-78 weeks, with
``BetaGeoModel.simulate`` (numpy, seeded). Fits rmlib's model (best of
``--repeat`` wall times) and, when available, ``lifetimes.BetaGeoFitter`` on
the same data, then prints both parameter sets, whether they agree to three
significant digits, and lifetimes' time divided by rmlib's. Goals: ratio
>= 10, same parameters to 3 significant digits.

``lifetimes`` 0.11.3 (archived) does not install on the course's pandas 3 /
numpy 2 stack, so it runs in a separate interpreter: ``make bench`` builds
``.venv-lifetimes`` from ``benchmarks/lifetimes-requirements.txt``, and the
script uses it when it exists; otherwise it tries the current interpreter
and skips lifetimes with a note if it cannot be imported there. Pass
``--lifetimes-python PATH`` to use another one. The data travel to that
process in a ``.npz`` file; only the ``fit`` call is timed there, like ours.

Run: ``.venv/bin/python benchmarks/bench_clv.py [--customers N] [--seed S]
[--repeat R] [--lifetimes-python PATH]``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from rmlib.clv import BetaGeoModel

CDNOW = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}

# The lifetimes interpreter `make bench` builds; the current one if it has not been built.
_LT_VENV = Path(__file__).resolve().parent.parent / ".venv-lifetimes" / "bin" / "python"
DEFAULT_LIFETIMES = str(_LT_VENV) if _LT_VENV.exists() else sys.executable

# Runs in the lifetimes interpreter: fit, time the fit alone, print JSON.
LIFETIMES_SCRIPT = r"""
import json, sys, time, warnings
warnings.simplefilter("ignore")
import numpy as np
import pandas as pd
from lifetimes import BetaGeoFitter, __version__
d = np.load(sys.argv[1])
x, t_x, T = (pd.Series(d[k]) for k in ("frequency", "recency", "T"))
start = time.perf_counter()
bgf = BetaGeoFitter().fit(x, t_x, T)
seconds = time.perf_counter() - start
print(json.dumps({
    "version": __version__,
    "seconds": seconds,
    "params": {k: float(v) for k, v in bgf.params_.items()},
}))
"""


def simulate(n: int, seed: int):
    rng = np.random.default_rng(seed)
    T = rng.uniform(2.0, 78.0, n)
    sim = BetaGeoModel.from_params(**CDNOW).simulate(T, random_state=rng)
    return sim["frequency"].to_numpy(), sim["recency"].to_numpy(), sim["T"].to_numpy()


def time_rmlib(x, t_x, T, repeat: int):
    best, model = np.inf, None
    for _ in range(repeat):
        start = time.perf_counter()
        model = BetaGeoModel().fit(x, t_x, T)
        best = min(best, time.perf_counter() - start)
    return best, model


def run_lifetimes(python: str, x, t_x, T) -> dict | str:
    """lifetimes' fit in ``python``; the result dict, or a note why it was skipped."""
    probe = subprocess.run(
        [python, "-c", "import lifetimes"], capture_output=True, text=True, check=False
    )
    if probe.returncode != 0:
        last = (probe.stderr.strip().splitlines() or ["?"])[-1]
        return f"lifetimes not importable with {python} ({last})"
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "summary.npz"
        np.savez(data, frequency=x, recency=t_x, T=T)
        out = subprocess.run(
            [python, "-c", LIFETIMES_SCRIPT, str(data)],
            capture_output=True,
            text=True,
            check=False,
        )
    if out.returncode != 0:
        last = (out.stderr.strip().splitlines() or ["?"])[-1]
        return f"lifetimes failed with {python}: {last}"
    return json.loads(out.stdout.strip().splitlines()[-1])


def same_3_digits(p: dict, q: dict) -> bool:
    return all(f"{p[k]:.3g}" == f"{q[k]:.3g}" for k in CDNOW)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=3, help="best of R fits for rmlib")
    parser.add_argument(
        "--lifetimes-python",
        default=DEFAULT_LIFETIMES,
        help="interpreter that can import lifetimes (default: .venv-lifetimes if built, "
        "else this one)",
    )
    args = parser.parse_args(argv)

    x, t_x, T = simulate(args.customers, args.seed)
    print(
        f"BG/NBD fit on {len(x):,} simulated customers (seed {args.seed}; "
        f"{np.mean(x > 0):.1%} with repeat purchases, mean frequency {x.mean():.2f})"
    )
    print("true parameters:     " + "  ".join(f"{k}={v:.4g}" for k, v in CDNOW.items()))
    seconds, model = time_rmlib(x, t_x, T, args.repeat)
    ours = model.params_
    print(
        "rmlib.clv:           "
        + "  ".join(f"{k}={ours[k]:.4g}" for k in CDNOW)
        + f"   {seconds:.3f} s (best of {args.repeat})"
    )
    print(
        "  standard errors:   "
        + "  ".join(f"{k}={model.standard_errors_[k]:.2g}" for k in CDNOW)
        + f"   LL={model.log_likelihood_:.1f}"
    )

    result = run_lifetimes(args.lifetimes_python, x, t_x, T)
    if isinstance(result, str):
        print(f"lifetimes skipped: {result}")
        return 0
    theirs = result["params"]
    print(
        f"lifetimes {result['version']}:    "
        + "  ".join(f"{k}={theirs[k]:.4g}" for k in CDNOW)
        + f"   {result['seconds']:.3f} s"
    )
    ratio = result["seconds"] / seconds
    agree = same_3_digits(ours, theirs)
    print(f"time ratio lifetimes / rmlib: {ratio:.1f}x (goal >= 10)")
    print(f"parameters equal to 3 significant digits: {'yes' if agree else 'NO'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
