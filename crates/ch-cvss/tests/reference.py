"""Scores CVSS vectors with the reference calculators of the `cvss` package (PyPI), which
implements FIRST's official calculators for v2, v3.0, v3.1 and v4.0.

Reads one vector per line on stdin; writes one line per vector: `VECTOR<TAB>SCORE` or
`VECTOR<TAB>ERROR<TAB>reason`.
"""
import sys

from cvss import CVSS2, CVSS3, CVSS4

for line in sys.stdin:
    v = line.strip()
    if not v:
        continue
    try:
        if v.startswith("CVSS:4.0/"):
            score = CVSS4(v).base_score
        elif v.startswith("CVSS:3."):
            score = CVSS3(v).scores()[0]
        else:
            score = CVSS2(v).scores()[0]
        print(f"{v}\t{float(score):.1f}")
    except Exception as e:  # noqa: BLE001 - every rejection is reported, with its reason
        print(f"{v}\tERROR\t{type(e).__name__}: {e}".replace("\n", " "))
