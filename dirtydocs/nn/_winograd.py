"""Numba kernels for 3x3 'same' convolutions by Winograd F(2x2, 3x3). Private.

Each 2x2 block of outputs ("tile") is computed from a 4x4 input patch d with
``Y = A^T [ (G g G^T) * (B^T d B) ] A``: 16 multiplications per tile and channel pair
instead of 36.

Memory layout, chosen for speed:

- Filters are transformed once per weight update into ``U[16, Cout, Cin]``: for each of
  the 16 Winograd positions, a Cout x Cin matrix read as scalars in the product loop.
- Tiles are processed in blocks of up to ``TILE_BLOCK`` consecutive tiles of one tile row.
  Their transformed inputs ``V[16, Cin, TILE_BLOCK]`` and products ``M[16, Cout,
  TILE_BLOCK]`` live in per-block scratch (~260 KB at 32 channels, within L2), with tiles
  contiguous so the innermost loop is a SIMD multiply-add over tiles.
- The input transform, the 16 channel products and the output transform are fused per
  block: the transformed data never makes a round trip through main memory, which is what
  makes a staged (transform, GEMM, transform) version memory-bound.
- ``prange`` runs over blocks: disjoint output tiles, so no reductions between threads.

This module holds the forward pass only so far.
"""

import numpy as np
from numba import njit, prange

TILE_BLOCK = 64


@njit(cache=True)
def _filter_transform(weights):
    """U[xi, co, ci] = (G g G^T) flattened, for weights of shape (Cout, Cin, 3, 3)."""
    n_out, n_in = weights.shape[0], weights.shape[1]
    transformed = np.empty((16, n_out, n_in), np.float32)
    for co in range(n_out):
        for ci in range(n_in):
            g = weights[co, ci]
            # G g: 4 x 3
            gg = np.empty((4, 3), np.float64)
            for j in range(3):
                gg[0, j] = g[0, j]
                gg[1, j] = 0.5 * (g[0, j] + g[1, j] + g[2, j])
                gg[2, j] = 0.5 * (g[0, j] - g[1, j] + g[2, j])
                gg[3, j] = g[2, j]
            # (G g) G^T: 4 x 4
            for i in range(4):
                transformed[4 * i + 0, co, ci] = gg[i, 0]
                transformed[4 * i + 1, co, ci] = 0.5 * (gg[i, 0] + gg[i, 1] + gg[i, 2])
                transformed[4 * i + 2, co, ci] = 0.5 * (gg[i, 0] - gg[i, 1] + gg[i, 2])
                transformed[4 * i + 3, co, ci] = gg[i, 2]
    return transformed


@njit(cache=True, inline="always")
def _load_patch(plane, top, left, height, width, patch):
    """4x4 input patch with its top-left at (top, left); zeros outside the image."""
    if top >= 0 and left >= 0 and top + 4 <= height and left + 4 <= width:
        for i in range(4):
            for j in range(4):
                patch[i, j] = plane[top + i, left + j]
    else:
        for i in range(4):
            for j in range(4):
                r, c = top + i, left + j
                inside = 0 <= r < height and 0 <= c < width
                patch[i, j] = plane[r, c] if inside else np.float32(0.0)


@njit(cache=True, parallel=True, fastmath={"nsz", "arcp", "contract", "reassoc"})
def _conv3x3_forward(x, transformed, bias, y):
    """y = conv3x3(x) + bias for x (N, Cin, H, W), transformed filters U (16, Cout, Cin)."""
    n_images, n_in, height, width = x.shape
    n_out = transformed.shape[1]
    tile_rows = (height + 1) // 2
    tile_cols = (width + 1) // 2
    blocks_per_row = (tile_cols + TILE_BLOCK - 1) // TILE_BLOCK
    n_blocks = n_images * tile_rows * blocks_per_row
    for block in prange(n_blocks):
        image = block // (tile_rows * blocks_per_row)
        rest = block % (tile_rows * blocks_per_row)
        tile_row = rest // blocks_per_row
        first_col = (rest % blocks_per_row) * TILE_BLOCK
        n_tiles = min(TILE_BLOCK, tile_cols - first_col)

        v = np.empty((16, n_in, TILE_BLOCK), np.float32)
        m = np.zeros((16, n_out, TILE_BLOCK), np.float32)
        patch = np.empty((4, 4), np.float32)
        bd = np.empty((4, 4), np.float32)

        # Input transform V = B^T d B for every tile and input channel.
        for ci in range(n_in):
            plane = x[image, ci]
            for t in range(n_tiles):
                top = 2 * tile_row - 1
                left = 2 * (first_col + t) - 1
                _load_patch(plane, top, left, height, width, patch)
                for j in range(4):  # B^T d
                    bd[0, j] = patch[0, j] - patch[2, j]
                    bd[1, j] = patch[1, j] + patch[2, j]
                    bd[2, j] = patch[2, j] - patch[1, j]
                    bd[3, j] = patch[1, j] - patch[3, j]
                for i in range(4):  # (B^T d) B
                    v[4 * i + 0, ci, t] = bd[i, 0] - bd[i, 2]
                    v[4 * i + 1, ci, t] = bd[i, 1] + bd[i, 2]
                    v[4 * i + 2, ci, t] = bd[i, 2] - bd[i, 1]
                    v[4 * i + 3, ci, t] = bd[i, 1] - bd[i, 3]

        # 16 independent channel products M[xi] = U[xi] @ V[xi], tiles innermost.
        for xi in range(16):
            for co in range(n_out):
                row = m[xi, co]
                for ci in range(n_in):
                    u = transformed[xi, co, ci]
                    source = v[xi, ci]
                    for t in range(n_tiles):
                        row[t] += u * source[t]

        # Output transform Y = A^T M A, plus bias, cropped at odd edges.
        for co in range(n_out):
            offset = bias[co]
            out = y[image, co]
            for t in range(n_tiles):
                # A^T M (2 x 4), then (A^T M) A (2 x 2); scalars, so nothing is allocated.
                p0 = m[0, co, t] + m[4, co, t] + m[8, co, t]
                p1 = m[1, co, t] + m[5, co, t] + m[9, co, t]
                p2 = m[2, co, t] + m[6, co, t] + m[10, co, t]
                p3 = m[3, co, t] + m[7, co, t] + m[11, co, t]
                q0 = m[4, co, t] - m[8, co, t] - m[12, co, t]
                q1 = m[5, co, t] - m[9, co, t] - m[13, co, t]
                q2 = m[6, co, t] - m[10, co, t] - m[14, co, t]
                q3 = m[7, co, t] - m[11, co, t] - m[15, co, t]
                r = 2 * tile_row
                c = 2 * (first_col + t)
                out[r, c] = p0 + p1 + p2 + offset
                if c + 1 < width:
                    out[r, c + 1] = p1 - p2 - p3 + offset
                if r + 1 < height:
                    out[r + 1, c] = q0 + q1 + q2 + offset
                    if c + 1 < width:
                        out[r + 1, c + 1] = q1 - q2 - q3 + offset
