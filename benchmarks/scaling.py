"""Scaling of rb.bootstrap: time against B, n, p, t, k and n_threads around a base case.

One axis varies at a time around the base case n=2000 p=100 t=1 k=1 B=200 (4-5 values
per axis, median of 3 repetitions, interleaved: each repetition walks all points of an
axis, so a burst of outside load hits one repetition of many points, not every
repetition of one point). Per axis the script fits the log-log exponent (time ∝ x^e,
least squares over all points, and the local exponent between the last two points)
and draws the flop floor: the model flop count divided by numpy's DGEMM rate measured
in the same run (``A.T @ B`` on distinct 4000x400 operands, counted as 2·n·p² flops).

Outputs a multi-panel log-log figure (``docs/scaling.png``) and every number
(``docs/scaling.json``: machine, numpy's BLAS, ``ridgeboot.build_info()``, the OpenBLAS
environment variables, the date, all timings, fits and floors).

``--memory`` also measures, in a fresh subprocess, the peak resident memory of
``rb.bootstrap(keep_coefs=False, oob=False)`` for n=100000 p=200 B=1000
(``resource.getrusage(RUSAGE_SELF).ru_maxrss``) and subtracts the inputs' size.

Usage::

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/scaling.py \
        [--quick] [--memory] [--repeat N] [--out-dir docs] [--oob {false,mse,true}]

``--quick`` uses fewer, smaller points (B=50 base) and takes < 60 s on a quiet machine.

Flop model per replicate (f ≈ 0.632: fraction of rows a multinomial draw uses):
f·n·p² (symmetric weighted Gram) + 2·f·n·p·t (XᵀCy) + the solve: k·(p³/3 + 2·p²·t) by
Cholesky (up to 4 alphas), or 4/3·p³ (tridiagonal reduction only: a lower bound for
eigh) + 2·p²·t·(k + 1) by eigh (more alphas); plus 2·(1-f)·n·p·k·t out-of-bag
predictions when ``--oob`` is not false.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import textwrap
import time
from typing import Any

import numpy as np
from compare import (
    RB_IMPORT_ERROR,
    CpuMonitor,
    _json_default,
    machine_info,
    make_data,
    measure_dgemm,
    numpy_blas_config,
    rb,
    ridgeboot_info,
)
from threadpoolctl import threadpool_info, threadpool_limits
from workloads import bootstrap_fraction, fit_data_flops

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

BASE = {"n": 2000, "p": 100, "t": 1, "k": 1, "B": 200, "threads": 0}  # threads 0: library default
AXES_FULL = {
    "B": [50, 100, 200, 400, 800],
    "n": [500, 1000, 2000, 4000, 8000],
    "p": [25, 50, 100, 200, 400],
    "t": [1, 10, 100, 1000],
    "k": [1, 2, 5, 10, 20],
    "threads": [1, 2],
}
AXES_QUICK = {
    "B": [25, 50, 100, 200],
    "n": [500, 1000, 2000, 4000],
    "p": [25, 50, 100, 200],
    "t": [1, 10, 100, 1000],
    "k": [1, 2, 5, 20],
    "threads": [1, 2],
}
AXIS_LABEL = {
    "B": "B (replicates)",
    "n": "n (rows)",
    "p": "p (features)",
    "t": "t (targets)",
    "k": "k (alphas on the path)",
    "threads": "n_threads",
}
MEMORY_CASE = {"n": 100_000, "p": 200, "B": 1000}


# ---------------------------------------------------------------------- model
def solver_for(k: int) -> str:
    """What solver="auto" picks for k distinct positive alphas (as rb.bootstrap does)."""
    return "cholesky" if k <= 4 else "eigh"


def model_flops(n: int, p: int, t: int, k: int, B: int, oob: bool) -> float:
    """Model flop count of one rb.bootstrap call (see the module docstring)."""
    per = fit_data_flops(n, p, t)  # as in workloads.py
    if solver_for(k) == "cholesky":
        per += k * (p**3 / 3.0 + 2.0 * p * p * t)
    else:
        per += 4.0 / 3.0 * p**3 + 2.0 * p * p * t * (k + 1)
    if oob:
        per += 2.0 * (1.0 - bootstrap_fraction(n)) * n * p * k * t
    return per * B


def alphas_for(k: int) -> float | np.ndarray:
    return 1.0 if k == 1 else np.logspace(-1, 3, k)


def exponent(x: list[float], y: list[float]) -> float:
    """Least-squares slope of log y against log x."""
    if len(x) < 2:
        return float("nan")
    return float(np.polyfit(np.log(x), np.log(y), 1)[0])


# ---------------------------------------------------------------------- timing
def point_case(axis: str, value: int, base: dict[str, int]) -> dict[str, int]:
    case = dict(base)
    case[axis] = value
    return case


def time_axis(
    axis: str,
    values: list[int],
    base: dict[str, int],
    repeat: int,
    settle: float,
    oob: bool | str,
) -> dict[str, Any]:
    """Median-of-`repeat` time of rb.bootstrap for each value of one axis."""
    cases = [point_case(axis, v, base) for v in values]
    data = {}
    for c in cases:
        key = (c["n"], c["p"], c["t"])
        if key not in data:
            data[key] = make_data(c["n"], c["p"], None if c["t"] == 1 else c["t"], seed=21)

    def call(c: dict[str, int]) -> Any:
        X, y = data[(c["n"], c["p"], c["t"])]
        return rb.bootstrap(
            X,
            y,
            alphas_for(c["k"]),
            n_boot=c["B"],
            keep_coefs=False,
            oob=oob,
            seed=0,
            n_threads=c["threads"] or None,
        )

    solvers = [call(c).solver for c in cases]  # warm-up, and which solver ran
    times: list[list[float]] = [[] for _ in cases]
    mon = CpuMonitor()
    for r in range(repeat):
        order = list(range(len(cases)))
        order = order[r % len(order) :] + order[: r % len(order)]
        for i in order:
            time.sleep(settle)
            t0 = time.perf_counter()
            call(cases[i])
            times[i].append(time.perf_counter() - t0)
    load = mon.others()
    medians = [float(np.median(ts)) for ts in times]
    flops = [model_flops(c["n"], c["p"], c["t"], c["k"], c["B"], oob is not False) for c in cases]
    return {
        "values": values,
        "cases": cases,
        "solver": solvers,
        "times_seconds": times,
        "median_seconds": medians,
        "model_flops": flops,
        "exponent": exponent(values, medians),
        "exponent_last_segment": exponent(values[-2:], medians[-2:]),
        "model_exponent": exponent(values, flops),
        "other_load": load,
    }


# ---------------------------------------------------------------------- memory
# ru_maxrss survives execve: a child exec'd from this (large) process starts with our peak
# RSS as its own. The measuring code therefore runs in a *forked* grandchild of a fresh
# interpreter, whose peak starts from the small RSS of that interpreter after its imports.
MEMORY_CODE = textwrap.dedent(
    """
    import json, os, resource, sys, time
    import numpy as np
    import ridgeboot as rb

    def maxrss():
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux

    def vmhwm():
        try:
            with open("/proc/self/status") as fh:
                for line in fh:
                    if line.startswith("VmHWM:"):
                        return int(line.split()[1]) * 1024
        except OSError:
            return None

    n, p, B = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        try:
            imports = maxrss()
            rng = np.random.default_rng(0)
            X = rng.standard_normal((n, p))
            y = X[:, :5].sum(axis=1)
            y += rng.standard_normal(n)
            inputs = X.nbytes + y.nbytes
            before = maxrss()
            t0 = time.perf_counter()
            boot = rb.bootstrap(X, y, 1.0, n_boot=B, keep_coefs=False, oob=False, seed=0)
            seconds = time.perf_counter() - t0
            peak = maxrss()
            out = {
                "n": n, "p": p, "B": B, "seconds": seconds, "solver": boot.solver,
                "inputs_bytes": inputs,
                "maxrss_after_imports_bytes": imports,
                "maxrss_before_call_bytes": before,
                "maxrss_peak_bytes": peak,
                "vmhwm_peak_bytes": vmhwm(),
                "peak_minus_inputs_bytes": peak - inputs,
                "peak_minus_inputs_and_interpreter_bytes": peak - inputs - imports,
                "growth_during_call_bytes": peak - before,
            }
            os.write(w, json.dumps(out).encode())
        finally:
            os._exit(0)
    os.close(w)
    data = b"".join(iter(lambda: os.read(r, 65536), b""))
    _, status = os.waitpid(pid, 0)
    if not data:
        sys.exit(f"measuring process failed (status {status})")
    print(data.decode())
    """
)


def measure_memory(n: int, p: int, B: int) -> dict[str, Any]:
    """Peak RSS of rb.bootstrap(keep_coefs=False, oob=False) in a fresh interpreter."""
    proc = subprocess.run(
        [sys.executable, "-c", MEMORY_CODE, str(n), str(p), str(B)],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        return {"error": proc.stderr.strip()[-2000:], "n": n, "p": p, "B": B}
    out: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    threads = os.cpu_count() or 1
    out["design_model_bytes"] = 8.0 * (threads * p * p + p)  # O(threads·p² + k·p·t), k=t=1
    return out


# ---------------------------------------------------------------------- figure
def draw(report: dict[str, Any], path: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import (
        FixedLocator,
        FuncFormatter,
        LogLocator,
        NullFormatter,
        NullLocator,
    )

    axes_data = report["axes"]
    rate = report["floor_gflops"]
    rate1 = report["dgemm_1thread"]["dgemm_gflops"]

    def seconds(v: float, _pos: Any) -> str:
        return f"{v:g} s" if v >= 1 else f"{v * 1e3:g} ms"

    names = [a for a in ("B", "n", "p", "t", "k", "threads") if a in axes_data]
    ncol = 3
    nrow = -(-len(names) // ncol)
    fig, axs = plt.subplots(nrow, ncol, figsize=(5.0 * ncol, 4.3 * nrow), squeeze=False)
    base = report["base"]
    for ax, name in zip(axs.flat, names):
        d = axes_data[name]
        load = d.get("other_load")
        busy_s = "" if not load else f"; others {load['others_busy']:.0%} busy"
        x = np.array(d["values"], dtype=float)
        med = np.array(d["median_seconds"])
        lo = np.array([min(ts) for ts in d["times_seconds"]])
        hi = np.array([max(ts) for ts in d["times_seconds"]])
        floor = np.array(d["model_flops"]) / (rate * 1e9)
        ax.errorbar(
            x,
            med,
            yerr=[med - lo, hi - med],
            fmt="o",
            color="C0",
            capsize=3,
            label="rb.bootstrap (median, min–max)",
            zorder=3,
        )
        if name == "threads":
            ideal = med[0] * x[0] / x
            ax.plot(x, ideal, ":", color="C2", label="ideal: time ∝ 1/threads")
            floor1 = np.array(d["model_flops"]) / (np.array([rate1, rate]) * 1e9)
            ax.plot(
                x,
                floor1,
                "-",
                color="0.4",
                label=f"flop floor (DGEMM {rate1:.0f} GFLOP/s on 1 thr., {rate:.0f} best)",
            )
            speedup = med[0] / med[-1]
            ax.set_title(
                f"vary n_threads: speedup {speedup:.2f}x (exponent {d['exponent']:.2f}){busy_s}",
                fontsize=9,
            )
        else:
            e = d["exponent"]
            coef = np.polyfit(np.log(x), np.log(med), 1)
            xs = np.geomspace(x.min(), x.max(), 50)
            ax.plot(
                xs,
                np.exp(np.polyval(coef, np.log(xs))),
                "--",
                color="C0",
                alpha=0.6,
                label=f"fit: time ∝ ${name}^{{{e:.2f}}}$ "
                f"(last step {d['exponent_last_segment']:.2f})",
            )
            ax.plot(
                x,
                floor,
                "-",
                color="0.4",
                label=f"flop floor (model ∝ ${name}^{{{d['model_exponent']:.2f}}}$, "
                f"DGEMM {rate:.0f} GFLOP/s)",
            )
            others = ", ".join(f"{a}={v}" for a, v in base.items() if a not in (name, "threads"))
            ax.set_title(f"vary {name} ({others}){busy_s}", fontsize=9)
            solvers = sorted(set(d["solver"]))
            if len(solvers) > 1:
                for xi, s, m in zip(x, d["solver"], med):
                    ax.annotate(s, (xi, m), textcoords="offset points", xytext=(4, -12), fontsize=7)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.xaxis.set_major_locator(FixedLocator(x))
        ax.xaxis.set_minor_locator(NullLocator())
        ax.set_xticklabels([f"{v:g}" for v in x])
        ax.yaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
        ax.yaxis.set_major_formatter(FuncFormatter(seconds))
        ax.yaxis.set_minor_formatter(NullFormatter())
        ax.set_xlabel(AXIS_LABEL[name])
        ax.set_ylabel("time per rb.bootstrap call")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7.5, loc="best", framealpha=0.8)
    for ax in list(axs.flat)[len(names) :]:
        ax.axis("off")
    meta = report["meta"]
    settings = report["settings"]
    busy = [d["other_load"]["others_busy"] for d in axes_data.values() if d["other_load"]]
    noise = (
        f"other processes used up to {max(busy):.0%} of the machine while timing"
        + (" (NOISY)" if max(busy) > 0.10 else "")
        if busy
        else ""
    )
    fig.suptitle(
        f"rb.bootstrap scaling (keep_coefs=False, oob={settings['oob']}, median of "
        f"{settings['repeat']}{', QUICK' if settings['quick'] else ''}) — "
        f"{meta['cpu_model']}, {meta['cores']} cores, {meta['date'][:10]}\n"
        f"flop floor = model flops / best numpy DGEMM rate of the same run; {noise}",
        fontsize=10,
    )
    fig.tight_layout(rect=(0, 0, 1, 0.95))
    fig.savefig(path, dpi=110)
    plt.close(fig)


# ---------------------------------------------------------------------- main
def wait_idle(seconds: float) -> dict[str, float] | None:
    """Sample other processes' CPU share (1 s) until below 10 % or `seconds` have passed."""
    deadline = time.perf_counter() + seconds
    while True:
        mon = CpuMonitor()
        time.sleep(1.0)
        load = mon.others()
        if load is None or load["others_busy"] + load["steal"] <= 0.10:
            return load
        if time.perf_counter() >= deadline:
            return load
        time.sleep(4.0)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="fewer, smaller points: < 60 s")
    ap.add_argument("--memory", action="store_true", help="also measure peak memory (slow)")
    ap.add_argument("--repeat", type=int, default=3, help="timings per point (median; 3)")
    ap.add_argument("--settle", type=float, default=0.05, help="pause before each call, s")
    ap.add_argument(
        "--oob",
        choices=("false", "mse", "true"),
        default="false",
        help="rb.bootstrap oob= for the timings (default false: the fitting engine only)",
    )
    ap.add_argument("--axes", nargs="+", choices=list(AXES_FULL), default=list(AXES_FULL))
    ap.add_argument(
        "--out-dir", default=os.path.join(ROOT, "docs"), help="where scaling.png/json go"
    )
    ap.add_argument("--no-plot", action="store_true", help="skip the figure")
    ap.add_argument(
        "--wait-idle",
        type=float,
        default=0.0,
        metavar="S",
        help="wait up to S seconds for other processes to use < 10 %% of the machine",
    )
    return ap.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if rb is None:
        print(f"ridgeboot not importable: {RB_IMPORT_ERROR}")
        return 1
    if args.repeat < 1:
        raise SystemExit("--repeat must be >= 1")
    oob: bool | str = {"false": False, "mse": "mse", "true": True}[args.oob]
    t_start = time.perf_counter()
    meta = machine_info()
    env_set = {v: os.environ.get(v) is not None for v in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")}
    print(f"rb.bootstrap scaling ({'quick' if args.quick else 'full'}), {meta['date']}")
    print(f"machine: {meta['cpu_model']}, {meta['cores']} cores; load avg {meta['loadavg_start']}")
    for var, is_set in env_set.items():
        if is_set:
            print(f"WARNING: {var}={os.environ[var]} is set: numpy's DGEMM (the floor) may be slow")
    rbinfo = ridgeboot_info()
    print(f"ridgeboot {rbinfo['version']}: {rbinfo['build_info']}")
    idle = wait_idle(args.wait_idle)
    meta["other_load_before"] = idle
    if idle is not None:
        print(
            f"other processes before start: {idle['others_busy']:.0%} busy, steal "
            f"{idle['steal']:.0%} (1 s sample)"
        )
    ncpu = os.cpu_count() or 1
    with threadpool_limits(limits=ncpu, user_api="blas"):
        blas = threadpool_info()
        dg = measure_dgemm(settle=0.15)
    with threadpool_limits(limits=1, user_api="blas"):
        dg1 = measure_dgemm(settle=0.15)
    # the floor uses the best numpy DGEMM rate of the run (on a busy machine 2-thread
    # OpenBLAS can fall below 1 thread; a floor must not be optimistic about numpy)
    floor_rate = max(dg["dgemm_gflops"], dg1["dgemm_gflops"])
    print(
        f"numpy DGEMM (A.T@B 4000x400, 2·n·p² flops): {dg['dgemm_gflops']:.1f} GFLOP/s on "
        f"{ncpu} threads, {dg1['dgemm_gflops']:.1f} GFLOP/s on 1; floor at {floor_rate:.1f}"
    )

    base = dict(BASE)
    axes = AXES_QUICK if args.quick else AXES_FULL
    if args.quick:
        base["B"] = 50
    report: dict[str, Any] = {
        "meta": meta,
        "openblas_env_set": env_set,
        "ridgeboot": rbinfo,
        "threadpool_info": blas,
        "numpy_blas_config": numpy_blas_config(),
        "settings": {
            "quick": args.quick,
            "repeat": args.repeat,
            "settle": args.settle,
            "oob": oob,
            "keep_coefs": False,
            "threads_default": "n_threads=None (library default: all cores)",
        },
        "base": {a: v for a, v in base.items() if a != "threads"},
        "flop_model": __doc__.split("Flop model per replicate", 1)[1].strip(),
        "dgemm": dg,
        "dgemm_1thread": dg1,
        "floor_gflops": floor_rate,
        "axes": {},
    }
    print(
        f"base case: {report['base']}, keep_coefs=False, oob={oob}; "
        f"median of {args.repeat}; floor at {floor_rate:.1f} GFLOP/s"
    )
    print(
        f"\n{'axis':<8} {'value':>6} {'solver':>9} {'median':>10} {'floor':>10} "
        f"{'floor/time':>10} {'GFLOP/s':>8}"
    )
    for name in [a for a in AXES_FULL if a in args.axes]:
        d = time_axis(name, axes[name], base, args.repeat, args.settle, oob)
        report["axes"][name] = d
        rates = [dg1["dgemm_gflops"], floor_rate] if name == "threads" else None
        d["floor_seconds"] = []
        for i, v in enumerate(d["values"]):
            rate = rates[i] if rates else floor_rate
            floor = d["model_flops"][i] / (rate * 1e9)
            d["floor_seconds"].append(floor)
            med = d["median_seconds"][i]
            print(
                f"{name:<8} {v:>6} {d['solver'][i]:>9} {med * 1e3:>8.1f}ms "
                f"{floor * 1e3:>8.1f}ms {floor / med:>9.0%} {d['model_flops'][i] / med / 1e9:>8.1f}"
            )
        load = d["other_load"]
        busy = "" if load is None else f"; other processes {load['others_busy']:.0%} busy"
        print(
            f"{name:<8} exponent {d['exponent']:.2f} (last step {d['exponent_last_segment']:.2f}; "
            f"model {d['model_exponent']:.2f}){busy}"
        )

    if args.memory:
        case = dict(MEMORY_CASE)
        if args.quick:
            case["B"] = 50  # peak memory does not depend on B; the time does
        print(
            f"\npeak memory of rb.bootstrap(keep_coefs=False, oob=False), n={case['n']} "
            f"p={case['p']} B={case['B']}, fresh subprocess ..."
        )
        mem = measure_memory(case["n"], case["p"], case["B"])
        report["memory"] = mem
        if "error" in mem:
            print(f"memory measurement failed: {mem['error']}")
        else:
            mib = 2.0**20
            print(
                f"inputs {mem['inputs_bytes'] / mib:.1f} MiB; ru_maxrss peak "
                f"{mem['maxrss_peak_bytes'] / mib:.1f} MiB (after imports "
                f"{mem['maxrss_after_imports_bytes'] / mib:.1f}, before the call "
                f"{mem['maxrss_before_call_bytes'] / mib:.1f}); peak - inputs "
                f"{mem['peak_minus_inputs_bytes'] / mib:.1f} MiB, peak - inputs - interpreter "
                f"{mem['peak_minus_inputs_and_interpreter_bytes'] / mib:.1f} MiB; growth during "
                f"the call {mem['growth_during_call_bytes'] / mib:.1f} MiB "
                f"(memory model threads·p²+p: {mem['design_model_bytes'] / mib:.2f} MiB); "
                f"{mem['seconds']:.1f} s, solver {mem['solver']}"
            )

    meta["loadavg_end"] = os.getloadavg() if hasattr(os, "getloadavg") else None
    meta["wall_seconds"] = time.perf_counter() - t_start
    os.makedirs(args.out_dir, exist_ok=True)
    json_path = os.path.join(args.out_dir, "scaling.json")
    with open(json_path, "w", encoding="utf-8") as fh:
        json.dump(report, fh, indent=2, default=_json_default)
    print(f"\nwrote {json_path}")
    if not args.no_plot:
        png = os.path.join(args.out_dir, "scaling.png")
        draw(report, png)
        print(f"wrote {png}")
    print(f"wall time {meta['wall_seconds']:.1f} s; load avg at end {meta['loadavg_end']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
