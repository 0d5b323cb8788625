#!/usr/bin/env python3
"""Independent reference for walkshed's area mode and straight-line service areas (shapely/GEOS).

    area_reference.py STATIONS BLOCKS THRESHOLDS_M DETOUR [--limit N] [--compare WALKSHED.json]
    area_reference.py STATIONS BLOCKS THRESHOLDS_M DETOUR --geopandas [--limit N]

Projects both files to a local transverse Mercator (pyproj, WGS84 ellipsoid) centred on the middle
of the bounding box of the blocks' anchors (their centroids), as walkshed does; builds each station
entrance's walkshed as `Point.buffer(D / detour, quad_segs=16)` (a 64-gon inscribed in the circle);
and for every block computes `area(block ∩ union of the disks near it) / area(block)`. An invalid
block is read by the even-odd rule, as walkshed reads it: the symmetric difference of its rings,
each made valid. Prints JSON in the shape of `examples/area_fractions.rs` (`fractions`, `share`,
`band_areas_m2`). With `--compare`, prints instead the largest per-block difference of fraction,
the largest share difference (percentage points) and the relative band-area differences against
walkshed's output. `--geopandas` times the usual GeoPandas pipeline (buffer, unary_union, overlay,
area) on the same blocks and prints its shares.

Needs shapely ≥ 2, pyproj (and geopandas for --geopandas).
"""

import argparse
import json
import sys
import time

import numpy as np
import shapely
from pyproj import Transformer
from shapely.geometry import Polygon, shape


def read_features(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)["features"]


def projector(blocks):
    """The local transverse Mercator centred on the middle of the blocks' anchors' bbox."""
    anchors = np.array([shape(f["geometry"]).centroid.coords[0] for f in blocks])
    lon0 = (anchors[:, 0].min() + anchors[:, 0].max()) / 2
    lat0 = (anchors[:, 1].min() + anchors[:, 1].max()) / 2
    crs = f"+proj=tmerc +lat_0={lat0} +lon_0={lon0} +k=1 +x_0=0 +y_0=0 +ellps=WGS84 +units=m"
    to_plane = Transformer.from_crs("EPSG:4326", crs, always_xy=True).transform

    def forward(geom):
        return shapely.transform(geom, lambda xy: np.column_stack(to_plane(xy[:, 0], xy[:, 1])))

    return [lon0, lat0], forward


def even_odd(geom):
    """A block geometry as walkshed reads it: itself when valid, else its rings by even-odd."""
    if geom.is_valid or geom.geom_type not in ("Polygon", "MultiPolygon"):
        return geom
    parts = geom.geoms if geom.geom_type == "MultiPolygon" else [geom]
    rings = [r for p in parts for r in [p.exterior, *p.interiors]]
    result = Polygon()
    for ring in rings:
        if len(ring.coords) >= 4:
            result = result.symmetric_difference(shapely.make_valid(Polygon(ring)))
    return result


def entrances(stations, forward):
    points = []
    for f in stations:
        g = shape(f["geometry"])
        if g.geom_type == "Point":
            points.append(g)
        elif g.geom_type == "MultiPoint":
            points.extend(g.geoms)
        else:
            points.append(g.centroid)
    return forward(np.array(points))


def fractions(blocks, disks_by_radius):
    """Per block, per radius: covered fraction, using only the disks that touch the block."""
    out = [[0.0] * len(disks_by_radius) for _ in blocks]
    for k, disks in enumerate(disks_by_radius):
        tree = shapely.STRtree(disks)
        for i, block in enumerate(blocks):
            area = block.area
            if area <= 0:
                continue
            near = tree.query(block, predicate="intersects")
            if len(near) == 0:
                continue
            union = shapely.union_all(disks[near])
            out[i][k] = min(1.0, block.intersection(union).area / area)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("stations")
    ap.add_argument("blocks")
    ap.add_argument("thresholds_m")
    ap.add_argument("detour", type=float)
    ap.add_argument("--limit", type=int)
    ap.add_argument("--compare")
    ap.add_argument("--geopandas", action="store_true")
    a = ap.parse_args()

    thresholds = [float(t) for t in a.thresholds_m.split(",")]
    block_features = read_features(a.blocks)
    centre, forward = projector(block_features)
    points = entrances(read_features(a.stations), forward)
    chosen = block_features[: a.limit] if a.limit else block_features
    ids = [str(f["properties"].get("id")) for f in chosen]
    population = np.array([float(f["properties"].get("population") or 0) for f in chosen])
    geoms = [even_odd(forward(shape(f["geometry"]))) for f in chosen]
    radii = [t / a.detour for t in thresholds]

    if a.geopandas:
        return geopandas_pipeline(geoms, population, points, radii)

    start = time.perf_counter()
    disks = [shapely.buffer(points, r, quad_segs=16) for r in radii]
    fr = fractions(geoms, disks)
    print(f"shapely fractions of {len(geoms)} blocks: {time.perf_counter() - start:.2f} s", file=sys.stderr)
    unions = [shapely.union_all(d).area for d in disks]
    bands = [u - (unions[k - 1] if k else 0.0) for k, u in enumerate(unions)]
    total = population.sum()
    share = [float((population * np.array([f[k] for f in fr])).sum() / total) for k in range(len(radii))]
    ours = {"sides": 64, "centre": centre, "thresholds_m": thresholds, "detour": a.detour,
            "share": share, "band_areas_m2": bands, "fractions": dict(zip(ids, fr))}
    if a.compare:
        with open(a.compare, encoding="utf-8") as f:
            theirs = json.load(f)
        diff = max(abs(x - y) for i in ids for x, y in zip(ours["fractions"][i], theirs["fractions"][i]))
        worst = max(ids, key=lambda i: max(abs(x - y) for x, y in zip(ours["fractions"][i], theirs["fractions"][i])))
        share_pp = max(abs(x - y) * 100 for x, y in zip(share, theirs["share"]))
        band_rel = [abs(x - y) / x for x, y in zip(bands, theirs["band_areas_m2"])]
        print(json.dumps({"blocks": len(ids), "max_fraction_diff": diff, "worst_block": worst,
                          "max_share_diff_pp": share_pp, "band_area_rel_diff": band_rel}))
    else:
        print(json.dumps(ours))


def geopandas_pipeline(geoms, population, points, radii):
    import geopandas as gpd

    blocks = gpd.GeoDataFrame({"population": population, "bid": range(len(geoms))}, geometry=geoms)
    blocks["block_area"] = blocks.area
    stations = gpd.GeoSeries(points)
    start = time.perf_counter()
    shares = []
    for r in radii:
        union = gpd.GeoDataFrame(geometry=[stations.buffer(r, quad_segs=16).union_all()])
        inter = gpd.overlay(blocks, union, how="intersection")
        covered = inter.area / inter["block_area"] * inter["population"]
        shares.append(float(covered.sum() / population.sum()))
    print(f"geopandas pipeline on {len(geoms)} blocks: {time.perf_counter() - start:.2f} s", file=sys.stderr)
    print(json.dumps({"share": shares}))


if __name__ == "__main__":
    main()
