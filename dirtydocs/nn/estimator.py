"""SmallCNN: a scikit-learn style page-to-page denoiser built on the numpy CNN."""

import numbers
import sys
import time

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from .._validation import check_page
from ..metrics import rmse
from .network import ResidualCNN
from .optim import Adam
from .patches import masked_mse, sample_patches

__all__ = ["SmallCNN"]


def _check_input_page(page, name):
    """(M, N) or (M, N, C) finite numbers -> (C, M, N) C-contiguous float32."""
    array = np.asarray(page)
    if array.dtype == object or not np.issubdtype(array.dtype, np.number):
        raise TypeError(f"{name}: expected a numeric image, got dtype {array.dtype}")
    if array.ndim == 2:
        array = array[:, :, None]
    if array.ndim != 3 or min(array.shape) == 0:
        raise ValueError(f"{name}: expected shape (M, N) or (M, N, C), got {array.shape}")
    array = np.ascontiguousarray(np.moveaxis(array, -1, 0), dtype=np.float32)
    if not np.isfinite(array).all():
        raise ValueError(f"{name}: the input holds NaN or infinite values")
    return array


def _as_list(pages):
    single = isinstance(pages, np.ndarray) and pages.ndim in (2, 3) and not (
        pages.ndim == 3 and pages.dtype == object)
    return ([pages] if single else list(pages)), single


class SmallCNN(BaseEstimator):
    """A fully convolutional residual CNN that maps input maps to a clean page.

    ``clean = input[..., 0] + f(input)``: `n_layers` 3x3 convolutions (Winograd kernel),
    leaky ReLUs between them. Trained with Adam on random patches with flips; whole pages
    are held out for validation, and the weights of the best validation epoch are kept.

    Parameters
    ----------
    n_layers : int
        3x3 convolutions; the output sees `n_layers` pixels around each pixel.
    n_channels : int
        Width of the hidden layers.
    negative_slope : float
        Slope of the leaky ReLU for negative inputs.
    patch_size, batch_size : int
        Training patches are ``patch_size`` squared, `batch_size` per Adam step.
    learning_rate : float
        Adam's step size.
    max_epochs : int
        Epochs of ``patches_per_epoch`` patches at most.
    patches_per_epoch : int
    validation_fraction : float
        Share of pages (whole pages; whole groups when `fit` is given groups) held out to
        choose the epoch. 0 trains on every page and keeps the last epoch's weights.
    n_iter_no_change : int
        Stop after this many epochs without a better validation RMSE.
    lr_patience : int
        After this many epochs without a better validation RMSE, or at once when it more
        than doubles (a diverging step), training goes back to the best weights so far with
        half the learning rate.
    max_seconds : float or None
        Stop after the epoch that passes this training time.
    tile_size : int
        `predict` works in tiles of this many rows and columns (plus a halo of
        ``n_layers`` pixels), so memory stays bounded on large pages. Tiled output equals
        whole-page output.
    random_state : int, RandomState or None
        Seeds initial weights, validation split and patches: same seed, same model.
    verbose : bool
        Print one line per epoch to stderr.

    Attributes
    ----------
    network_ : ResidualCNN
        The trained network (weights of the best validation epoch).
    n_channels_in_ : int
        Input channels seen in `fit`.
    history_ : dict of lists
        Per epoch: ``epoch``, ``train_loss`` (patch MSE), ``validation_rmse`` (NaN without
        validation), ``seconds`` since training began and the ``learning_rate`` used.
    best_epoch_ : int
        The epoch whose weights were kept.

    Examples
    --------
    >>> from dirtydocs.synth import make_pages
    >>> noisy, clean = make_pages(3, shape=(48, 64), random_state=0)
    >>> model = SmallCNN(n_layers=3, n_channels=8, patch_size=24, max_epochs=2,
    ...                  patches_per_epoch=32, random_state=0).fit(noisy, clean)
    >>> model.predict(noisy[0]).shape
    (48, 64)
    """

    def __init__(self, n_layers=7, n_channels=32, negative_slope=0.1, patch_size=64,
                 batch_size=16, learning_rate=2e-3, max_epochs=200, patches_per_epoch=1024,
                 validation_fraction=0.1, n_iter_no_change=8, lr_patience=3, max_seconds=None,
                 tile_size=512,
                 random_state=None, verbose=False):
        self.n_layers = n_layers
        self.n_channels = n_channels
        self.negative_slope = negative_slope
        self.patch_size = patch_size
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.max_epochs = max_epochs
        self.patches_per_epoch = patches_per_epoch
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.lr_patience = lr_patience
        self.max_seconds = max_seconds
        self.tile_size = tile_size
        self.random_state = random_state
        self.verbose = verbose

    # -- checks --------------------------------------------------------------------------

    def _check_params(self):
        for name in ("n_layers", "n_channels", "patch_size", "batch_size", "max_epochs",
                     "patches_per_epoch", "n_iter_no_change", "lr_patience", "tile_size"):
            value = getattr(self, name)
            if not isinstance(value, numbers.Integral) or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        if not 0.0 <= self.validation_fraction < 1.0:
            raise ValueError(
                f"validation_fraction must be in [0, 1), got {self.validation_fraction!r}")
        if not self.learning_rate > 0:
            raise ValueError(f"learning_rate must be > 0, got {self.learning_rate!r}")

    def _check_inputs(self, inputs, name):
        pages, single = _as_list(inputs)
        if not pages:
            raise ValueError(f"{name}: no pages given")
        checked = [_check_input_page(page, f"{name}[{i}]") for i, page in enumerate(pages)]
        n_channels = {page.shape[0] for page in checked}
        if len(n_channels) > 1:
            raise ValueError(f"{name}: every page needs the same channels, "
                             f"got {sorted(n_channels)}")
        return checked, single

    # -- fitting -------------------------------------------------------------------------

    def fit(self, inputs, targets, groups=None):
        """Train on pages.

        Parameters
        ----------
        inputs : sequence of (M, N) or (M, N, C) array_like
            One or more input maps per page; channel 0 is the page the network corrects.
        targets : sequence of (M, N) array_like
            Clean pages in [0, 1], same sizes.
        groups : sequence of int, optional
            Pages of one group are held out together for validation.

        Returns
        -------
        self : SmallCNN
        """
        self._check_params()
        inputs, _ = self._check_inputs(inputs, "inputs")
        target_list, _ = _as_list(targets)
        if len(target_list) != len(inputs):
            raise ValueError(f"got {len(inputs)} input pages but {len(target_list)} targets")
        targets = [check_page(t, name=f"targets[{i}]") for i, t in enumerate(target_list)]
        for i, (x, y) in enumerate(zip(inputs, targets)):
            if x.shape[1:] != y.shape:
                raise ValueError(f"inputs[{i}] is {x.shape[1:]} but targets[{i}] is {y.shape}")
        rng = np.random.default_rng(check_random_state(self.random_state).randint(2 ** 31))
        train, valid = self._split(len(inputs), groups, rng)

        network = ResidualCNN.initialise(inputs[0].shape[0], self.n_layers, self.n_channels,
                                         rng, self.negative_slope)
        optimiser = Adam(network.parameters(), learning_rate=self.learning_rate)
        self.network_ = network
        self.n_channels_in_ = inputs[0].shape[0]
        history = {"epoch": [], "train_loss": [], "validation_rmse": [], "seconds": [],
                   "learning_rate": []}
        best = (np.inf, 0, self._weights())
        last_reset = 0
        started = time.perf_counter()
        steps = max(1, self.patches_per_epoch // self.batch_size)
        train_inputs, train_targets = [inputs[i] for i in train], [targets[i] for i in train]
        for epoch in range(1, self.max_epochs + 1):
            losses = []
            for _ in range(steps):
                x, y, weight = sample_patches(train_inputs, train_targets, self.batch_size,
                                              self.patch_size, network.receptive_radius, rng)
                loss, grad = masked_mse(network.forward(x, training=True), y, weight)
                network.backward(grad)
                optimiser.step()
                network.parameters_changed()
                losses.append(loss)
            score = (rmse([targets[i] for i in valid],
                          [self._predict_page(inputs[i]) for i in valid]) if valid else np.nan)
            seconds = time.perf_counter() - started
            for key, value in zip(history, (epoch, float(np.mean(losses)), score, seconds,
                                            optimiser.learning_rate)):
                history[key].append(value)
            if self.verbose:
                print(f"epoch {epoch:3d}  patch MSE {np.mean(losses):.5f}  validation RMSE "
                      f"{score:.5f}  {seconds:6.0f} s", file=sys.stderr)
            if not valid or score < best[0]:
                best = (score, epoch, self._weights())
            elif score > 2 * best[0] or epoch - max(best[1], last_reset) >= self.lr_patience:
                self._set_weights(best[2])
                optimiser.learning_rate /= 2
                last_reset = epoch
            if valid and epoch - best[1] >= self.n_iter_no_change:
                break
            if self.max_seconds is not None and seconds >= self.max_seconds:
                break
        self._set_weights(best[2])
        self.best_epoch_ = best[1]
        self.history_ = history
        return self

    def _split(self, n_pages, groups, rng):
        """Indices of training and validation pages; whole groups go to validation."""
        if self.validation_fraction == 0 or n_pages < 2:
            return list(range(n_pages)), []
        labels = np.arange(n_pages) if groups is None else np.asarray(groups)
        if len(labels) != n_pages:
            raise ValueError(f"got {len(labels)} groups for {n_pages} pages")
        unique = rng.permutation(np.unique(labels))
        n_valid = min(len(unique) - 1, max(1, round(self.validation_fraction * len(unique))))
        held_out = np.isin(labels, unique[:n_valid])
        return list(np.flatnonzero(~held_out)), list(np.flatnonzero(held_out))

    def _weights(self):
        return [(layer.weight.copy(), layer.bias.copy()) for layer in self.network_.layers]

    def _set_weights(self, weights):
        for layer, (weight, bias) in zip(self.network_.layers, weights):
            layer.weight[...] = weight
            layer.bias[...] = bias
        self.network_.parameters_changed()

    # -- prediction ----------------------------------------------------------------------

    def predict(self, inputs):
        """Clean one page or several, each on its own, in tiles of bounded memory.

        Parameters
        ----------
        inputs : (M, N) or (M, N, C) array_like, or a sequence of them

        Returns
        -------
        cleaned : (M, N) ndarray of float32, or a list of them
            Clipped to [0, 1].
        """
        check_is_fitted(self, "network_")
        pages, single = self._check_inputs(inputs, "inputs")
        for i, page in enumerate(pages):
            if page.shape[0] != self.n_channels_in_:
                raise ValueError(f"inputs[{i}] has {page.shape[0]} channels; the model was "
                                 f"fitted on {self.n_channels_in_}")
        cleaned = [self._predict_page(page) for page in pages]
        return cleaned[0] if single else cleaned

    def _predict_page(self, page, tile_size=None):
        """Tiles with a halo of at least the receptive radius give the whole page's output.

        Tile origins and the halo are even, so every tile's Winograd 2x2 grid lines up with
        the whole page's and the sums come out bit for bit the same.
        """
        tile = self.tile_size if tile_size is None else tile_size
        tile += tile % 2
        halo = self.network_.receptive_radius + self.network_.receptive_radius % 2
        _, height, width = page.shape
        out = np.empty((height, width), np.float32)
        for top in range(0, height, tile):
            for left in range(0, width, tile):
                bottom, right = min(top + tile, height), min(left + tile, width)
                r0, c0 = max(top - halo, 0), max(left - halo, 0)
                r1, c1 = min(bottom + halo, height), min(right + halo, width)
                y = self.network_.forward(page[None, :, r0:r1, c0:c1])
                out[top:bottom, left:right] = y[0, 0, top - r0:bottom - r0, left - c0:right - c0]
        return np.clip(out, 0.0, 1.0, out=out)

    def score(self, inputs, targets):
        """Negative RMSE over all pixels (higher is better)."""
        cleaned = self.predict(inputs)
        targets, single = _as_list(targets)
        cleaned = [cleaned] if single else cleaned
        return -rmse([check_page(t, name="targets") for t in targets], cleaned)
