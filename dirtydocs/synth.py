"""Synthetic dirty pages: rendered text under stains, rings, uneven light and noise.

Tests, examples and the demo use these instead of real scans, so nothing needs outside
data. Every page is a pure function of its seed.
"""

import numpy as np
from PIL import Image, ImageDraw, ImageFont
from scipy import ndimage as ndi
from sklearn.utils import check_random_state

__all__ = ["make_page", "make_pages"]

_WORDS = (
    "the of and to in is that for it as was with be by on not he this are or his from at "
    "which but have an they you were her she there been one all we their has would when "
    "page paper text filter noise stain clean scan image document method field form sheet "
    "light dark median window pixel ink line guide ruler print write several design value"
).split()


def _render_text(shape, rng):
    """Black text on white paper, float32 in [0, 1]."""
    n_rows, n_cols = shape
    # Small pages get small type, so even a 32 x 32 page carries a line or two of text.
    largest = max(9, min(26, n_rows // 3, n_cols // 4))
    font_size = int(rng.integers(min(12, largest - 1), largest + 1))
    font = ImageFont.load_default(size=font_size)
    canvas = Image.new("L", (n_cols, n_rows), 255)
    draw = ImageDraw.Draw(canvas)
    line_height = int(font_size * rng.uniform(1.2, 1.6))
    margin = int(rng.integers(2, max(3, min(20, n_rows // 8))))
    y = margin
    while y + line_height <= n_rows - margin // 2:
        x = margin + (int(rng.integers(0, 3 * font_size)) if rng.random() < 0.15 else 0)
        while True:
            word = _WORDS[int(rng.integers(len(_WORDS)))]
            width = draw.textlength(word + " ", font=font)
            if x + width > n_cols - margin:
                break
            draw.text((x, y), word, fill=0, font=font)
            x += width
        y += line_height
    return np.asarray(canvas, dtype=np.float32) / 255.0


def _smooth_field(shape, rng, scale):
    """Smooth random field in [0, 1] whose features are about `scale` pixels wide."""
    field = ndi.gaussian_filter(rng.standard_normal(shape), sigma=scale, mode="wrap")
    field -= field.min()
    return field / max(field.max(), 1e-12)


def _coffee_ring(shape, rng):
    """Darkening factor of one coffee ring: a faint disc with a darker rim."""
    n_rows, n_cols = shape
    rows, cols = np.mgrid[0:n_rows, 0:n_cols].astype(np.float32)
    centre_r, centre_c = rng.uniform(0, n_rows), rng.uniform(0, n_cols)
    radius = rng.uniform(0.15, 0.45) * min(n_rows, n_cols) + 10
    angle = np.arctan2(rows - centre_r, cols - centre_c)
    wobble = 1.0 + 0.05 * np.sin(3 * angle + rng.uniform(0, 6.3))
    distance = np.hypot(rows - centre_r, cols - centre_c) / (radius * wobble)
    rim_width = rng.uniform(0.02, 0.06)
    rim = np.exp(-(((distance - 1.0) / rim_width) ** 2))
    disc = (distance < 1.0) * rng.uniform(0.05, 0.2)
    strength = rng.uniform(0.2, 0.5)
    return 1.0 - strength * np.clip(rim + disc, 0, 1)


def make_page(shape=(258, 540), *, random_state=None):
    """One synthetic dirty page and its clean truth.

    The clean page is rendered text (Pillow's built-in scalable font). The dirty page
    multiplies it by a paper shade, blotchy stains, coffee rings and a light gradient,
    fades and blurs the ink a little, and adds sensor noise.

    Parameters
    ----------
    shape : tuple of int
        ``(rows, columns)``; at least 32 x 32.
    random_state : int, Generator, RandomState or None
        Seed; the same seed gives the same page.

    Returns
    -------
    noisy, clean : (M, N) ndarray of float32
        In [0, 1].

    Examples
    --------
    >>> noisy, clean = make_page((64, 96), random_state=1)
    >>> noisy.shape, bool(clean.min() < 0.5 < clean.max()), bool((noisy < 0.99).mean() > 0.5)
    ((64, 96), True, True)
    """
    shape = tuple(int(s) for s in shape)
    if len(shape) != 2 or min(shape) < 32:
        raise ValueError(f"shape must be (rows, columns) of at least 32 each, got {shape}")
    rng = np.random.default_rng(check_random_state(random_state).randint(2**31 - 1))
    clean = _render_text(shape, rng)

    paper = rng.uniform(0.75, 0.95) - 0.12 * _smooth_field(shape, rng, rng.uniform(2, 6))
    stains = 1.0 - rng.uniform(0.1, 0.45) * _smooth_field(shape, rng, rng.uniform(10, 40)) ** 2
    rows, cols = np.mgrid[0:shape[0], 0:shape[1]] / np.array(shape).reshape(2, 1, 1)
    light = 1.0 - rng.uniform(0, 0.25) * (rng.uniform(-1, 1) * rows + rng.uniform(-1, 1) * cols
                                          ) ** 2
    background = paper * stains * light
    for _ in range(int(rng.integers(0, 3))):
        background = background * _coffee_ring(shape, rng)

    ink_level = rng.uniform(0.0, 0.25)
    ink = ndi.gaussian_filter(clean, sigma=rng.uniform(0.3, 0.8))
    noisy = background * (ink_level + (1.0 - ink_level) * ink)
    noisy = noisy + rng.normal(0.0, rng.uniform(0.005, 0.03), shape)
    noisy = np.clip(noisy, 0.0, 1.0)
    # Real scans are 8-bit.
    noisy = np.rint(noisy * 255) / 255
    return noisy.astype(np.float32), clean.astype(np.float32)


def make_pages(n_pages, shape=(258, 540), *, random_state=None):
    """Several synthetic pages, each with its own seed drawn from `random_state`.

    Returns
    -------
    noisy, clean : list of (M, N) ndarray of float32

    Examples
    --------
    >>> noisy, clean = make_pages(3, shape=(40, 50), random_state=0)
    >>> len(noisy), noisy[2].shape
    (3, (40, 50))
    """
    rng = check_random_state(random_state)
    pairs = [make_page(shape, random_state=int(rng.randint(2**31 - 1))) for _ in range(n_pages)]
    return [noisy for noisy, _ in pairs], [clean for _, clean in pairs]
