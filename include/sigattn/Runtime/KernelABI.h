//===- KernelABI.h - the contract between generated kernels and hosts -----===//
//
// Plain C++ (no MLIR, no CUDA): the compiler builds kernels to this ABI and
// the runtime launches them through it. See docs/KernelABI.md.
//
//===----------------------------------------------------------------------===//

#ifndef SIGATTN_RUNTIME_KERNELABI_H
#define SIGATTN_RUNTIME_KERNELABI_H

#include <cstdint>

namespace sigattn {
namespace abi {

/// The version of this ABI, written to every kernel description as
/// "abi_version"; a host refuses kernels of another version. 1: contiguous
/// tensors (no strides); 2: strides after the sizes; 3: a required "kind"
/// says what the kernel computes, and so which tensors it takes.
constexpr int64_t kAbiVersion = 3;

/// What a kernel computes (the description's "kind"): the forward pass,
/// or one of the two kernels of sigattn.attention_grad.
enum class KernelKind {
  kAttention, ///< "attention": out from q, k, v
  kGradKV,    ///< "attention_grad_kv": dk, dv from q, k, v, dO
  kGradQ,     ///< "attention_grad_q": dq from q, k, v, dO
};
constexpr const char *kindName(KernelKind kind) {
  return kind == KernelKind::kAttention ? "attention"
         : kind == KernelKind::kGradKV  ? "attention_grad_kv"
                                        : "attention_grad_q";
}

/// The [B, N, H, dim] tensors (bf16 or f16) kernels read and write.
enum class Tensor {
  kQuery,      ///< q   [B, Nq, Hq, D]
  kKey,        ///< k   [B, Nk, Hkv, D]
  kValue,      ///< v   [B, Nk, Hkv, Dv]
  kOutput,     ///< out [B, Nq, Hq, Dv]
  kGradOutput, ///< dO  [B, Nq, Hq, Dv]
  kGradQuery,  ///< dq  [B, Nq, Hq, D]
  kGradKey,    ///< dk  [B, Nk, Hkv, D]
  kGradValue,  ///< dv  [B, Nk, Hkv, Dv]
};
/// How many abi::Tensor values there are.
constexpr int kNumTensorRoles = static_cast<int>(Tensor::kGradValue) + 1;
/// True for a tensor whose rows are keys (Nk rows, Hkv heads); the others
/// have Nq rows and Hq heads.
constexpr bool isKeyTensor(Tensor t) {
  return t == Tensor::kKey || t == Tensor::kValue || t == Tensor::kGradKey ||
         t == Tensor::kGradValue;
}
/// True for a tensor of width Dv (v, out, dO, dv); the others have D.
constexpr bool isValueWidth(Tensor t) {
  return t == Tensor::kValue || t == Tensor::kOutput ||
         t == Tensor::kGradOutput || t == Tensor::kGradValue;
}
/// Short name of a tensor (descriptions, tables).
constexpr const char *tensorName(Tensor t) {
  constexpr const char *names[] = {"q",  "k",  "v",  "out",
                                   "dO", "dq", "dk", "dv"};
  return names[static_cast<int>(t)];
}
/// What a buffer of a tensor is called in the compiler's messages.
constexpr const char *tensorRoleName(Tensor t) {
  constexpr const char *names[] = {"query",    "key",         "value",
                                   "output",   "grad_output", "query_grad",
                                   "key_grad", "value_grad"};
  return names[static_cast<int>(t)];
}

/// The tensors of a kernel of `kind`, in parameter order: the inputs, then
/// the outputs. attention: q, k, v, out; attention_grad_kv: q, k, v, dO,
/// dk, dv; attention_grad_q: q, k, v, dO, dq.
constexpr int numTensors(KernelKind kind) {
  return kind == KernelKind::kAttention ? 4
         : kind == KernelKind::kGradKV  ? 6
                                        : 5;
}
/// The inputs among them (read-only, first): 3 or 4.
constexpr int numInputs(KernelKind kind) {
  return kind == KernelKind::kAttention ? 3 : 4;
}
constexpr Tensor tensorOf(KernelKind kind, int index) {
  constexpr Tensor inputs[] = {Tensor::kQuery, Tensor::kKey, Tensor::kValue,
                               Tensor::kGradOutput};
  if (index < numInputs(kind))
    return inputs[index];
  if (kind == KernelKind::kAttention)
    return Tensor::kOutput;
  if (kind == KernelKind::kGradQ)
    return Tensor::kGradQuery;
  return index == 4 ? Tensor::kGradKey : Tensor::kGradValue;
}
/// The block's resident row tiles, in the order its tile steps read them:
/// q (attention); q, dO (attention_grad_q); k, v (attention_grad_kv).
constexpr int numRowTensors(KernelKind kind) {
  return kind == KernelKind::kAttention ? 1 : 2;
}
constexpr Tensor rowTensor(KernelKind kind, int i) {
  if (kind == KernelKind::kGradKV)
    return i == 0 ? Tensor::kKey : Tensor::kValue;
  return i == 0 ? Tensor::kQuery : Tensor::kGradOutput;
}
/// The two inputs read in column tiles through the ring: k, v; or q, dO
/// (attention_grad_kv).
constexpr Tensor columnTensor(KernelKind kind, int j) {
  if (kind == KernelKind::kGradKV)
    return j == 0 ? Tensor::kQuery : Tensor::kGradOutput;
  return j == 0 ? Tensor::kKey : Tensor::kValue;
}
/// The outputs, in the order of the tile steps' accumulators: out; dq; or
/// dk, dv.
constexpr int numOutputs(KernelKind kind) {
  return numTensors(kind) - numInputs(kind);
}
constexpr Tensor outputTensor(KernelKind kind, int i) {
  return tensorOf(kind, numInputs(kind) + i);
}
/// The position of tensor `t` among the tensors of `kind` (its pointer,
/// and with TMA its map), or -1 when the kernel does not take it.
constexpr int tensorIndex(KernelKind kind, Tensor t) {
  for (int i = 0; i < numTensors(kind); ++i)
    if (tensorOf(kind, i) == t)
      return i;
  return -1;
}

/// Kernel parameters, in order. Pointers are device addresses of [B, N, H,
/// D] tensors (bf16 or f16), 16-byte aligned, laid out by the strides that
/// follow the sizes; sizes and strides are int64.
/// `slopes` (f32, [Hq] or [B, Hq]) is present only in kernels built with
/// ALiBi; the parameters after it shift down by one otherwise.
enum Param : int {
  kQuery = 0,  ///< const T *q      [B, Nq, Hq, D]
  kKey = 1,    ///< const T *k      [B, Nk, Hkv, D]
  kValue = 2,  ///< const T *v      [B, Nk, Hkv, Dv]
  kOutput = 3, ///< T *out          [B, Nq, Hq, Dv]
  kSlopes = 4, ///< const float *slopes (ALiBi kernels only)
};

/// The sizes that follow the pointers, in order: B, Nq, Nk. Then the
/// strides (Strides, kNumStrideParams), then kernels whose description
/// says "scale": "param" and/or "bias": "param" take the scale and/or the
/// bias as f32, in that order.
constexpr int kNumSizeParams = 3;

/// Where the elements of a [B, N, H, dim] tensor are: the elements between
/// consecutive batches, rows (sequence positions) and heads; the last
/// dimension is contiguous (stride 1). Strides are at least 0 (0: a
/// broadcast input dimension) and multiples of kStrideAlignment.
struct Strides {
  int64_t batch, row, head;
};
/// The strides of each tensor of the kernel (q, k, v and out for the
/// forward pass), in parameter order, three each (batch, row, head), as
/// int64 parameters after the sizes.
constexpr int numStrideParams(KernelKind kind) { return 3 * numTensors(kind); }
constexpr int kNumStrideParams = numStrideParams(KernelKind::kAttention);
/// Strides are multiples of 8 elements (16 bytes): the kernels copy rows in
/// 16-byte pieces and TMA needs 16-byte strides.
constexpr int64_t kStrideAlignment = 8;
/// Row strides are below 2^21 elements (4 MiB): a copy's offset within a
/// tile of up to 1024 rows is a 32-bit product.
constexpr int64_t kMaxRowStride = int64_t{1} << 21;
/// The strides of a contiguous [batch, seq, heads, dim] tensor.
constexpr Strides contiguousStrides(int64_t seq, int64_t heads, int64_t dim) {
  return {seq * heads * dim, heads * dim, dim};
}

/// Kernels with TMA loads ("loads": "tma") take more parameters after the
/// sizes: the CUtensorMaps of their inputs (q, k, v for the forward pass),
/// by value (`.param .align 64 .b8 [128]`, __grid_constant__), encoded by
/// the host for each launch (see TensorMapShape); kernels with TMA stores
/// ("stores": "tma") one more per output (out's). Map i describes
/// tensorOf(kind, i).
constexpr int kNumTensorMaps = 3;
constexpr int kNumTensorMapsWithStore = 4;
constexpr int64_t kTensorMapBytes = 128;
constexpr int64_t kTensorMapAlignment = 64;

/// What the description's "batch", "seq_q" and "seq_k" hold for a size the
/// kernel takes at run time. Any other value (>= 1) is a static size: the
/// kernel has it baked in, ignores the matching parameter, and must be
/// launched with exactly that size.
constexpr int64_t kDynamicSize = -1;

/// Bytes of one element of q, k, v and out.
constexpr int64_t kElementBytes = 2;

/// Alignment the kernel assumes for every tensor pointer.
constexpr int64_t kPointerAlignment = 16;

/// What fixes a kernel's launch geometry (all compile-time in the kernel).
struct TileShape {
  int64_t blockQ;   ///< query rows per block (per column tile: grad_kv)
  int64_t blockK;   ///< keys per key/value tile (per block: grad_kv)
  int64_t numWarps; ///< warps that compute (each owns query rows)
  int64_t headDim;  ///< D
  int64_t valueDim; ///< Dv
  bool tmaLoads = false; ///< tiles loaded by TMA (mbarriers at the end)
  /// Warps that only load, after the computing ones: a producer
  /// warpgroup (4), or 0 when the computing warps load too.
  int64_t producerWarps = 0;
  /// Stages of the ring of column tiles (K/V) in shared memory.
  int64_t kvStages = kDefaultKVStages;
  /// O stored through shared memory by TMA (needs tmaLoads; Dv <= D: each
  /// warpgroup stages its rows of O where its rows of Q were).
  bool tmaStores = false;
  /// Rows are queries and column tiles keys, except for attention_grad_kv,
  /// whose block owns block_k keys and loops over tiles of block_q queries.
  KernelKind kind = KernelKind::kAttention;
  static constexpr int64_t kDefaultKVStages = 2;
};

/// Rows of a block's resident tiles, and of a column tile of the ring.
constexpr int64_t rowBlock(const TileShape &s) {
  return s.kind == KernelKind::kGradKV ? s.blockK : s.blockQ;
}
constexpr int64_t columnBlock(const TileShape &s) {
  return s.kind == KernelKind::kGradKV ? s.blockQ : s.blockK;
}
/// True for an input a kernel of `kind` reads in column tiles through its
/// ring (k, v for the forward pass and dq; q, dO for dk, dv); the other
/// inputs are the block's resident row tiles.
constexpr bool isColumnSource(KernelKind kind, Tensor t) {
  bool keys = t == Tensor::kKey || t == Tensor::kValue;
  bool queries = t == Tensor::kQuery || t == Tensor::kGradOutput;
  return kind == KernelKind::kGradKV ? queries : keys;
}

/// Threads per block: the computing warps, then the producer's.
constexpr int64_t blockThreads(const TileShape &s) {
  return 32 * (s.numWarps + s.producerWarps);
}
/// Warps of a producer warpgroup.
constexpr int64_t kProducerWarps = 4;

/// The K/V ring's stages, fewest and most.
constexpr int64_t kMinKVStages = 2;
constexpr int64_t kMaxKVStages = 4;

/// mbarriers of a kernel with TMA loads: one for Q, then one per K/V stage
/// that the stage's loads complete ("full"), then, with a producer, one
/// per stage that the compute warps release it on ("empty").
constexpr int64_t tmaBarriers(const TileShape &s) {
  return s.tmaLoads ? 1 + s.kvStages * (s.producerWarps > 0 ? 2 : 1) : 0;
}
constexpr int64_t kMBarrierBytes = 8;

/// Most dynamic shared memory a block may use on sm_90.
constexpr int64_t kMaxDynamicSharedBytes = 227 * 1024;

/// Dynamic shared memory in bytes: the row tiles (Q; Q and dO for dq; K and
/// V for dk, dv) and kvStages stages of the column tiles (K and V; Q and dO
/// for dk, dv), then the mbarriers of TMA loads.
constexpr int64_t dynamicSharedBytes(const TileShape &s) {
  int64_t rowWidth =
      s.kind == KernelKind::kAttention ? s.headDim : s.headDim + s.valueDim;
  return (rowBlock(s) * rowWidth +
          s.kvStages * columnBlock(s) * (s.headDim + s.valueDim)) *
             kElementBytes +
         tmaBarriers(s) * kMBarrierBytes;
}

/// The CUtensorMap parameters of a kernel of shape `s`: one per input, and
/// one per output with TMA stores.
constexpr int numTensorMaps(const TileShape &s) {
  return s.tmaLoads ? (s.tmaStores ? numTensors(s.kind) : numInputs(s.kind))
                    : 0;
}

/// Columns of one TMA box: 64 elements, the 128 bytes of one swizzled row.
constexpr int64_t kTmaBoxCols = 64;
/// Rows of q and out per TMA box: one warpgroup's 64 rows.
constexpr int64_t kTmaQueryBoxRows = 64;

/// What a host passes to cuTensorMapEncodeTiled for one tensor of a TMA
/// kernel: a 4-D tiled map, innermost dimension first, of the strided
/// [B, N, H, dim] tensor, with CU_TENSOR_MAP_SWIZZLE_128B, no interleave,
/// zero fill out of bounds (CU_TENSOR_MAP_FLOAT_OOB_FILL_NONE) and
/// element strides 1. The kernel reads box (64, 1, boxRows, 1) at
/// coordinates (column, head, row, batch); rows past N read as zero.
struct TensorMapShape {
  uint64_t dims[4];    ///< dim, H, N, B
  uint64_t strides[3]; ///< bytes between consecutive heads, rows, batches
  uint32_t box[4];     ///< 64, 1, boxRows, 1
};
/// Rows of a TMA box of tensor `t` of a kernel of `kind` whose column tiles
/// have `columnRows` rows: a column tile for a column source (k, v in the
/// forward pass), else 64 (one warpgroup's rows of a row tile or output).
constexpr int64_t tmaBoxRows(Tensor t, int64_t columnRows,
                             KernelKind kind = KernelKind::kAttention) {
  return isColumnSource(kind, t) ? columnRows : kTmaQueryBoxRows;
}
/// Most rows of one TMA box (a box dimension is at most 256).
constexpr int64_t kMaxTmaBoxRows = 256;

/// The map of a [batch, seq, heads, dim] tensor with `strides` (elements)
/// read in boxes of `boxRows`.
constexpr TensorMapShape tensorMapShape(int64_t dim, int64_t heads, int64_t seq,
                                        int64_t batch, int64_t boxRows,
                                        Strides strides) {
  auto bytes = [](int64_t elements) {
    return static_cast<uint64_t>(elements * kElementBytes);
  };
  return {{static_cast<uint64_t>(dim), static_cast<uint64_t>(heads),
           static_cast<uint64_t>(seq), static_cast<uint64_t>(batch)},
          {bytes(strides.head), bytes(strides.row), bytes(strides.batch)},
          {static_cast<uint32_t>(kTmaBoxCols), 1u,
           static_cast<uint32_t>(boxRows), 1u}};
}
/// The map a kernel of shape `s` reads (or, out, writes) `role` through.
constexpr TensorMapShape tensorMapShape(const TileShape &s, Tensor role,
                                        int64_t batch, int64_t seq,
                                        int64_t heads, Strides strides) {
  return tensorMapShape(isValueWidth(role) ? s.valueDim : s.headDim, heads, seq,
                        batch, tmaBoxRows(role, columnBlock(s), s.kind),
                        strides);
}
/// A tensor map's strides are below 2^40 bytes.
constexpr uint64_t kMaxTmaStrideBytes = (uint64_t{1} << 40) - 1;

/// TMA coordinates are signed 32-bit: a TMA kernel takes N < 2^31 rows.
constexpr int64_t kMaxTmaRows = 2147483647;

/// CUDA's launch limits on the grid.
constexpr int64_t kMaxGridX = 2147483647; // 2^31 - 1
constexpr int64_t kMaxGridYZ = 65535;

/// Grid: x over row tiles, y over heads, z over batches. Rows and heads
/// are queries (Nq, Hq), or keys (Nk, Hkv) for attention_grad_kv.
struct Grid {
  int64_t x, y, z;
};
constexpr Grid grid(const TileShape &s, int64_t batch, int64_t seqQ,
                    int64_t numQueryHeads, int64_t seqK = 0,
                    int64_t numKVHeads = 0) {
  bool keys = s.kind == KernelKind::kGradKV;
  int64_t rows = keys ? seqK : seqQ, block = rowBlock(s);
  // ceil(rows / block), without overflowing for rows near INT64_MAX.
  return {rows / block + (rows % block > 0 ? 1 : 0),
          keys ? numKVHeads : numQueryHeads, batch};
}

} // namespace abi
} // namespace sigattn

#endif // SIGATTN_RUNTIME_KERNELABI_H
