"""The CUtensorMap parameters of sigattn kernels with TMA loads.

A kernel whose description says "loads": "tma" takes, after B, Nq and Nk,
the tensor maps of q, k and v by value, and with "stores": "tma" a fourth,
out's (docs/KernelABI.md). This module
encodes them as the C++ runtime does (include/sigattn/Runtime/KernelABI.h,
tensorMapShape): a 4-D tiled map of the contiguous [B, N, H, dim] tensor,
innermost dimension first, boxes of (64, 1, rows, 1) with rows = 64 for q
and out and block_k for k and v, 128-byte swizzle, zero fill past N. Used by
check_kernels.py and benchmarks/bench_attention.py through CuPy, which passes
each map as a 128-byte structure argument.
"""

import ctypes

MAP_BYTES = 128
BOX_COLS = 64
QUERY_BOX_ROWS = 64
ELEMENT_BYTES = 2


def map_shape(desc, role, batch, seq):
    """dims, byte strides and box of `role`'s map (query, key, value or
    output) for a call with `batch` batches and `seq` rows."""
    dim = desc["value_dim"] if role in ("value", "output") else desc["head_dim"]
    by_query = role in ("query", "output")
    heads = desc["num_query_heads"] if by_query else desc["num_kv_heads"]
    rows = QUERY_BOX_ROWS if by_query else desc["block_k"]
    row = heads * dim * ELEMENT_BYTES
    return {"dims": [dim, heads, seq, batch],
            "strides": [dim * ELEMENT_BYTES, row, row * seq],
            "box": [BOX_COLS, 1, rows, 1]}


def encode(desc, role, ptr, batch, seq):
    """The map of `role` for the tensor at device address `ptr`, as a NumPy
    structured scalar of 128 bytes (what CuPy passes by value)."""
    import numpy as np
    from cuda.bindings import driver as cu
    s = map_shape(desc, role, batch, seq)
    dtype = (cu.CUtensorMapDataType.CU_TENSOR_MAP_DATA_TYPE_BFLOAT16
             if desc["element_type"] == "bf16"
             else cu.CUtensorMapDataType.CU_TENSOR_MAP_DATA_TYPE_FLOAT16)
    err, tmap = cu.cuTensorMapEncodeTiled(
        dtype, 4, ptr,
        [cu.cuuint64_t(x) for x in s["dims"]],
        [cu.cuuint64_t(x) for x in s["strides"]],
        [cu.cuuint32_t(x) for x in s["box"]],
        [cu.cuuint32_t(1)] * 4,
        cu.CUtensorMapInterleave.CU_TENSOR_MAP_INTERLEAVE_NONE,
        cu.CUtensorMapSwizzle.CU_TENSOR_MAP_SWIZZLE_128B,
        cu.CUtensorMapL2promotion.CU_TENSOR_MAP_L2_PROMOTION_L2_128B,
        cu.CUtensorMapFloatOOBfill.CU_TENSOR_MAP_FLOAT_OOB_FILL_NONE)
    if err != cu.CUresult.CUDA_SUCCESS:
        raise RuntimeError("cuTensorMapEncodeTiled(%s): %s" % (role, err))
    raw = ctypes.string_at(tmap.getPtr(), MAP_BYTES)
    struct = np.dtype([("map", np.uint8, (MAP_BYTES,))], align=True)
    return np.frombuffer(raw, dtype=struct)[0]


def tensor_map_args(desc, q_ptr, k_ptr, v_ptr, o_ptr, batch, seq_q, seq_k):
    """The parameters after B, Nq, Nk: none for cp.async kernels, the three
    maps for TMA kernels, and out's with TMA stores."""
    if desc.get("loads", "cp.async") != "tma":
        return []
    maps = [encode(desc, "query", q_ptr, batch, seq_q),
            encode(desc, "key", k_ptr, batch, seq_k),
            encode(desc, "value", v_ptr, batch, seq_k)]
    if desc.get("stores", "direct") == "tma":
        maps.append(encode(desc, "output", o_ptr, batch, seq_q))
    return maps
