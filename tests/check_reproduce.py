#!/usr/bin/env python3
"""Checks the output of `relusim reproduce all --quick --out DIR` (tests/CMakeLists.txt).

Asserts the verdicts of the firm claims (the theory column, Thm 4.1's x*, the slope of Fig. 3,
Thm 3.3's bound, ...) from each experiment's verdicts.json, and that every figure is a valid PNG
and SVG of the size its script asks for and not blank. Standard library only.
"""
import json
import os
import struct
import sys
import xml.etree.ElementTree as ET
import zlib

out = sys.argv[1]
names = sys.argv[2:]
failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL:", msg)


# Claims whose verdict is settled in the quick version as in the full one.
FIRM = {
    "kong-table1": {"theory-column": "reproduced", "theorem5-holds": "reproduced",
                    "falls-with-lambda": "reproduced"},
    "kong-fig1": {"converges-at-0.01": "reproduced", "fails-at-0.1": "reproduced"},
    "kong-fig2": {"rest-at-w-hat": "reproduced"},
    "tian-fig2": {"bound-below-exact": "reproduced", "exact-matches-sampling": "reproduced",
                  "half-near-origin": "reproduced"},
    "tian-fig3": {"slope-gaussian": "reproduced", "error-grows-near-pi": "reproduced"},
    "tian-thm33": {"rate-above-bound": "reproduced", "omega-above-bound": "reproduced"},
    "tian-fig4": {"saddle-visible": "reproduced", "detour": "reproduced",
                  "faster-for-larger-K": "reproduced"},
    "tian-thm41": {"symmetric-to-saddle": "reproduced", "broken-to-teacher": "reproduced"},
    "tian-fig5": {"larger-a-faster": "reproduced"},
    "liyuan-fig7": {"vanilla-does-not": "reproduced"},
    "liyuan-fig8": {"distance-unaffected": "reproduced"},
    "prelu-fig4": {"converges-with-both": "reproduced"},
    "identity-zero-init": {"identity-rescues-zero": "reproduced",
                           "zero-like-random": "reproduced"},
}
# Values that must hold too: (claim, lower, upper).
VALUES = {
    "kong-table1": [("theory-column", 9, 9)],
    "tian-fig3": [("slope-gaussian", -0.6, -0.4)],
    "tian-fig4": [("saddle-visible", 0.0, 1e-9)],
    "tian-thm41": [("symmetric-to-saddle", 0.0, 1e-6)],
    "tian-fig2": [("bound-below-exact", 0.0, 0.5)],
}
# Figure sizes in pixels: figsize x 150 dpi, as the scripts set them.
SIZES = {
    "table1": (1500, 1275), "fig1": (1950, 540), "fig2": None, "fig3": (1650, 645),
    "thm33": (1650, 645), "fig4": None, "thm41": None, "fig5": (1650, 630),
    "fig7": (1650, 630), "fig8": (1800, 630), "zero_init": (1650, 630),
}
EXPECTED = {("kong-fig2", "fig2"): (1650, 750), ("tian-fig2", "fig2"): (1050, 720),
            ("tian-fig4", "fig4"): (2400, 600), ("prelu-fig4", "fig4"): (1650, 630),
            ("tian-thm41", "thm41"): None}


def png_info(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    pos, idat, size = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            size = struct.unpack(">II", body[:8])
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    return size, raw


for name in names:
    d = os.path.join(out, name)
    try:
        v = json.load(open(os.path.join(d, "verdicts.json")))
    except (OSError, ValueError) as e:
        fail("%s: no readable verdicts.json (%s)" % (name, e))
        continue
    if not os.path.getsize(os.path.join(d, "report.md")):
        fail("%s: empty report.md" % name)
    claims = {c["id"]: c for c in v["claims"]}
    if not claims:
        fail("%s: no claims" % name)
    for c in v["claims"]:
        if c["verdict"] not in ("reproduced", "not reproduced", "partly"):
            fail("%s/%s: verdict %r" % (name, c["id"], c["verdict"]))
        if c["verdict"] != "reproduced" and not c["reason"]:
            fail("%s/%s: %s without a reason" % (name, c["id"], c["verdict"]))
    for cid, want in FIRM.get(name, {}).items():
        got = claims.get(cid, {}).get("verdict")
        if got != want:
            fail("%s/%s: verdict %r, expected %r (%s)" % (name, cid, got, want,
                                                        claims.get(cid, {}).get("measured")))
    for cid, lo, hi in VALUES.get(name, []):
        val = claims.get(cid, {}).get("value")
        if val is None or not lo <= val <= hi:
            fail("%s/%s: value %r outside [%g, %g]" % (name, cid, val, lo, hi))
    if not v["figures"]:
        fail("%s: no figures" % name)
    for stem in v["figures"]:
        if not os.path.exists(os.path.join(d, stem + ".py")):
            fail("%s: %s.py missing" % (name, stem))
        if not v["figures_drawn"]:
            continue
        want = EXPECTED.get((name, stem), SIZES.get(stem))
        try:
            size, raw = png_info(os.path.join(d, stem + ".png"))
        except (OSError, ValueError, zlib.error) as e:
            fail("%s: %s.png is not a valid PNG (%s)" % (name, stem, e))
            continue
        if want is not None and tuple(size) != want:
            fail("%s: %s.png is %dx%d, expected %dx%d" % (name, stem, size[0], size[1], *want))
        if size[0] < 500 or size[1] < 300:
            fail("%s: %s.png is only %dx%d" % (name, stem, *size))
        if len(set(raw[::7])) < 20:
            fail("%s: %s.png looks blank" % (name, stem))
        try:
            root = ET.parse(os.path.join(d, stem + ".svg")).getroot()
        except (OSError, ET.ParseError) as e:
            fail("%s: %s.svg is not valid XML (%s)" % (name, stem, e))
            continue
        if not root.tag.endswith("svg") or "width" not in root.attrib:
            fail("%s: %s.svg has no <svg width=...>" % (name, stem))
        if sum(1 for e in root.iter() if e.tag.endswith("path")) < 20:
            fail("%s: %s.svg looks blank" % (name, stem))
    print("ok" if not failures else "", name)

if not os.path.exists(os.path.join(out, "index.md")):
    fail("no index.md")
sys.exit(1 if failures else 0)
