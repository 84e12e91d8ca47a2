"""The model shipped inside the package."""

from importlib import resources

from .persist import load

DEFAULT_MODEL = "default_model.ddm"


def default_model_path():
    """Path of the bundled model file."""
    return resources.files("dirtydocs").joinpath("data", DEFAULT_MODEL)


def load_default():
    """Load the bundled default model (trained on the Kaggle dirty-documents pages).

    Returns
    -------
    model : InkSwitch
        Two stacks of LightGBM pixel models and tree stages over their maps
        (``docs/stack.md``), one for pages whose ink covers its paper and one for pages
        whose ink is lifted where the paper is dark; each page goes to the one its ink
        calls for (``docs/results.md``, "Two kinds of ink").

    Examples
    --------
    >>> import numpy as np
    >>> model = load_default()
    >>> model.predict(np.full((40, 50), 0.8, dtype=np.float32)).shape
    (40, 50)
    """
    with resources.as_file(default_model_path()) as path:
        return load(path)
