"""Safe model files: a zip of a JSON manifest, LightGBM text models and ``.npz`` arrays.

Nothing is unpickled, so loading a file cannot run code. The manifest carries a format name
and version and the SHA-256 of every member, so a truncated, edited or foreign file is
refused with a clear message before anything in it is parsed.
"""

import hashlib
import io
import json
import zipfile
from pathlib import Path

import lightgbm
import numpy as np
from sklearn.base import clone

from ._version import __version__
from .io import atomic_output

__all__ = ["ModelFileError", "save", "load", "FORMAT_NAME", "FORMAT_VERSION"]

FORMAT_NAME = "dirtydocs-model"
FORMAT_VERSION = 8
#: The version written for models without an ink switch (see below).
_VERSION_WITHOUT_SWITCH = 6
#: Versions this dirtydocs reads. Version 1 predates the local-paper features: its feature
#: extractors have no `paper_sigmas` and are read with none. Version 2 stacks always had a
#: CNN level 1, stored as "cnn", trained on out-of-fold maps whose RMSE was "oof_rmse_";
#: version 3 stores either level 1 as "level1", and "maps_rmse_". Version 4 adds the
#: context models' paper rule (read from older files with the defaults) and a stack's
#: "later_stages". Version 5 adds a stack's "gate_map" (older files get the default, since
#: the gate changes cleaning, not training). Version 6 adds the feature extractors'
#: "closing_sizes" (older files have none). Version 7 adds the ink switch; a file without
#: one is still written as version 6, so that releases reading 6 open it and a model's
#: file stays the same bit for bit (the bundled model's recipe is checked by its SHA-256).
#: Version 8 adds the switch's "training_pages"; a version-7 switch learned from every
#: real page, and is read so.
READABLE_VERSIONS = (1, 2, 3, 4, 5, 6, 7, 8)
MANIFEST = "manifest.json"


class ModelFileError(ValueError):
    """A model file is missing, damaged, foreign or from an unknown format version."""


# -- encoding estimators to JSON-safe parts ----------------------------------------------

def _json_params(estimator, skip=()):
    params = {}
    for name, value in estimator.get_params(deep=False).items():
        if name in skip:
            continue
        if isinstance(value, tuple):
            value = list(value)
        if value is not None and not isinstance(value, (bool, int, float, str, list, dict)):
            raise TypeError(
                f"cannot save {type(estimator).__name__}.{name}={value!r}: only plain "
                "numbers, strings, lists and dicts can be stored (use an int random_state)"
            )
        params[name] = value
    return params


def _encode_booster(booster, member, members):
    members[member] = booster.model_to_string().encode("utf-8")
    return member


def _encode_arrays(arrays, member, members):
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    members[member] = buffer.getvalue()
    return member


def _decode_arrays(data):
    with np.load(io.BytesIO(data), allow_pickle=False) as arrays:
        return {name: arrays[name] for name in arrays.files}


def _encode(estimator, members):
    from .features import FeatureExtractor
    from .models import (ContextDenoiser, DocumentDenoiser, InkSwitch, PixelRegressor,
                         StackedDenoiser)
    from .nn import SmallCNN

    if isinstance(estimator, InkSwitch):
        return {
            "class": "InkSwitch",
            "params": _json_params(estimator, skip=("covered", "lifted")),
            "covered": _encode(estimator.covered_, members),
            "lifted": _encode(estimator.lifted_, members),
        }
    if isinstance(estimator, (DocumentDenoiser, ContextDenoiser)):
        fitted = {"n_training_pixels_": int(estimator.n_training_pixels_)}
        if isinstance(estimator, ContextDenoiser):
            fitted["n_maps_"] = int(estimator.n_maps_)
        return {
            "class": type(estimator).__name__,
            "params": _json_params(estimator, skip=("features", "regressor")),
            "features": _encode(estimator.features_, members),
            "regressor": _encode(estimator.regressor_, members),
            "fitted": fitted,
        }
    if isinstance(estimator, FeatureExtractor):
        return {"class": "FeatureExtractor", "params": _json_params(estimator)}
    if isinstance(estimator, PixelRegressor):
        return {
            "class": "PixelRegressor",
            "params": _json_params(estimator),
            "booster": _encode_booster(estimator.booster_, f"booster{len(members)}.txt", members),
            "fitted": {"n_features_in_": int(estimator.n_features_in_)},
        }
    if isinstance(estimator, StackedDenoiser):
        return {
            "class": "StackedDenoiser",
            "params": _json_params(estimator, skip=("level0", "level1")),
            "level0": [[name, _encode(model, members)] for name, model in estimator.level0_],
            "level1": _encode(estimator.level1_, members),
            "later_stages": [_encode(stage, members) for stage in estimator.later_stages_],
            "fitted": {"maps_rmse_": estimator.maps_rmse_},
        }
    if isinstance(estimator, SmallCNN):
        network = estimator.network_
        arrays = {}
        for i, layer in enumerate(network.layers):
            arrays[f"layer{i}.weight"] = layer.weight
            arrays[f"layer{i}.bias"] = layer.bias
        return {
            "class": "SmallCNN",
            "params": _json_params(estimator),
            "architecture": {
                "kind": "ResidualCNN",
                "negative_slope": network.negative_slope,
                "layers": [[layer.n_out, layer.n_in, 3, 3] for layer in network.layers],
            },
            "weights": _encode_arrays(arrays, f"weights{len(members)}.npz", members),
            "fitted": {"n_channels_in_": int(estimator.n_channels_in_),
                       "best_epoch_": int(estimator.best_epoch_),
                       "history_": estimator.history_},
        }
    raise TypeError(f"cannot save a {type(estimator).__name__}: not a dirtydocs model")


def _decode_small_cnn(spec, members):
    from .nn import Conv3x3, ResidualCNN, SmallCNN

    architecture = spec["architecture"]
    if architecture.get("kind") != "ResidualCNN":
        raise ModelFileError(f"unknown network kind {architecture.get('kind')!r}")
    arrays = _decode_arrays(members[spec["weights"]])
    layers = []
    for i, shape in enumerate(architecture["layers"]):
        weight, bias = arrays[f"layer{i}.weight"], arrays[f"layer{i}.bias"]
        if list(weight.shape) != list(shape) or bias.shape != (shape[0],):
            raise ModelFileError(f"layer {i} weights have shape {weight.shape}, "
                                 f"the architecture says {tuple(shape)}")
        layers.append(Conv3x3(weight, bias))
    for a, b in zip(layers[:-1], layers[1:]):
        if a.n_out != b.n_in:
            raise ModelFileError("the architecture's layers do not connect")
    model = SmallCNN(**spec["params"])
    model.network_ = ResidualCNN(layers, architecture["negative_slope"])
    fitted = spec["fitted"]
    model.n_channels_in_ = fitted["n_channels_in_"]
    model.best_epoch_ = fitted["best_epoch_"]
    model.history_ = fitted["history_"]
    return model


def _decode(spec, members):
    from .features import FeatureExtractor
    from .models import (ContextDenoiser, DocumentDenoiser, InkSwitch, PixelRegressor,
                         StackedDenoiser)

    kind = spec.get("class")
    params = dict(spec.get("params", {}))
    if kind == "InkSwitch":
        params.setdefault("training_pages", "all")  # version 7: both learned from all
        model = InkSwitch(**params)
        model.covered_ = _decode(spec["covered"], members)
        model.lifted_ = _decode(spec["lifted"], members)
        model.set_params(covered=clone(model.covered_), lifted=clone(model.lifted_))
        return model
    if kind in ("DocumentDenoiser", "ContextDenoiser"):
        model = (DocumentDenoiser if kind == "DocumentDenoiser" else ContextDenoiser)(**params)
        model.features_ = _decode(spec["features"], members)
        model.regressor_ = _decode(spec["regressor"], members)
        # The file keeps the fitted parts only; unfitted copies of them as parameters make
        # a loaded model refit as it was built.
        model.set_params(features=clone(model.features_), regressor=clone(model.regressor_))
        model.n_training_pixels_ = spec["fitted"]["n_training_pixels_"]
        if kind == "ContextDenoiser":
            model.n_maps_ = spec["fitted"]["n_maps_"]
        return model
    if kind == "FeatureExtractor":
        params = {k: tuple(v) if isinstance(v, list) else v for k, v in params.items()}
        params.setdefault("paper_sigmas", ())  # format 1
        params.setdefault("closing_sizes", ())  # format < 6
        return FeatureExtractor(**params).fit()
    if kind == "PixelRegressor":
        model = PixelRegressor(**params)
        model_text = members[spec["booster"]].decode("utf-8")
        model._set_booster(lightgbm.Booster(model_str=model_text), model_text)
        model.n_features_in_ = spec["fitted"]["n_features_in_"]
        return model
    if kind == "SmallCNN":
        return _decode_small_cnn(spec, members)
    if kind == "StackedDenoiser":
        params["feature_maps"] = tuple(params.get("feature_maps", ()))
        if "cnn" in spec:  # format 2: always out of fold, before level1_maps existed
            params.setdefault("level1_maps", "out_of_fold")
        params.setdefault("n_stages", 1 + len(spec.get("later_stages", [])))  # format < 4
        model = StackedDenoiser(**params)
        model.level0_ = [(name, _decode(part, members)) for name, part in spec["level0"]]
        model.level1_ = _decode(spec["level1" if "level1" in spec else "cnn"], members)
        model.later_stages_ = [_decode(part, members) for part in spec.get("later_stages", [])]
        # As for pixel denoisers; a version-2 stack's level 1 was a CNN, not the default.
        model.set_params(level0=[(name, clone(part)) for name, part in model.level0_],
                         level1=clone(model.level1_))
        fitted = spec["fitted"]
        model.maps_rmse_ = fitted["maps_rmse_" if "maps_rmse_" in fitted else "oof_rmse_"]
        return model
    raise ModelFileError(f"unknown model part {kind!r}")


# -- files ------------------------------------------------------------------------------

def save(model, path):
    """Write a fitted model to `path` (atomically: the file appears only when complete).

    Parameters
    ----------
    model : DocumentDenoiser, StackedDenoiser, InkSwitch, ContextDenoiser or SmallCNN
        A fitted dirtydocs model. A SmallCNN is stored as its parameters and architecture
        in JSON and its weights as ``.npz`` arrays (read back with ``allow_pickle=False``).
    path : str or os.PathLike
        Destination; conventionally ``*.ddm``.

    Examples
    --------
    >>> from dirtydocs import DocumentDenoiser, PixelRegressor
    >>> from dirtydocs.synth import make_pages
    >>> noisy, clean = make_pages(2, shape=(40, 60), random_state=0)
    >>> model = DocumentDenoiser(regressor=PixelRegressor(n_estimators=5), max_samples=2000,
    ...                          random_state=0).fit(noisy, clean)
    >>> save(model, "model.ddm")
    >>> bool((load("model.ddm").predict(noisy[0]) == model.predict(noisy[0])).all())
    True
    """
    from .models import InkSwitch

    members = {}
    spec = _encode(model, members)
    manifest = {
        "format": FORMAT_NAME,
        "format_version": (FORMAT_VERSION if isinstance(model, InkSwitch)
                           else _VERSION_WITHOUT_SWITCH),
        "dirtydocs_version": __version__,
        "model": spec,
        "sha256": {name: hashlib.sha256(data).hexdigest() for name, data in members.items()},
    }
    with atomic_output(path, "wb") as handle:
        with zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(_member(MANIFEST), json.dumps(manifest, indent=1, sort_keys=True))
            for name, data in members.items():
                archive.writestr(_member(name), data)


def _member(name):
    # A fixed date, not the time of saving, so that the same model gives the same file
    # bit for bit (the bundled model's recipe is checked by its SHA-256).
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    return info


def load(path):
    """Read a model written by :func:`save`.

    Raises
    ------
    FileNotFoundError
        If `path` does not exist.
    ModelFileError
        If the file is not a dirtydocs model, is damaged or truncated, or has a format
        version this dirtydocs does not know.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such model file")
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if MANIFEST not in names:
                raise ModelFileError(f"{path}: not a dirtydocs model file (no manifest)")
            manifest = json.loads(archive.read(MANIFEST).decode("utf-8"))
            if not isinstance(manifest, dict) or manifest.get("format") != FORMAT_NAME:
                raise ModelFileError(f"{path}: not a dirtydocs model file")
            version = manifest.get("format_version")
            if version not in READABLE_VERSIONS:
                raise ModelFileError(
                    f"{path}: model format version {version!r}; this dirtydocs "
                    f"({__version__}) reads versions "
                    f"{', '.join(str(v) for v in READABLE_VERSIONS)}"
                )
            members = {}
            for name, digest in manifest["sha256"].items():
                if name not in names:
                    raise ModelFileError(f"{path}: damaged model file ({name} is missing)")
                data = archive.read(name)
                if hashlib.sha256(data).hexdigest() != digest:
                    raise ModelFileError(f"{path}: damaged model file ({name} fails its checksum)")
                members[name] = data
    except ModelFileError:
        raise
    except (zipfile.BadZipFile, EOFError, OSError) as error:
        raise ModelFileError(f"{path}: not a dirtydocs model file or truncated ({error})") from None
    except (UnicodeDecodeError, json.JSONDecodeError, KeyError, AttributeError, TypeError) as error:
        raise ModelFileError(f"{path}: damaged model manifest ({error})") from None
    try:
        return _decode(manifest["model"], members)
    except ModelFileError as error:
        raise ModelFileError(f"{path}: {error}") from None
    except (KeyError, TypeError, ValueError, zipfile.BadZipFile,
            lightgbm.basic.LightGBMError) as error:
        raise ModelFileError(f"{path}: damaged model description ({error})") from None

