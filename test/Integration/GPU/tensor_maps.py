"""The launch parameters of sigattn kernels after the pointers: sizes,
strides, run-time scalars and the CUtensorMaps of TMA kernels.

Every kernel takes, after B, Nq and Nk, the strides of q, k, v and out (three
each, in elements: between batches, rows and heads of the [B, N, H, dim]
tensor; the last dimension contiguous). A kernel whose description says
"loads": "tma" then takes the tensor maps of q, k and v by value, and with
"stores": "tma" a fourth, out's (docs/KernelABI.md). This module computes
them as the C++ runtime does (include/sigattn/Runtime/KernelABI.h,
tensorMapShape; Runtime.h, effectiveStrides): a 4-D tiled map of the
strided [B, N, H, dim] tensor, innermost dimension first, boxes of (64, 1,
rows, 1) with rows = 64 for q and out and block_k for k and v, 128-byte
swizzle, zero fill past N. Used by check_kernels.py and
benchmarks/bench_attention.py through CuPy, which passes each map as a
128-byte structure argument.
"""

import ctypes

MAP_BYTES = 128
BOX_COLS = 64
QUERY_BOX_ROWS = 64
ELEMENT_BYTES = 2


ABI_VERSION = 3
STRIDE_ALIGNMENT = 8  # elements (16 bytes)
MAX_ROW_STRIDE = 1 << 21  # elements, exclusive


def strides_of(t):
    """(batch, row, head) strides in elements of a [B, N, H, dim] PyTorch
    tensor whose last dimension is contiguous, as the kernel takes them: a
    dimension of size 1 gets the contiguous stride (it is never stepped),
    as in the C++ runtime's effectiveStrides. Raises ValueError for what
    the kernels cannot read."""
    B, N, H, dim = t.shape
    if t.stride(3) != 1 and dim > 1:
        raise ValueError("the last dimension must be contiguous")
    contiguous = (N * H * dim, H * dim, dim)
    strides = tuple(c if size == 1 else s for s, c, size in
                    zip(t.stride()[:3], contiguous, (B, N, H)))
    for name, s in zip(("batch", "row", "head"), strides):
        if s < 0 or s % STRIDE_ALIGNMENT:
            raise ValueError("%s stride %d is not a multiple of %d elements"
                             % (name, s, STRIDE_ALIGNMENT))
    if strides[1] >= MAX_ROW_STRIDE:
        raise ValueError("row stride %d is not below 2^21" % strides[1])
    return strides


# The tensors of each kind of kernel, in parameter order: inputs, then
# outputs (KernelABI.h, tensorOf), and the two read in column tiles through
# the ring, whose TMA boxes have a column tile's rows (isColumnSource).
TENSORS = {
    "attention": ["query", "key", "value", "output"],
    "attention_grad_kv": ["query", "key", "value", "grad_output",
                          "key_grad", "value_grad"],
    "attention_grad_q": ["query", "key", "value", "grad_output",
                         "query_grad"],
}
INPUTS = {"attention": 3, "attention_grad_kv": 4, "attention_grad_q": 4}
VALUE_WIDTH = ("value", "output", "grad_output", "value_grad")
KEY_ROWS = ("key", "value", "key_grad", "value_grad")


def column_box_rows(desc, role):
    """Rows of a TMA box of `role` for kernel `desc`: a column tile's for
    the tensors read through the ring, else 64."""
    kind = desc.get("kind", "attention")
    if kind == "attention_grad_kv":
        return desc["block_q"] if role in ("query", "grad_output") \
            else QUERY_BOX_ROWS
    return desc["block_k"] if role in ("key", "value") else QUERY_BOX_ROWS


def map_shape(desc, role, batch, seq, strides):
    """dims, byte strides and box of `role`'s map (query, key, value,
    output, grad_output, ...) for a call with `batch` batches and `seq` rows,
    the tensor's (batch, row, head) strides in elements."""
    dim = desc["value_dim"] if role in VALUE_WIDTH else desc["head_dim"]
    by_query = role not in KEY_ROWS
    heads = desc["num_query_heads"] if by_query else desc["num_kv_heads"]
    rows = column_box_rows(desc, role)
    sb, sn, sh = strides
    return {"dims": [dim, heads, seq, batch],
            "strides": [sh * ELEMENT_BYTES, sn * ELEMENT_BYTES,
                        sb * ELEMENT_BYTES],
            "box": [BOX_COLS, 1, rows, 1]}


def encode(desc, role, ptr, batch, seq, strides):
    """The map of `role` for the tensor at device address `ptr`, as a NumPy
    structured scalar of 128 bytes (what CuPy passes by value)."""
    import numpy as np
    from cuda.bindings import driver as cu
    s = map_shape(desc, role, batch, seq, strides)
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


def launch_args(desc, q, k, v, out, slopes=None, scale=None, bias=None,
                out_ptr=None):
    """Every parameter of a launch of the kernel `desc` (its JSON
    description) on PyTorch tensors q, k, v, out ([B, N, H, dim] views,
    any strides the ABI allows), in order: pointers, B, Nq, Nk, strides,
    run-time scale and bias, tensor maps. `out_ptr` overrides out's
    address (a negative control)."""
    if desc.get("kind") != "attention":
        raise ValueError("kernel %s computes %r, not attention"
                         % (desc["name"], desc.get("kind")))
    return kernel_args(desc, [q, k, v, out], slopes, scale, bias,
                       ptrs={3: out_ptr} if out_ptr is not None else None)


def kernel_args(desc, tensors, slopes=None, scale=None, bias=None,
                ptrs=None):
    """Every parameter of a launch of the kernel `desc` of any kind on
    PyTorch tensors `tensors` in its parameter order (TENSORS[kind]), in
    order: pointers, [slopes], B, Nq, Nk, strides, run-time scale and bias,
    tensor maps. `ptrs` overrides addresses by position (negative
    controls)."""
    import numpy as np
    if desc.get("abi_version") != ABI_VERSION:
        raise ValueError("kernel %s has abi_version %r, not %d"
                         % (desc["name"], desc.get("abi_version"), ABI_VERSION))
    kind = desc.get("kind")
    if kind not in TENSORS:
        raise ValueError("kernel %s has an unknown kind %r" % (desc["name"], kind))
    roles = TENSORS[kind]
    if len(tensors) != len(roles):
        raise ValueError("kernel %s takes %d tensors (%s), got %d"
                         % (desc["name"], len(roles), ", ".join(roles),
                            len(tensors)))
    q, k = tensors[0], tensors[1]
    batch, seq_q, seq_k = q.shape[0], q.shape[1], k.shape[1]
    addresses = [t.data_ptr() for t in tensors]
    for i, p in (ptrs or {}).items():
        addresses[i] = p
    args = [np.uint64(p) for p in addresses]
    if slopes is not None:
        args.append(np.uint64(slopes.data_ptr()))
    args += [np.int64(batch), np.int64(seq_q), np.int64(seq_k)]
    strides = [strides_of(t) for t in tensors]
    args += [np.int64(x) for s in strides for x in s]
    if desc["scale"] == "param":
        args.append(np.float32(scale))
    if desc["bias"] == "param":
        args.append(np.float32(bias))
    if desc.get("loads", "cp.async") == "tma":
        maps = len(roles) if desc.get("stores", "direct") == "tma" \
            else INPUTS[kind]
        for i in range(maps):
            seq = seq_k if roles[i] in KEY_ROWS else seq_q
            args.append(encode(desc, roles[i], addresses[i], batch, seq,
                               strides[i]))
    return args
