#!/usr/bin/env python3
"""The application suite (bench/apps) and the held-out programs (bench/heldout), each beside its
OpenCV twin, measured in one run and interleaved: per program `fovea bench` (JIT for this machine,
with the memcpy floor), the OpenCV twin, and again. Optionally Halide's autoschedulers on the same
programs. Writes OUT/suite.json and OUT/suite.html (charts, viewable without a server) and prints a
Markdown table.

    bench/suite.py                          # every program, 2 rounds
    bench/suite.py harris blur              # some
    bench/suite.py --autoschedulers         # also Mullapudi2016 and Adams2019 (slow: minutes)
    bench/suite.py --smoke --out /tmp/s     # small images, one round (CI)

Needs a build (tools/build.sh): build/compiler/fovea and build/bench/opencv_twins.
"""
import argparse
import datetime
import html
import json
import math
import os
import platform
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Program -> input size (the size its OpenCV twin in bench/opencv_twins.cpp uses).
PROGRAMS = {
    "scharr_magnitude": "1920x1080", "laplacian": "1920x1080", "box5_rgb": "1920x1080x3",
    "morph_gradient": "1920x1080", "area_half": "1920x1080x3", "gamma_lut": "1920x1080x3",
    "blur": "2568x1922", "gaussian5_u8": "1920x1080x3", "pyrdown3": "1920x1080", "harris": "1920x1080x3",
    "gray_u8": "1920x1080x3", "threshold_u8": "1920x1080", "sobel_x": "1920x1080",
    "median3_u8": "1920x1080", "equalize_hist": "1920x1080",
    "resize_bilinear": "1920x1080x3", "box": "1920x1080", "unsharp": "1536x2560x3:f32",
    "bilateral_grid": "1536x2560:f32", "interpolate": "1536x2560x4:f32", "camera_pipe": "2592x1968:u16",
    "local_laplacian": "1536x2560x3:u16",
}


def smoke_size(size):
    """The program's input shape at 320x240: its channels and element type kept."""
    shape, _, kind = size.partition(":")
    dims = shape.split("x")
    small = "x".join(["320", "240"] + dims[2:])
    return small + (":" + kind if kind else "")


def source(name):
    for folder in ("heldout", "apps"):
        path = os.path.join(ROOT, "bench", folder, name + ".fov")
        if os.path.exists(path):
            return path, folder
    raise SystemExit(f"suite: no program '{name}' in bench/apps or bench/heldout")


def fovea_bench(path, size, schedule=None, floor=True, timeout=900):
    cmd = [os.path.join(ROOT, "build", "compiler", "fovea"), "bench", path, "--input", "random:" + size, "--json"]
    if floor:
        cmd.append("--floor")
    if schedule:
        cmd += ["--schedule", schedule]
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout} s"}
    if p.returncode != 0:
        lines = [l for l in (p.stderr + p.stdout).splitlines() if l.strip()]
        return {"error": lines[-1] if lines else f"exit {p.returncode}"}
    return json.loads(p.stdout)


def opencv(name, smoke):
    if smoke:
        return None  # the twins time full-size images; a smoke run does not compare
    p = subprocess.run([os.path.join(ROOT, "build", "bench", "opencv_twins"), name], capture_output=True, text=True)
    parts = p.stdout.split()
    return float(parts[1]) if p.returncode == 0 and len(parts) == 2 else None


def median(values):
    v = sorted(x for x in values if x is not None)
    if not v:
        return None
    n = len(v)
    return v[n // 2] if n % 2 else (v[n // 2 - 1] + v[n // 2]) / 2


def run(args):
    names = args.programs or list(PROGRAMS)
    rows = []
    for i, name in enumerate(names):
        path, folder = source(name)
        size = smoke_size(PROGRAMS.get(name, "1920x1080")) if args.smoke else PROGRAMS.get(name, "1920x1080")
        print(f"[{i + 1}/{len(names)}] {name} ({size})", file=sys.stderr, flush=True)
        rounds, cv = [], []
        for _ in range(1 if args.smoke else 2):
            rounds.append(fovea_bench(path, size))
            cv.append(opencv(name, args.smoke))
        ok = [r for r in rounds if "error" not in r]
        row = {"program": name, "set": folder, "size": size}
        if not ok:
            row["error"] = rounds[0]["error"]
            rows.append(row)
            continue
        row["fovea_ms"] = [r["median_ms"] for r in ok]
        row["fovea_median_ms"] = median(row["fovea_ms"])
        row["latency_ms"] = {k: median([r[k + "_ms"] for r in ok]) for k in ("min", "median", "p90", "p99")}
        row["compile_ms"] = ok[0].get("compile_ms")
        row["floor_ms"] = median([r.get("floor_median_ms") for r in ok])
        row["fraction_of_floor"] = row["floor_ms"] / row["fovea_median_ms"] if row["floor_ms"] else None
        row["opencv_ms"] = [c for c in cv if c is not None]
        row["opencv_median_ms"] = median(row["opencv_ms"])
        row["ratio_to_opencv"] = row["fovea_median_ms"] / row["opencv_median_ms"] if row["opencv_median_ms"] else None
        if args.autoschedulers:
            row["autoschedulers"] = {}
            for s in ("mullapudi2016", "adams2019"):
                print(f"    {name}: {s}", file=sys.stderr, flush=True)
                r = fovea_bench(path, size, s, floor=False, timeout=args.autoscheduler_timeout)
                row["autoschedulers"][s] = {"error": r["error"]} if "error" in r else {"median_ms": r["median_ms"], "compile_ms": r.get("compile_ms")}
            best = [a["median_ms"] for a in row["autoschedulers"].values() if "median_ms" in a]
            row["best_autoscheduler_ms"] = min(best) if best else None
            row["ratio_to_best_autoscheduler"] = row["fovea_median_ms"] / min(best) if best else None
        rows.append(row)
    return rows


def fmt(v, spec=".3f"):
    return "-" if v is None else format(v, spec)


def markdown(rows, auto):
    head = "| program | set | size | Fovea ms (rounds) | OpenCV ms (rounds) | Fovea / OpenCV | % of memcpy floor speed | compile s |"
    sep = "|---|---|---|---|---|---|---|---|"
    if auto:
        head += " Mullapudi2016 ms | Adams2019 ms | Fovea / best autoscheduler |"
        sep += "---|---|---|"
    out = [head, sep]
    for r in rows:
        if "error" in r:
            out.append(f"| {r['program']} | {r['set']} | {r['size']} | failed: {r['error']} |")
            continue
        line = (f"| {r['program']} | {r['set']} | {r['size']} | {', '.join(fmt(v) for v in r['fovea_ms'])} | "
                f"{', '.join(fmt(v) for v in r['opencv_ms']) or '-'} | {fmt(r['ratio_to_opencv'], '.2f')} | "
                f"{fmt(None if r['fraction_of_floor'] is None else 100 * r['fraction_of_floor'], '.0f')} | "
                f"{fmt(None if r['compile_ms'] is None else r['compile_ms'] / 1000, '.1f')} |")
        if auto:
            a = r.get("autoschedulers", {})
            cell = lambda s: fmt(a[s]["median_ms"]) if "median_ms" in a.get(s, {}) else "failed"
            line += f" {cell('mullapudi2016')} | {cell('adams2019')} | {fmt(r.get('ratio_to_best_autoscheduler'), '.2f')} |"
        out.append(line)
    return "\n".join(out)


def bars(rows, title, key, unit, reference=None, log=False):
    """A horizontal bar chart (inline SVG) of one value per program; `reference` draws a line."""
    data = [(r["program"], r.get(key)) for r in rows if r.get(key) is not None]
    if not data:
        return f"<h2>{html.escape(title)}</h2><p>no data</p>"
    w, left, bh = 760, 150, 22
    top = max(v for _, v in data + ([("", reference)] if reference else []))
    lo = min(v for _, v in data)
    scale = (lambda v: (math.log10(v) - math.log10(lo / 2)) / (math.log10(top * 1.2) - math.log10(lo / 2))) if log else (lambda v: v / (top * 1.1))
    svg = [f'<svg width="{w}" height="{bh * len(data) + 30}" xmlns="http://www.w3.org/2000/svg" font-family="sans-serif" font-size="12">']
    for i, (name, v) in enumerate(data):
        y = 10 + i * bh
        length = max(1, scale(v) * (w - left - 80))
        color = "#4caf50" if reference is not None and v <= reference else "#e57373" if reference is not None else "#5c8dd6"
        svg.append(f'<text x="{left - 6}" y="{y + 15}" text-anchor="end">{html.escape(name)}</text>')
        svg.append(f'<rect x="{left}" y="{y + 3}" width="{length:.1f}" height="{bh - 6}" fill="{color}"/>')
        svg.append(f'<text x="{left + length + 4:.1f}" y="{y + 15}">{v:.3g}{unit}</text>')
    if reference is not None:
        x = left + scale(reference) * (w - left - 80)
        svg.append(f'<line x1="{x:.1f}" y1="5" x2="{x:.1f}" y2="{bh * len(data) + 12}" stroke="#333" stroke-dasharray="4 3"/>')
    svg.append("</svg>")
    return f"<h2>{html.escape(title)}</h2>" + "".join(svg)


def spread(rows):
    """Latency spread per program: min, median, p90, p99, each relative to the median."""
    data = [(r["program"], r["latency_ms"]) for r in rows if "latency_ms" in r]
    w, left, bh = 760, 150, 22
    top = max(l["p99"] / l["median"] for _, l in data) if data else 1
    sx = lambda v: left + (v - 0.5) / (top - 0.5 + 0.1) * (w - left - 60)
    svg = [f'<svg width="{w}" height="{bh * len(data) + 30}" xmlns="http://www.w3.org/2000/svg" font-family="sans-serif" font-size="12">']
    for i, (name, l) in enumerate(data):
        y = 10 + i * bh + bh / 2
        m = l["median"]
        svg.append(f'<text x="{left - 6}" y="{y + 4}" text-anchor="end">{html.escape(name)}</text>')
        svg.append(f'<line x1="{sx(l["min"] / m):.1f}" y1="{y}" x2="{sx(l["p99"] / m):.1f}" y2="{y}" stroke="#999"/>')
        svg.append(f'<rect x="{sx(1):.1f}" y="{y - 6}" width="{max(1, sx(l["p90"] / m) - sx(1)):.1f}" height="12" fill="#90caf9"/>')
        svg.append(f'<circle cx="{sx(1):.1f}" cy="{y}" r="3" fill="#1565c0"/>')
        svg.append(f'<text x="{sx(l["p99"] / m) + 4:.1f}" y="{y + 4}">p99 {l["p99"] / m:.2f}x</text>')
    svg.append("</svg>")
    return "<h2>Latency spread (min to p99, box to p90, relative to the median)</h2>" + "".join(svg)


def write_html(rows, meta, table, path):
    parts = [
        "<!doctype html><meta charset='utf-8'><title>Fovea application suite</title>",
        "<style>body{font-family:sans-serif;max-width:900px;margin:2em auto}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 6px;font-size:13px}</style>",
        f"<h1>Fovea application suite</h1><p>{html.escape(meta['date'])}, {html.escape(meta['machine'])}, Fovea {html.escape(meta['commit'])}. "
        "Medians of fovea bench (default schedule, JIT for this machine) and of the OpenCV twin, interleaved in one run.</p>",
        bars(rows, "Fovea time / OpenCV time (below the dashed line: Fovea faster)", "ratio_to_opencv", "x", reference=1.0, log=True),
        bars(rows, "Fraction of the memcpy floor's speed (floor time / Fovea time)", "fraction_of_floor", "", reference=None),
    ]
    if any("ratio_to_best_autoscheduler" in r for r in rows):
        parts.append(bars(rows, "Fovea time / best autoscheduler time (Mullapudi2016, Adams2019)", "ratio_to_best_autoscheduler", "x", reference=1.0, log=True))
    parts.append(spread(rows))
    lines = table.splitlines()
    t = ["<h2>Table</h2><table>"]
    for i, line in enumerate(lines):
        if i == 1:
            continue
        cells = [c.strip() for c in line.strip("|").split("|")]
        tag = "th" if i == 0 else "td"
        t.append("<tr>" + "".join(f"<{tag}>{html.escape(c)}</{tag}>" for c in cells) + "</tr>")
    t.append("</table>")
    parts.append("".join(t))
    with open(path + ".tmp", "w") as f:
        f.write("\n".join(parts))
    os.replace(path + ".tmp", path)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("programs", nargs="*")
    ap.add_argument("--out", default=os.path.join(ROOT, "build", "suite"))
    ap.add_argument("--autoschedulers", action="store_true", help="also run Mullapudi2016 and Adams2019 (minutes per program)")
    ap.add_argument("--autoscheduler-timeout", type=int, default=300, metavar="S",
                    help="seconds an autoscheduler's compile and run may take before it is recorded as timed out (default 300)")
    ap.add_argument("--smoke", action="store_true", help="320x240 inputs, one round, no OpenCV (for CI)")
    args = ap.parse_args()
    for n in args.programs:
        if n not in PROGRAMS:
            ap.error(f"unknown program '{n}' (one of: {', '.join(PROGRAMS)})")
    os.makedirs(args.out, exist_ok=True)
    rows = run(args)
    commit = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip() or "unknown"
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(l.split(":", 1)[1].strip() for l in f if l.startswith("model name"))
    except (OSError, StopIteration):
        pass
    meta = {"date": datetime.datetime.now().isoformat(timespec="seconds"), "machine": f"{cpu}, {os.cpu_count()} cores, {platform.system()}",
            "commit": commit, "smoke": args.smoke}
    table = markdown(rows, args.autoschedulers)
    with open(os.path.join(args.out, "suite.json.tmp"), "w") as f:
        json.dump({"meta": meta, "programs": rows}, f, indent=2)
    os.replace(os.path.join(args.out, "suite.json.tmp"), os.path.join(args.out, "suite.json"))
    write_html(rows, meta, table, os.path.join(args.out, "suite.html"))
    print(table)
    print(f"\nwrote {os.path.join(args.out, 'suite.json')} and suite.html", file=sys.stderr)
    # A program that failed, or a time that is not a positive number, fails the run (CI's smoke test).
    bad = [r["program"] for r in rows if "error" in r or not (r.get("fovea_median_ms") or 0) > 0 or math.isnan(r["fovea_median_ms"])]
    if bad:
        print(f"suite: no valid measurement for {', '.join(bad)}", file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
