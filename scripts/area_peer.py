#!/usr/bin/env python3
"""Area-weighted coverage as a planner computes it in GeoPandas, and its check against walkshed.

    area_peer.py --stations S --blocks B [--minutes 5,10,15] [--speed 60] [--detour 1]
                 [--group-by FIELD] [--fractions OUT.json] [--compare WALKSHED_OUT_DIR]

The pipeline (timed from the first line to the shares, imports included, one line per phase on
stderr): read both files with pyogrio → a local transverse Mercator centred on the middle of the
bounding box of the blocks' centroids (walkshed's plane) → station entrances (points, the points
of a MultiPoint, the centroid of a polygon footprint, taken in longitude/latitude as walkshed
takes it) → per threshold: `buffer(D / detour, quad_segs=16)` (a 64-gon inscribed in the circle,
walkshed's disk) → `union_all` → `overlay(blocks, union, how="intersection")` → area per block
→ fraction = covered area / block area → share = Σ population × fraction / Σ population, overall
and per group. Invalid blocks go through `make_valid` first, as a GeoPandas user would; walkshed
reads them by the even-odd rule (docs/method.md, Area mode), so they are listed apart in the check.

With `--fractions`, writes each block's fractions (JSON, after the timing). With `--compare`,
reads walkshed's `summary.json` and `blocks.geojson` (`ws_fraction_<label>`) from a
`walkshed coverage --measure area` run on the same files and prints the largest differences:
per-block fraction (target: 0.005, i.e. 0.5 % of the block's area) and share in percentage
points (target: 0.05, SPEC "Tolerances"), overall and per group.
"""

import argparse
import json
import resource
import sys
import time

T0 = time.perf_counter()
_last = T0


def phase(name):
    global _last
    now = time.perf_counter()
    print(f"{name} {now - _last:.3f}", file=sys.stderr)
    _last = now


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--stations", required=True)
    ap.add_argument("--blocks", required=True)
    ap.add_argument("--minutes", default="5,10,15")
    ap.add_argument("--speed", type=float, default=60.0)
    ap.add_argument("--detour", type=float, default=1.0)
    ap.add_argument("--population", default="population")
    ap.add_argument("--group-by")
    ap.add_argument("--fractions")
    ap.add_argument("--compare")
    a = ap.parse_args()
    minutes = [float(m) for m in a.minutes.split(",")]
    radii = [m * a.speed / a.detour for m in minutes]

    import warnings

    import geopandas as gpd
    import numpy as np
    import pandas as pd
    import shapely

    warnings.filterwarnings("ignore", message="Geometry is in a geographic CRS")
    phase("import")

    stations = gpd.read_file(a.stations, engine="pyogrio")
    blocks = gpd.read_file(a.blocks, engine="pyogrio")
    phase("read")

    centroids = blocks.geometry.centroid
    lon0 = float((centroids.x.min() + centroids.x.max()) / 2)
    lat0 = float((centroids.y.min() + centroids.y.max()) / 2)
    crs = f"+proj=tmerc +lat_0={lat0!r} +lon_0={lon0!r} +k=1 +ellps=WGS84 +units=m +no_defs"
    is_area = stations.geom_type.isin(["Polygon", "MultiPolygon"])
    points = stations.geometry.copy()
    points[is_area] = stations.geometry[is_area].centroid
    entrances = gpd.GeoSeries(points, crs=stations.crs).explode(index_parts=False).to_crs(crs)
    blocks = blocks.to_crs(crs)
    invalid = ~blocks.is_valid
    blocks.loc[invalid, "geometry"] = shapely.make_valid(blocks.geometry[invalid].values)
    phase("project")

    pop = blocks[a.population].to_numpy(float)
    area = blocks.area.to_numpy()
    parts = gpd.GeoDataFrame({"bid": np.arange(len(blocks))}, geometry=blocks.geometry, crs=crs)
    fractions = []
    for r in radii:
        union = gpd.GeoDataFrame(geometry=[entrances.buffer(r, quad_segs=16).union_all()], crs=crs)
        inter = gpd.overlay(parts, union, how="intersection", keep_geom_type=True)
        covered = np.bincount(inter["bid"].to_numpy(), weights=inter.area.to_numpy(),
                              minlength=len(blocks))
        with np.errstate(divide="ignore", invalid="ignore"):
            fractions.append(np.clip(np.where(area > 0, covered / area, 0.0), 0.0, 1.0))
    phase("overlay")

    total = pop.sum()
    shares = [float((pop * f).sum() / total) for f in fractions]
    groups = None
    if a.group_by:
        key = blocks[a.group_by].fillna("").astype(str).to_numpy()
        denom = pd.Series(pop).groupby(key).sum()
        groups = [(pd.Series(pop * f).groupby(key).sum() / denom).to_dict() for f in fractions]
    phase("shares")
    print(f"total {time.perf_counter() - T0:.3f}", file=sys.stderr)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak_rss_mb {rss:.0f}", file=sys.stderr)

    ids = blocks["id"].astype(str).tolist()
    print(json.dumps({"blocks": len(ids), "invalid_blocks": int(invalid.sum()), "share": shares}))
    if a.fractions:
        with open(a.fractions, "w", encoding="utf-8") as f:
            json.dump({"fractions": dict(zip(ids, np.column_stack(fractions).tolist()))}, f)
    if a.compare:
        compare(a.compare, ids, invalid.to_numpy(), np.column_stack(fractions), shares, groups)


def compare(out_dir, ids, invalid, fractions, shares, groups):
    """Prints the largest differences between walkshed's outputs in `out_dir` and these."""
    import numpy as np

    with open(f"{out_dir}/summary.json", encoding="utf-8") as f:
        summary = json.load(f)
    with open(f"{out_dir}/blocks.geojson", encoding="utf-8") as f:
        features = json.load(f)["features"]
    labels = [c["label"] for c in summary["coverage"]]
    ours = {str(f["properties"]["id"]): [f["properties"][f"ws_fraction_{l}"] for l in labels]
            for f in features}
    theirs = np.array([ours[i] for i in ids], dtype=float)
    diff = np.abs(theirs - fractions).max(axis=1)
    valid = ~invalid
    worst = int(np.argmax(np.where(valid, diff, -1.0)))
    ws_shares = [c["share"] for c in summary["coverage"]]
    share_pp = max(abs(x - y) * 100 for x, y in zip(ws_shares, shares))
    group_pp = None
    if groups is not None and summary.get("groups"):
        group_pp = 0.0
        for g in summary["groups"]:
            for k, c in enumerate(g["coverage"]):
                group_pp = max(group_pp, abs(c["share"] - groups[k][g["name"]]) * 100)
    print(json.dumps({
        "blocks": len(ids),
        "invalid_blocks": int(invalid.sum()),
        "max_fraction_diff_valid": float(diff[valid].max()) if valid.any() else None,
        "worst_block": ids[worst],
        "max_fraction_diff_invalid": float(diff[invalid].max()) if invalid.any() else None,
        "max_share_diff_pp": share_pp,
        "max_group_share_diff_pp": group_pp,
        "walkshed_share": ws_shares,
        "geopandas_share": shares,
    }))


if __name__ == "__main__":
    main()
