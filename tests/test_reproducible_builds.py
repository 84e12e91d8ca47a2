"""The training scripts run with numpy's AVX2 loops, so that builds agree across CPUs."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks._common import NUMPY_DISABLE_ENV, avx512_targets, numpy_avx512_targets

REPO = Path(__file__).resolve().parents[1]
# A script that does what the training scripts' __main__ does first, then reports on the
# process it ends up in.
SCRIPT = f"""
import json, os, sys
sys.path.insert(0, {str(REPO / "benchmarks")!r})
from _common import NUMPY_DISABLE_ENV, numpy_avx512_targets, rerun_with_avx2_numpy_loops
rerun_with_avx2_numpy_loops()
print(json.dumps({{"targets": numpy_avx512_targets(), "setting": os.environ.get(NUMPY_DISABLE_ENV),
                  "argv": sys.argv[1:]}}))
"""


@pytest.mark.parametrize("dispatched, features, expected", [
    (["X86_V3", "X86_V4", "AVX512_ICL", "AVX512_SPR"],  # numpy 2.4 on a Zen 5
     {"X86_V3": True, "X86_V4": True, "AVX512_ICL": True, "AVX512_SPR": False},
     ["X86_V4", "AVX512_ICL"]),
    (["SSE42", "AVX2", "FMA3", "AVX512F", "AVX512_SKX", "AVX512_ICL"],  # numpy 1.26, Zen 4
     {"AVX2": True, "FMA3": True, "AVX512F": True, "AVX512_SKX": True, "AVX512_ICL": True},
     ["AVX512F", "AVX512_SKX", "AVX512_ICL"]),
    (["X86_V3", "X86_V4", "AVX512_ICL"], {"X86_V3": True}, []),  # an AVX2 machine
])
def test_avx512_targets_are_the_avx512_loops_the_cpu_runs(dispatched, features, expected):
    assert avx512_targets(dispatched, features) == expected


def _run(tmp_path, env):
    script = tmp_path / "train_something.py"
    script.write_text(SCRIPT)
    done = subprocess.run([sys.executable, str(script), "data dir", "--seed", "0"], env=env,
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def test_a_training_script_ends_up_without_numpy_avx512_loops(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != NUMPY_DISABLE_ENV}
    report = _run(tmp_path, env)
    assert report["targets"] == []
    assert report["argv"] == ["data dir", "--seed", "0"]  # rerun with its own arguments
    here = numpy_avx512_targets() if NUMPY_DISABLE_ENV not in os.environ else None
    if here:  # this machine has them: the script ran again with them off
        assert report["setting"] == " ".join(here)
    elif here == []:  # an AVX2 machine: nothing to turn off, and no rerun
        assert report["setting"] is None


def test_a_setting_of_the_caller_is_kept(tmp_path):
    report = _run(tmp_path, {**os.environ, NUMPY_DISABLE_ENV: ""})
    assert report["setting"] == ""
    if NUMPY_DISABLE_ENV not in os.environ:  # the child's numpy as this process's
        assert report["targets"] == numpy_avx512_targets()
