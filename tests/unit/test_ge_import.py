"""GE's import leaves the modules of expectations juesuan does not use unrun until first used
(juesuan/audit/expectations.py, DEFERRED_MODULES); the audit's own tests show GE still validates."""

from __future__ import annotations

import subprocess
import sys


def test_ge_import_defers_altair_and_scipy_stats_until_used():
    code = ("import sys; from juesuan.audit.expectations import Validator; Validator(); "
            "print([m for m in ('altair.vegalite', 'scipy.stats._distn_infrastructure') if m in sys.modules]); "
            "print([type(f).__name__ for f in sys.meta_path if type(f).__name__ == '_Deferred']); "
            "import scipy.stats, altair; "
            "print(round(float(scipy.stats.entropy([1, 1], [1, 3])), 4), altair.Chart.__name__)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    # neither ran during GE's import; the finder is gone after it; both still work when used
    assert out.stdout.splitlines() == ["[]", "[]", "0.1438 Chart"]
