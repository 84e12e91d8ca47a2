"""pytest set-up for the docstring examples (as scikit-learn keeps one in its package)."""

import pytest


@pytest.fixture(autouse=True)
def _examples_run_in_a_fresh_folder(tmp_path, monkeypatch):
    """Examples write files by plain names, as a user would; keep them out of the tree."""
    monkeypatch.chdir(tmp_path)
