#!/usr/bin/env python3
"""Side-by-side comparison of our driftHeatmap with NannyML's UnivariateDriftCalculator on the same Parquet file
(scripts/compare-nannyml.sh runs it; see there for the set-up).

  compare_nannyml.py export  STORE PARQUET          the churn model's rows of the reference week and the 28 days
                                                    after it, exported from a generated store (DuckDB) to Parquet
  compare_nannyml.py nannyml PARQUET OUT.json       NannyML: Wasserstein + Jensen-Shannon on the continuous features,
                                                    Jensen-Shannon on the categorical ones, daily chunks
  compare_nannyml.py report  PARQUET OURS.json NANNYML.json TIMES.tsv
                                                    timings side by side (wall, CPU, peak RSS, ratios) and how far
                                                    the values the two compute alike agree

Each timed run is a cold process (a new interpreter / a new modelmon binary): what a scheduled check pays.
"""
import json
import sys

MODEL = "churn"
REF_FROM, REF_TO = "2026-10-01", "2026-10-08"  # the reference week
CUR_TO = "2026-11-05"  # 28 daily windows after it


def features(con):
    rows = con.execute(
        "SELECT feature, feature_type FROM s.model_registry WHERE model_id = ? ORDER BY feature", [MODEL]).fetchall()
    return [(f, t) for f, t in rows]


def export(store, parquet):
    import duckdb
    con = duckdb.connect()
    con.execute(f"ATTACH '{store}' AS s (READ_ONLY)")
    feats = features(con)
    cols = ", ".join(f'"{f}"' for f, _ in feats)
    con.execute(f"""COPY (SELECT ts, model_id, model_version, {cols} FROM s.inference_log
        WHERE model_id = ? AND ts >= TIMESTAMP '{REF_FROM}' AND ts < TIMESTAMP '{CUR_TO}' ORDER BY ts)
        TO '{parquet}' (FORMAT parquet)""", [MODEL])
    with open(parquet + ".features.json", "w") as f:
        json.dump(feats, f)
    n = con.execute(f"SELECT count(*) FROM read_parquet('{parquet}')").fetchone()[0]
    print(f"exported {n} rows of {MODEL}, {len(feats)} features, to {parquet}")


def run_nannyml(parquet, out):
    import warnings
    warnings.filterwarnings("ignore")
    import pandas as pd
    import nannyml as nml
    feats = json.load(open(parquet + ".features.json"))
    df = pd.read_parquet(parquet)
    ref = df[df.ts < pd.Timestamp(REF_TO)]
    cur = df[df.ts >= pd.Timestamp(REF_TO)]
    calc = nml.UnivariateDriftCalculator(
        column_names=[f for f, _ in feats], treat_as_categorical=[f for f, t in feats if t == "categorical"],
        timestamp_column_name="ts", continuous_methods=["wasserstein", "jensen_shannon"],
        categorical_methods=["jensen_shannon"], chunk_period="D")
    calc.fit(ref)
    res = calc.calculate(cur).filter(period="analysis").to_df()
    values = {}
    for f, _ in feats:
        for method in ("wasserstein", "jensen_shannon"):
            if (f, method, "value") not in res.columns:
                continue
            for day, v in zip(res[("chunk", "chunk", "start_date")], res[(f, method, "value")]):
                values[f"{f}|{method}|{pd.Timestamp(day).strftime('%Y-%m-%d')}"] = float(v)
    ref_std = {f: float(ref[f].dropna().std(ddof=0)) for f, t in feats if t != "categorical"}
    json.dump({"values": values, "refStd": ref_std}, open(out, "w"))


def ours(path):
    """(feature, metric, day) -> value from the CLI's driftHeatmap frames."""
    from datetime import datetime, timezone
    out = {}
    for r in json.load(open(path))["results"].values():
        for fr in r.get("frames", []):
            names = [fd["name"] for fd in fr["schema"]["fields"]]
            cols = dict(zip(names, fr["data"]["values"]))
            for t, feat, metric, v in zip(cols["time"], cols["feature"], cols["metric"], cols["value"]):
                day = datetime.fromtimestamp(t / 1000, timezone.utc).strftime("%Y-%m-%d")
                out[(feat, metric, day)] = v
    return out


def report(parquet, ours_path, nml_path, times_path):
    feats = dict(json.load(open(parquet + ".features.json")))
    nml = json.load(open(nml_path))
    mine = ours(ours_path)
    t = {}
    for line in open(times_path):
        name, wall, user, sys_, rss = line.split()
        t[name] = (float(wall), float(user) + float(sys_), int(rss) / 1024)
    print(f"{'':10} {'wall s':>8} {'CPU s':>8} {'peak RSS MB':>12}")
    for name in ("modelmon", "nannyml"):
        w, c, r = t[name]
        print(f"{name:10} {w:8.2f} {c:8.2f} {r:12.0f}")
    (wo, co, ro), (wn, cn, rn) = t["modelmon"], t["nannyml"]
    print(f"{'NannyML ÷ modelmon':18}: wall {wn / wo:.1f}×, CPU {cn / co:.1f}×, peak RSS {rn / ro:.1f}×")
    # Where both compute the same quantity: Jensen-Shannon distance (base 2) on the categorical features (the same
    # category frequencies; NannyML bins continuous features its own way, so their JS is not compared), and the
    # Wasserstein distance, ours normalised by the reference's population standard deviation (scaled back here;
    # both sides approximate it from bins, so the difference is reported in reference standard deviations too).
    for label, metric, kinds in (("JS, categorical", "js", ("categorical",)), ("Wasserstein", "wasserstein", ("numeric",))):
        diffs = []
        for key, v in nml["values"].items():
            f, method, day = key.split("|")
            if feats[f] not in kinds or method != {"js": "jensen_shannon", "wasserstein": "wasserstein"}[metric]:
                continue
            o = mine.get((f, metric, day))
            if o is None or v != v:
                continue
            scale = 1.0
            if metric == "wasserstein":
                scale = nml["refStd"][f]
                o *= scale
            # (|difference| in the metric's unit-free scale, relative difference, where, ours, NannyML's)
            diffs.append((abs(o - v) / scale, abs(o - v) / max(abs(v), 1e-12), f, day, o, v))
        if not diffs:
            print(f"{label}: nothing to compare")
            continue
        worst = max(diffs)
        worst_rel = max(diffs, key=lambda d: d[1])
        unit = " / reference std" if metric == "wasserstein" else ""
        print(f"{label}: {len(diffs)} (feature, day) values; max |ours − NannyML|{unit} {worst[0]:.3g} ({worst[2]} {worst[3]}: "
              f"{worst[4]:.6g} vs {worst[5]:.6g}); max relative {worst_rel[1]:.3g} ({worst_rel[2]} {worst_rel[3]})")


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    {"export": export, "nannyml": run_nannyml, "report": report}[cmd](*args)
