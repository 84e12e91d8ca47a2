"""Numba kernels for 3x3 'same' convolutions by Winograd F(2x2, 3x3). Private.

Each 2x2 block of outputs ("tile") is computed from a 4x4 input patch d with
``Y = A^T [ (G g G^T) * (B^T d B) ] A``: 16 multiplications per tile and channel pair
instead of 36.

Memory layout, chosen for speed (figures: 540x420 page, 32 -> 32 channels, 2 cores):

- Filters are transformed once per weight update into ``U[16, Cout4, Cin4]``, channel
  counts rounded up to multiples of 4 with zero filters, so the product loop below runs
  whole groups of 4 x 4 channels without remainder code.
- The tiles of an image, in row-major order, are cut into blocks of ``LANES`` = 128
  consecutive tiles; a block may span several tile rows, so only an image's last block is
  partial (blocks of one tile row wasted up to 40% of the lanes at Kaggle widths).
- Per block, the transformed inputs ``V[16, Cin4, ROW_STRIDE]`` and the products
  ``M[16, Cout4, ROW_STRIDE]`` live in scratch allocated once per thread (~600 KB at 32
  channels, within L2). Tiles are the contiguous axis, so every inner loop is a SIMD loop
  over tiles with a trip count known at compile time. ``ROW_STRIDE`` = LANES + 16 floats:
  a power-of-two row stride made rows alias in cache.
- The 16 channel products ``M[xi] = U[xi] @ V[xi]`` update 4 output rows from 4 input rows
  per pass: 16 FMAs per 8 loads and 4 stores. With 1 x 1 updates the loop was bound by
  loads and stores (~35 GF/s per core); 4 x 4 reaches ~75. LLVM cannot keep accumulators
  in registers across the channel loop because it cannot prove that numba's arrays do not
  alias, so the ratio of FMAs to memory operations is what we control.
- The input transform, the products and the output transform are fused per block: the
  transformed data never makes a round trip through main memory, which is what makes a
  staged (transform, GEMM, transform) version memory-bound. Input rows are copied into a
  zero-padded row buffer first, so the transform loops have no bounds tests and vectorise.
- ``prange`` runs over one chunk of consecutive blocks per thread: disjoint output tiles,
  no reductions between threads, and scratch allocated once per chunk instead of per block.

Result: ~20 ms for the 32 -> 32 layer (the products ~12 ms, input transform ~5 ms,
output transform ~4 ms), ~8 ms for 16 -> 16.
"""

import numpy as np
from numba import njit, prange

LANES = 128
ROW_STRIDE = LANES + 16
# The filter gradient is summed over a fixed number of chunks of blocks, whatever the
# number of threads, so training gives the same weights on any machine.
GRADIENT_CHUNKS = 64
CHANNEL_GROUP = 4
_FASTMATH = {"nsz", "arcp", "contract", "reassoc"}


@njit(cache=True)
def padded_channels(n):
    """Channel count rounded up to a multiple of CHANNEL_GROUP."""
    return (n + CHANNEL_GROUP - 1) // CHANNEL_GROUP * CHANNEL_GROUP


@njit(cache=True)
def filter_transform(weights, n_out_padded, n_in_padded):
    """U[xi, co, ci] = (G g G^T) flattened for weights (Cout, Cin, 3, 3); zeros in padding."""
    n_out, n_in = weights.shape[0], weights.shape[1]
    transformed = np.zeros((16, n_out_padded, n_in_padded), np.float32)
    gg = np.empty((4, 3), np.float64)
    for co in range(n_out):
        for ci in range(n_in):
            g = weights[co, ci]
            for j in range(3):  # G g: 4 x 3
                gg[0, j] = g[0, j]
                gg[1, j] = 0.5 * (g[0, j] + g[1, j] + g[2, j])
                gg[2, j] = 0.5 * (g[0, j] - g[1, j] + g[2, j])
                gg[3, j] = g[2, j]
            for i in range(4):  # (G g) G^T: 4 x 4
                transformed[4 * i + 0, co, ci] = gg[i, 0]
                transformed[4 * i + 1, co, ci] = 0.5 * (gg[i, 0] + gg[i, 1] + gg[i, 2])
                transformed[4 * i + 2, co, ci] = 0.5 * (gg[i, 0] - gg[i, 1] + gg[i, 2])
                transformed[4 * i + 3, co, ci] = gg[i, 2]
    return transformed


@njit(cache=True, inline="always", fastmath=_FASTMATH)
def _input_transform(x, image, tile_row, first_col, n_tiles, lane0, rows, v):
    """V[:, ci, lane0:lane0 + n_tiles] = B^T d B for n_tiles tiles of one tile row."""
    n_in, height, width = x.shape[1], x.shape[2], x.shape[3]
    n_cols = 2 * n_tiles + 2
    left = 2 * first_col - 1  # rows[i, k] holds input column left + k
    lo = max(0, -left)
    hi = min(n_cols, width - left)
    d0, d1, d2, d3 = rows[0], rows[1], rows[2], rows[3]
    b0, b1, b2, b3 = rows[4], rows[5], rows[6], rows[7]
    for ci in range(n_in):
        plane = x[image, ci]
        for i in range(4):
            r = 2 * tile_row - 1 + i
            d = rows[i]
            if r < 0 or r >= height:
                d[:n_cols] = 0.0
            else:
                d[:lo] = 0.0
                d[lo:hi] = plane[r, left + lo:left + hi]
                d[hi:n_cols] = 0.0
        for k in range(n_cols):  # B^T d, along whole rows
            b0[k] = d0[k] - d2[k]
            b1[k] = d1[k] + d2[k]
            b2[k] = d2[k] - d1[k]
            b3[k] = d1[k] - d3[k]
        for i in range(4):  # (B^T d) B, tile by tile
            b = rows[4 + i]
            v0 = v[4 * i + 0, ci, lane0:]
            v1 = v[4 * i + 1, ci, lane0:]
            v2 = v[4 * i + 2, ci, lane0:]
            v3 = v[4 * i + 3, ci, lane0:]
            for t in range(n_tiles):
                v0[t] = b[2 * t] - b[2 * t + 2]
                v1[t] = b[2 * t + 1] + b[2 * t + 2]
                v2[t] = b[2 * t + 2] - b[2 * t + 1]
                v3[t] = b[2 * t + 1] - b[2 * t + 3]


@njit(cache=True, inline="always", fastmath=_FASTMATH)
def _channel_products(transformed, v, m):
    """M[xi] = U[xi] @ V[xi] for the 16 Winograd positions, 4 x 4 channels per pass."""
    n_out_padded, n_in_padded = transformed.shape[1], transformed.shape[2]
    for xi in range(16):
        u = transformed[xi]
        for co in range(0, n_out_padded, 4):
            r0, r1, r2, r3 = m[xi, co], m[xi, co + 1], m[xi, co + 2], m[xi, co + 3]
            for t in range(LANES):
                r0[t] = 0.0
                r1[t] = 0.0
                r2[t] = 0.0
                r3[t] = 0.0
            for ci in range(0, n_in_padded, 4):
                s0, s1, s2, s3 = v[xi, ci], v[xi, ci + 1], v[xi, ci + 2], v[xi, ci + 3]
                a00, a01, a02, a03 = u[co, ci], u[co, ci + 1], u[co, ci + 2], u[co, ci + 3]
                a10, a11, a12, a13 = (u[co + 1, ci], u[co + 1, ci + 1],
                                      u[co + 1, ci + 2], u[co + 1, ci + 3])
                a20, a21, a22, a23 = (u[co + 2, ci], u[co + 2, ci + 1],
                                      u[co + 2, ci + 2], u[co + 2, ci + 3])
                a30, a31, a32, a33 = (u[co + 3, ci], u[co + 3, ci + 1],
                                      u[co + 3, ci + 2], u[co + 3, ci + 3])
                for t in range(LANES):
                    e0, e1, e2, e3 = s0[t], s1[t], s2[t], s3[t]
                    r0[t] += a00 * e0 + a01 * e1 + a02 * e2 + a03 * e3
                    r1[t] += a10 * e0 + a11 * e1 + a12 * e2 + a13 * e3
                    r2[t] += a20 * e0 + a21 * e1 + a22 * e2 + a23 * e3
                    r3[t] += a30 * e0 + a31 * e1 + a32 * e2 + a33 * e3


@njit(cache=True, inline="always", fastmath=_FASTMATH)
def _output_transform(m, bias, y, image, tile_row, first_col, n_tiles, lane0, out_rows):
    """y tiles = A^T M A + bias for n_tiles tiles of one tile row, cropped at odd edges."""
    n_out, height, width = y.shape[1], y.shape[2], y.shape[3]
    r = 2 * tile_row
    c0 = 2 * first_col
    n_cols = min(2 * n_tiles, width - c0)
    top, bottom = out_rows[0], out_rows[1]
    for co in range(n_out):
        offset = bias[co]
        m0, m1, m2, m3 = m[0, co, lane0:], m[1, co, lane0:], m[2, co, lane0:], m[3, co, lane0:]
        m4, m5, m6, m7 = m[4, co, lane0:], m[5, co, lane0:], m[6, co, lane0:], m[7, co, lane0:]
        m8, m9, m10, m11 = (m[8, co, lane0:], m[9, co, lane0:],
                            m[10, co, lane0:], m[11, co, lane0:])
        m12, m13, m14, m15 = (m[12, co, lane0:], m[13, co, lane0:],
                              m[14, co, lane0:], m[15, co, lane0:])
        for t in range(n_tiles):
            p1 = m1[t] + m5[t] + m9[t]
            p2 = m2[t] + m6[t] + m10[t]
            top[2 * t] = m0[t] + m4[t] + m8[t] + p1 + p2 + offset
            top[2 * t + 1] = p1 - p2 - (m3[t] + m7[t] + m11[t]) + offset
            q1 = m5[t] - m9[t] - m13[t]
            q2 = m6[t] - m10[t] - m14[t]
            bottom[2 * t] = m4[t] - m8[t] - m12[t] + q1 + q2 + offset
            bottom[2 * t + 1] = q1 - q2 - (m7[t] - m11[t] - m15[t]) + offset
        y[image, co, r, c0:c0 + n_cols] = top[:n_cols]
        if r + 1 < height:
            y[image, co, r + 1, c0:c0 + n_cols] = bottom[:n_cols]


@njit(cache=True, inline="always")
def _block_layout(n_images, height, width, n_threads):
    """(tile_cols, tiles_per_image, blocks_per_image, n_blocks, n_chunks) of an input."""
    tile_cols = (width + 1) // 2
    tiles_per_image = (height + 1) // 2 * tile_cols
    blocks_per_image = (tiles_per_image + LANES - 1) // LANES
    n_blocks = n_images * blocks_per_image
    return tile_cols, tiles_per_image, blocks_per_image, n_blocks, max(1, min(n_threads, n_blocks))


@njit(cache=True, inline="always")
def _block_span(block, blocks_per_image, tiles_per_image):
    """(image, first tile, one past the last tile) of a block."""
    first = block % blocks_per_image * LANES
    return block // blocks_per_image, first, min(first + LANES, tiles_per_image)


@njit(cache=True, inline="always")
def _segment(tile, last, tile_cols):
    """The run of a block's tiles that starts at `tile` and stays in one tile row:
    (tile_row, first column, number of tiles)."""
    tile_row = tile // tile_cols
    col = tile - tile_row * tile_cols
    return tile_row, col, min(tile_cols - col, last - tile)


@njit(cache=True, inline="always", fastmath=_FASTMATH)
def _transform_block_inputs(x, image, first, last, tile_cols, rows, v):
    """V for the block's tiles first..last-1, which are segments of consecutive tile rows."""
    tile = first
    while tile < last:
        tile_row, col, n_tiles = _segment(tile, last, tile_cols)
        _input_transform(x, image, tile_row, col, n_tiles, tile - first, rows, v)
        tile += n_tiles


@njit(cache=True, parallel=True, fastmath=_FASTMATH)
def conv3x3_forward(x, transformed, bias, y, n_threads):
    """y = conv3x3(x) + bias for x (N, Cin, H, W) and U = filter_transform(...)."""
    n_images, _, height, width = x.shape
    n_out_padded, n_in_padded = transformed.shape[1], transformed.shape[2]
    tile_cols, tiles_per_image, blocks_per_image, n_blocks, n_chunks = _block_layout(
        n_images, height, width, n_threads)
    for chunk in prange(n_chunks):
        v = np.zeros((16, n_in_padded, ROW_STRIDE), np.float32)
        m = np.empty((16, n_out_padded, ROW_STRIDE), np.float32)
        rows = np.zeros((8, 2 * LANES + 2), np.float32)
        out_rows = np.empty((2, 2 * LANES), np.float32)
        for block in range(chunk * n_blocks // n_chunks, (chunk + 1) * n_blocks // n_chunks):
            image, first, last = _block_span(block, blocks_per_image, tiles_per_image)
            # Lanes past `last` in an image's final block keep finite stale values and are
            # never written out.
            _transform_block_inputs(x, image, first, last, tile_cols, rows, v)
            _channel_products(transformed, v, m)
            tile = first
            while tile < last:
                tile_row, col, n_tiles = _segment(tile, last, tile_cols)
                _output_transform(m, bias, y, image, tile_row, col, n_tiles, tile - first,
                                  out_rows)
                tile += n_tiles


@njit(cache=True, inline="always", fastmath=_FASTMATH)
def _gradient_transform(grad_out, image, tile_row, first_col, n_tiles, lane0, rows, dm):
    """dM[:, co, lane0:lane0 + n_tiles] = A dY A^T, the adjoint of the output transform.

    Outputs outside the image (odd edges) have no gradient: they read as zeros.
    """
    n_out, height, width = grad_out.shape[1], grad_out.shape[2], grad_out.shape[3]
    r = 2 * tile_row
    c0 = 2 * first_col
    n_cols = min(2 * n_tiles, width - c0)
    top, bottom = rows[0], rows[1]
    top[n_cols:2 * n_tiles] = 0.0
    bottom[:2 * n_tiles] = 0.0
    for co in range(n_out):
        top[:n_cols] = grad_out[image, co, r, c0:c0 + n_cols]
        if r + 1 < height:
            bottom[:n_cols] = grad_out[image, co, r + 1, c0:c0 + n_cols]
        dm0, dm1, dm2, dm3 = (dm[0, co, lane0:], dm[1, co, lane0:],
                              dm[2, co, lane0:], dm[3, co, lane0:])
        dm4, dm5, dm6, dm7 = (dm[4, co, lane0:], dm[5, co, lane0:],
                              dm[6, co, lane0:], dm[7, co, lane0:])
        dm8, dm9, dm10, dm11 = (dm[8, co, lane0:], dm[9, co, lane0:],
                                dm[10, co, lane0:], dm[11, co, lane0:])
        dm12, dm13, dm14, dm15 = (dm[12, co, lane0:], dm[13, co, lane0:],
                                  dm[14, co, lane0:], dm[15, co, lane0:])
        for t in range(n_tiles):
            g00, g01 = top[2 * t], top[2 * t + 1]
            g10, g11 = bottom[2 * t], bottom[2 * t + 1]
            # h = A dY (4 x 2), then dM = h A^T (4 x 4)
            h00, h01 = g00, g01
            h10, h11 = g00 + g10, g01 + g11
            h20, h21 = g00 - g10, g01 - g11
            h30, h31 = -g10, -g11
            dm0[t], dm1[t], dm2[t], dm3[t] = h00, h00 + h01, h00 - h01, -h01
            dm4[t], dm5[t], dm6[t], dm7[t] = h10, h10 + h11, h10 - h11, -h11
            dm8[t], dm9[t], dm10[t], dm11[t] = h20, h20 + h21, h20 - h21, -h21
            dm12[t], dm13[t], dm14[t], dm15[t] = h30, h30 + h31, h30 - h31, -h31


@njit(cache=True, inline="always", fastmath=_FASTMATH)
def _accumulate_filter_gradient(dm, v, grad_transformed):
    """grad_U[xi] += dM[xi] @ V[xi]^T: dot products along the tile axis, 4 x 4 at a time."""
    n_out_padded, n_in_padded = grad_transformed.shape[1], grad_transformed.shape[2]
    for xi in range(16):
        for co in range(0, n_out_padded, 4):
            d0, d1, d2, d3 = dm[xi, co], dm[xi, co + 1], dm[xi, co + 2], dm[xi, co + 3]
            for ci in range(0, n_in_padded, 4):
                s0, s1, s2, s3 = v[xi, ci], v[xi, ci + 1], v[xi, ci + 2], v[xi, ci + 3]
                c00 = c01 = c02 = c03 = np.float32(0.0)
                c10 = c11 = c12 = c13 = np.float32(0.0)
                c20 = c21 = c22 = c23 = np.float32(0.0)
                c30 = c31 = c32 = c33 = np.float32(0.0)
                for t in range(LANES):
                    e0, e1, e2, e3 = s0[t], s1[t], s2[t], s3[t]
                    f0, f1, f2, f3 = d0[t], d1[t], d2[t], d3[t]
                    c00 += f0 * e0
                    c01 += f0 * e1
                    c02 += f0 * e2
                    c03 += f0 * e3
                    c10 += f1 * e0
                    c11 += f1 * e1
                    c12 += f1 * e2
                    c13 += f1 * e3
                    c20 += f2 * e0
                    c21 += f2 * e1
                    c22 += f2 * e2
                    c23 += f2 * e3
                    c30 += f3 * e0
                    c31 += f3 * e1
                    c32 += f3 * e2
                    c33 += f3 * e3
                g = grad_transformed[xi]
                g[co, ci] += c00
                g[co, ci + 1] += c01
                g[co, ci + 2] += c02
                g[co, ci + 3] += c03
                g[co + 1, ci] += c10
                g[co + 1, ci + 1] += c11
                g[co + 1, ci + 2] += c12
                g[co + 1, ci + 3] += c13
                g[co + 2, ci] += c20
                g[co + 2, ci + 1] += c21
                g[co + 2, ci + 2] += c22
                g[co + 2, ci + 3] += c23
                g[co + 3, ci] += c30
                g[co + 3, ci + 1] += c31
                g[co + 3, ci + 2] += c32
                g[co + 3, ci + 3] += c33


@njit(cache=True, parallel=True, fastmath=_FASTMATH)
def conv3x3_filter_gradient(x, grad_out, max_chunks):
    """Gradient of the loss with respect to U, per chunk: (n_chunks, 16, Cout4, Cin4) float64.

    The sum over chunks, pulled back through the filter transform
    (:func:`filter_transform_adjoint`), is the gradient with respect to the 3x3 filters.
    Each block's 128-tile dot products are summed in float32, blocks in float64. Chunks
    depend on `max_chunks` and the input's size only, not on the threads that run them.
    """
    n_images, n_in, height, width = x.shape
    n_out = grad_out.shape[1]
    n_out_padded, n_in_padded = padded_channels(n_out), padded_channels(n_in)
    tile_cols, tiles_per_image, blocks_per_image, n_blocks, n_chunks = _block_layout(
        n_images, height, width, max_chunks)
    partial = np.zeros((n_chunks, 16, n_out_padded, n_in_padded), np.float64)
    for chunk in prange(n_chunks):
        v = np.zeros((16, n_in_padded, ROW_STRIDE), np.float32)
        dm = np.zeros((16, n_out_padded, ROW_STRIDE), np.float32)
        rows = np.zeros((8, 2 * LANES + 2), np.float32)
        block_sum = np.zeros((16, n_out_padded, n_in_padded), np.float32)
        for block in range(chunk * n_blocks // n_chunks, (chunk + 1) * n_blocks // n_chunks):
            image, first, last = _block_span(block, blocks_per_image, tiles_per_image)
            _transform_block_inputs(x, image, first, last, tile_cols, rows, v)
            tile = first
            while tile < last:
                tile_row, col, n_tiles = _segment(tile, last, tile_cols)
                _gradient_transform(grad_out, image, tile_row, col, n_tiles, tile - first,
                                    rows, dm)
                tile += n_tiles
            if last - first < LANES:  # an image's final block: unused lanes add nothing
                dm[:, :, last - first:] = 0.0
            block_sum[:] = 0.0
            _accumulate_filter_gradient(dm, v, block_sum)
            partial[chunk] += block_sum
    return partial


@njit(cache=True)
def filter_transform_adjoint(grad_transformed, n_out, n_in):
    """grad_g = G^T grad_U G for each filter: the adjoint of :func:`filter_transform`."""
    grad = np.empty((n_out, n_in, 3, 3), np.float32)
    gu = np.empty((4, 4), np.float64)
    half = np.empty((4, 3), np.float64)
    for co in range(n_out):
        for ci in range(n_in):
            for xi in range(16):
                gu[xi // 4, xi % 4] = grad_transformed[xi, co, ci]
            for i in range(4):  # grad_U G: 4 x 3
                half[i, 0] = gu[i, 0] + 0.5 * (gu[i, 1] + gu[i, 2])
                half[i, 1] = 0.5 * (gu[i, 1] - gu[i, 2])
                half[i, 2] = 0.5 * (gu[i, 1] + gu[i, 2]) + gu[i, 3]
            for j in range(3):  # G^T (grad_U G): 3 x 3
                grad[co, ci, 0, j] = half[0, j] + 0.5 * (half[1, j] + half[2, j])
                grad[co, ci, 1, j] = 0.5 * (half[1, j] - half[2, j])
                grad[co, ci, 2, j] = 0.5 * (half[1, j] + half[2, j]) + half[3, j]
    return grad
