"""The benchmark's PNG: seconds against ledger lines, log-log, one line per kind of
measurement (recalc, the read floor, grade ...), from the JSON record's measurements.

matplotlib comes with the ``bench`` extra (``pip install 'xlgrade[bench]'``, which
``make bench`` installs); without it :func:`draw` says so in one line.
"""

from __future__ import annotations

from pathlib import Path

# kind (a measurement's "kind" in the record) -> the legend's label, in drawing order
SERIES = {
    "recalc": "xlgrade recalc (workbook, 1 month of History)",
    "recalc_history": "xlgrade recalc, 24 months of History",
    "recalc_next": "xlgrade recalc of a month the workbook does not hold yet",
    "recalc_first": "xlgrade recalc, first run on a workbook staff filled",
    "read_floor": "python-calamine read of the ledger sheet (floor)",
    "grade_csv": "xlgrade grade LEDGER.csv",
    "pandas_csv": "pandas.read_csv + one group-by",
    "grade_parquet": "xlgrade grade LEDGER.parquet (slowest method)",
    "duckdb_groupby": "DuckDB scan + group-by of the Parquet",
}


def points(measurements: dict, finished: bool = True) -> dict[str, list[tuple[int, float]]]:
    """kind -> [(lines, seconds)], sorted by lines; of several at one size (the Parquet
    grades, one per method) the slowest. ``finished``: the measurements that finished; else
    those stopped by their timeout or memory cap (at the time they stopped)."""
    best: dict[str, dict[int, float]] = {}
    for m in measurements.values():
        if m.get("kind") not in SERIES or (m.get("status") == "ok") != finished or not m.get("lines"):
            continue
        at = best.setdefault(m["kind"], {})
        at[m["lines"]] = max(at.get(m["lines"], 0.0), m["seconds"])
    return {kind: sorted(at.items()) for kind, at in best.items()}


def draw(measurements: dict, path: Path, title: str) -> str | None:
    """Write the chart to ``path``; None, or the one line saying why it could not be drawn."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return "the chart needs matplotlib: pip install 'xlgrade[bench]' (make bench installs it)"
    series = points(measurements)
    if not series:
        return "no measurement finished: nothing to draw"
    fig, ax = plt.subplots(figsize=(8, 5), dpi=110)
    for kind, label in SERIES.items():
        if kind in series:
            xs, ys = zip(*series[kind])
            ax.plot(xs, ys, marker="o", label=label)
    stopped = [p for kind_points in points(measurements, finished=False).values() for p in kind_points]
    if stopped:
        xs, ys = zip(*stopped)
        ax.scatter(xs, ys, marker="x", s=60, color="black", label="stopped: memory cap or timeout (a miss)", zorder=3)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("ledger lines")
    ax.set_ylabel("seconds (fresh process, imports included)")
    ax.set_title(title)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
    return None
