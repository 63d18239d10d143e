#!/usr/bin/env python3
"""Writes docs/reproductions.md from the output of `relusim reproduce all --out DIR`.

    build/relusim reproduce all --out out/reproduce
    python3 scripts/reproductions-doc.py out/reproduce [NAME ...]

Copies each experiment's figures (PNG) into docs/figures/ and writes one section per experiment:
the command, the figure, and the verdict table of its report. Standard library only.
"""
import json
import os
import shutil
import sys

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
out = sys.argv[1]
figdir = os.path.join(root, "docs", "figures")
os.makedirs(figdir, exist_ok=True)


def cell(text):
    return str(text).replace("|", "\\|").replace("\n", " ")


if len(sys.argv) > 2:  # the experiments, in order (when DIR has no index.md)
    order = sys.argv[2:]
else:
    order = [line.split("|")[1].strip() for line in open(os.path.join(out, "index.md"))
             if line.startswith("| ") and not line.startswith("| experiment")
             and not line.startswith("| ---")]
lines = ["# Reproductions", "",
         "Every table and figure of the four papers that relusim reproduces, one command each:",
         "", "    build/relusim reproduce list                 # the experiments and their run times",
         "    build/relusim reproduce NAME --out DIR       # one: CSV, figures, scripts, report.md",
         "    build/relusim reproduce all --out DIR        # all of them and DIR/index.md",
         "", "`--quick` runs a small version of each (the test suite runs them all). Each "
         "experiment's directory holds its data (CSV), the sweep files it ran (`*.toml`, for "
         "`relusim sweep`, to vary them), each figure with the matplotlib script that drew it, "
         "`report.md` and `verdicts.json`. A claim's verdict is `reproduced`, `partly` or `not "
         "reproduced`, always with the reason when it is not `reproduced`.", ""]
meta = None
summary = []
for name in order:
    v = json.load(open(os.path.join(out, name, "verdicts.json")))
    meta = meta or v
    counts = {k: sum(c["verdict"] == k for c in v["claims"])
              for k in ("reproduced", "partly", "not reproduced")}
    summary.append("| [%s](#%s) | %s | %d | %d | %d | %.0f |" % (
        name, name, cell(v["title"]), counts["reproduced"], counts["partly"],
        counts["not reproduced"], v["seconds"]))
lines += ["The figures and verdicts below come from one full run: relusim %s (%s), %s." % (
    meta["relusim_version"], meta["git_revision"], meta["backend"]), "",
          "| experiment | what | reproduced | partly | not reproduced | seconds |",
          "| --- | --- | --- | --- | --- | --- |"] + summary + [""]
for name in order:
    d = os.path.join(out, name)
    v = json.load(open(os.path.join(d, "verdicts.json")))
    lines += ["## %s" % name, "", "**%s**" % v["title"], "",
              "    build/relusim reproduce %s --out out/%s" % (name, name), ""]
    for stem in v["figures"]:
        png = os.path.join(d, stem + ".png")
        if os.path.exists(png):
            target = "%s-%s.png" % (name, stem)
            shutil.copyfile(png, os.path.join(figdir, target))
            lines += ["![%s](figures/%s)" % (name, target), ""]
    lines += ["| claim | the paper | relusim measured | verdict |", "| --- | --- | --- | --- |"]
    for c in v["claims"]:
        measured = c["measured"]
        if c["lo"] is not None:
            measured += " (95%% interval [%.3g, %.3g])" % (c["lo"], c["hi"])
        verdict = "**%s**" % c["verdict"] + (": " + c["reason"] if c["reason"] else "")
        lines.append("| `%s` | %s | %s | %s |" % (c["id"], cell(c["paper"]), cell(measured),
                                              cell(verdict)))
    notes = open(os.path.join(d, "report.md")).read().split("## Notes\n\n")
    if len(notes) > 1:
        lines += ["", notes[1].split("## Files")[0].strip()]
    lines.append("")
open(os.path.join(root, "docs", "reproductions.md"), "w").write("\n".join(lines))
print("wrote docs/reproductions.md and", len(os.listdir(figdir)), "figures in docs/figures")
