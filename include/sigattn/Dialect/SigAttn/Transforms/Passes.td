//===- Passes.td - sigattn dialect passes ------------------*- tablegen -*-===//

#ifndef SIGATTN_DIALECT_SIGATTN_TRANSFORMS_PASSES_TD
#define SIGATTN_DIALECT_SIGATTN_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def SigAttnTile : Pass<"sigattn-tile"> {
  let summary = "Tile sigattn.attention (and attention_grad) into grids of tiles with a loop over the tiles the mask reaches";
  let description = [{
    Replaces each `sigattn.attention` by a tiled computation on buffers:

    - a grid `scf.forall (%qt, %h, %b)` over query tiles, query heads and
      batches, mapped to GPU blocks x, y, z;
    - in each grid point, the query tile is loaded once
      (`sigattn.load_tile`) and an `scf.for` runs over the key/value tiles
      the mask can reach: with `off = Nk - Nq` and the tile's valid rows
      `[i_lo, i_hi]`, keys `[max(0, i_lo + off - left), min(Nk - 1,
      i_hi + off + right)]`. Tiles outside that range are fully masked and
      never visited;
    - the loop body is one `sigattn.tile_step` marked `masked`
      (`sigattn-peel-boundary-tiles` then removes the mask from interior
      tiles), and the f32 accumulator is stored once (`sigattn.store_tile`).

    Before:

    ```mlir
    %o = sigattn.attention %q, %k, %v causal : ... -> tensor<?x?x8x64xbf16>
    ```

    After:

    ```mlir
    %qb = bufferization.to_buffer %q read_only : ...
    %ob = memref.alloc(%B, %Nq) : memref<?x?x8x64xbf16>
    scf.forall (%qt, %h, %b) in (%nqt, 8, %B) {
      %qtile = sigattn.load_tile %qb[%b, %q0, %h] : ... -> vector<64x64xbf16>
      %acc = scf.for %kt = %lo to %hi step %c1 iter_args(%a = %zero) -> ... {
        %n = sigattn.tile_step %qtile, %kb, %vb, %a [%b, %h, %q0, %kt]
               seq_q = %Nq masked block_k = 64 window = [-1, 0] ...
        scf.yield %n : vector<64x64xf32>
      }
      sigattn.store_tile %acc, %ob[%b, %q0, %h] : ...
    } {mapping = [#gpu.block<x>, #gpu.block<y>, #gpu.block<z>]}
    %o = bufferization.to_tensor %ob restrict writable : ...
    ```

    `sigattn.attention_grad` becomes two grids, so that every gradient is
    written once by one block (no atomics, no f32 scratch, deterministic):

    - dK, dV: `scf.forall (%kt, %hkv, %b)` over key tiles; each block loads
      its K and V tiles once and loops over the g query heads of its
      key/value head and, for each, over the query tiles that see its keys
      (the band in the keys' orientation: `off = Nq - Nk`, the window's
      sides swapped), with one `sigattn.grad_kv_step` per query tile;
    - dQ: `scf.forall (%qt, %h, %b)` over query tiles, looping over the
      key/value tiles like the forward pass, with `sigattn.grad_q_step`.

    `block-q` and `block-k` size the query and key tiles of both grids.

    With `dq=reduce` there is no dQ grid: the dK/dV steps also add their
    share of dQ, `scale * dS . K` (dS the transpose of the step's dS^T),
    into a zero-filled f32 buffer shaped like q (`dq(%accum)` of
    `sigattn.grad_kv_step`), and a grid over (query tile, head, batch)
    converts it to dq. Five tile products per (query
    tile, key tile) instead of seven, for additions whose order is not
    fixed.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::bufferization::BufferizationDialect",
    "::mlir::gpu::GPUDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::vector::VectorDialect",
  ];
  let options = [
    Option<"blockQ", "block-q", "int64_t", /*default=*/"0",
           "Query rows per tile (0: mma's default for the head dimensions)">,
    Option<"blockK", "block-k", "int64_t", /*default=*/"0",
           "Keys per key/value tile (0: mma's default for the head dimensions)">,
    Option<"mma", "mma", "std::string", /*default=*/"\"sync\"",
           "Tensor-core generation whose default tile sizes apply (sync, "
           "wgmma); the tiling itself does not depend on it">,
    Option<"dq", "dq", "std::string", /*default=*/"\"separate\"",
           "How sigattn.attention_grad computes dQ: separate (a grid over "
           "query tiles recomputes S and dP; deterministic) or reduce (the "
           "dK/dV steps add dQ partials into an f32 buffer, then a grid "
           "converts it)">,
  ];
}

def SigAttnRaiseAttention : Pass<"sigattn-raise-attention"> {
  let summary = "Replace unfused sigmoid attention in linalg by sigattn.attention";
  let description = [{
    Finds `O = sigmoid(Q.K^T * scale + bias) . V` as front ends (torch-mlir,
    hand-written linalg) emit it on `[B, H, N, D]` tensors and replaces it by
    one `sigattn.attention` between transposes to and from the op's
    `[B, N, H, D]` layout. Accepted forms:

    - each matmul as `linalg.batch_matmul` on `tensor.collapse_shape`s of
      the 4-D tensors (result `tensor.expand_shape`d back), with one batch
      and one head as `linalg.matmul` on them collapsed to 2-D, or as one
      4-D `linalg.generic` contraction; either accumulates into a zero
      `linalg.fill`. K^T is a `linalg.transpose` of K (permutation
      `[0, 1, 3, 2]`) or folded into the first contraction's indexing map;
    - between the matmuls, a chain of elementwise `linalg.generic`s (all
      loops parallel, identity maps) whose scalar bodies, followed from one
      generic to the next, compute `sigmoid(a * s + b)` for constants `a`
      (the scale) and `b` (the bias): the sigmoid as `1 / (1 + exp(-x))`,
      `exp(x) / (1 + exp(x))` or `0.5 * tanh(0.5 * x) + 0.5`, and `x` built
      from the score `s` with multiplies, divides, adds, subtracts and
      negations by scalar constants;
    - a scale or bias known only at run time: an f32 scalar from outside
      the generics (a function argument, say) or a 0-d f32 tensor read with
      the map `() -> ()`, multiplying or dividing the score or added or
      subtracted, with constants around it (a divisor `d` gives `1 / d`): the op takes `scale(%s : f32)` /
      `bias(%b : f32)`, the constants applied by arith ops before it;
    - q, k, v in bf16 or f16, used as they are or extended to f32
      (`arith.extf` on tensors, or elementwise generics); the result in the
      same type, computed in it or truncated to it at the end;
    - K and V with their Hkv heads repeated to Hq (GQA / MQA): a
      `linalg.broadcast` (or a generic yielding its input) along a new
      dimension 2, `tensor.collapse_shape`d `[[0], [1, 2], [3], [4]]`; the op
      gets the Hkv heads (query head h reads head h / g, as repeat_interleave
      does).

    - masks: `select(visible, P, 0)` after the sigmoid (or the negated
      form), or -inf where hidden before it (`select(visible, x, -inf)`,
      `x + select(visible, 0, -inf)`, followed through the sigmoid's
      negations and scalings), `visible` built from comparisons of
      `linalg.index 2` (row i)
      and `linalg.index 3` (column j) and constants, combined with `andi`,
      in place or through an i1 mask generic. Bounds on j - i and i - j
      become `causal` or `window`, aligned to the op's bottom-right
      diagonal; static Nq and Nk only;
    - ALiBi: `c * slope[h] * |i - j + (Nk - Nq)|` in the sigmoid's
      argument for a constant c (-1, or what the scale and signs around it
      make it), slopes an f32 `[H]` or `[B, H]` tensor read with the map
      `(d1)` or `(d0, d1)`, the distance from `linalg.index` (`absi` then
      `sitofp`, or `sitofp` then `absf`); static Nq and Nk; the slopes
      (times -c, by a linalg.generic, when c != -1) become the op's
      `alibi` operand.

    Everything else is left untouched: softmax (its reductions), a bias
    tensor, another activation, f32 inputs or an f32 result, masks that are
    not such bounds (or +inf before the sigmoid, or on dynamic lengths),
    an ALiBi term that is not a constant times slope times distance, and any
    combination the op's verifier
    rejects (checked before anything is replaced, silently).
  }];
  let dependentDialects = [
    "::mlir::sigattn::SigAttnDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::tensor::TensorDialect",
  ];
}

def SigAttnPeelBoundaryTiles : Pass<"sigattn-peel-boundary-tiles"> {
  let summary = "Split loops over column tiles so that only boundary tiles carry element masks";
  let description = [{
    Splits each `scf.for` over column tiles whose body is a `masked` tile
    step (`sigattn.tile_step`, `sigattn.grad_q_step`: columns are keys;
    `sigattn.grad_kv_step`: columns are queries, rows keys, and the window's
    sides swap; any `TileStepInterface`) into three loops over consecutive
    ranges (written here for the forward orientation):
    `[lo, a)` masked, `[a, c)` unmasked, `[c, hi)` masked. Tiles in `[a, c)`
    are visible to every valid row of the query tile and lie inside the key
    sequence:

    ```
    a = clamp(ceildiv(i_hi + off - left, Bk), lo, hi)   (lo if left = -1)
    c = clamp(min(floordiv(i_lo + off + right + 1, Bk), floordiv(Nk, Bk)), a, hi)
    ```

    (`right = -1` drops the first term of `c`). The tiles that cross the
    window's left edge, the diagonal or the end of the key sequence stay
    masked; interior tiles run without any element mask. The accumulator is
    threaded through the three loops.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect",
  ];
}

def SigAttnOutlineGPUKernels
    : Pass<"sigattn-outline-gpu-kernels", "::mlir::ModuleOp"> {
  let summary = "Outline tiled attention grids into GPU kernels with sigattn's pointer ABI";
  let description = [{
    Moves each grid `scf.forall` produced by `sigattn-tile` into a
    `gpu.func` of the `gpu.module @sigattn_kernels`, and launches it with
    `gpu.launch_func` in its place. The kernel takes plain pointers,
    sizes and strides (docs/KernelABI.md):

    ```
    kernel(q, k, v, out [, slopes], B : i64, Nq : i64, Nk : i64,
           12 x i64 strides [, scale : f32] [, bias : f32])
    grid = (ceildiv(Nq, Bq), Hq, B), block = (32 * num-warps, 1, 1)
    ```

    Pointers are 0-d memrefs (one bare pointer each with the bare-pointer
    calling convention); the strides are those of q, k, v and out, three
    each (between batches, rows, heads; elements), which the launch reads
    off the host buffers (`memref.extract_strided_metadata`): any strided
    buffer whose last dimension is contiguous, at any offset (a buffer
    with an offset is passed as the address of its first element). The
    launch asserts (`cf.assert`) what the kernel assumes and the type does
    not show: strides that are multiples of 8 elements, rows less than
    2^21 elements apart, 16-byte aligned first elements, and that
    `sigattn_encode_tensor_map` accepted each tensor map. The kernel rebuilds the
    [B, N, H, D] views with `memref.reinterpret_cast` and reads the grid
    position from `gpu.block_id`. Index values the grid used from outside are recomputed
    inside the kernel from the sizes.

    With `loads=tma` the kernel takes three more parameters after the
    sizes, the CUtensorMaps of q, k and v (`!llvm.ptr` arguments listed in
    the kernel's `sigattn.tensor_maps` attribute; by-value grid constants
    once `sigattn-tensor-map-params` has run), and the host encodes each
    into a 64-byte aligned stack slot with `sigattn_encode_tensor_map`
    before the launch. With `stores=tma` as well a fourth, out's map
    (boxes of 64 rows), through which each warpgroup stores its rows of O
    from shared memory; `stores=auto` takes it where the kernel can
    (loads=tma and Dv <= D: O is staged where Q was).

    With `schedule=specialized` the block has a producer warpgroup after
    the num-warps computing warps (block = (32 * (num-warps + 4), 1, 1));
    the kernel carries `sigattn.producer_warps = 4` and
    `sigattn.kv_stages`, which convert-sigattn-tiles-to-nvvm lowers.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::cf::ControlFlowDialect",
    "::mlir::func::FuncDialect",
    "::mlir::gpu::GPUDialect",
    "::mlir::LLVM::LLVMDialect",
    "::mlir::memref::MemRefDialect",
  ];
  let options = [
    Option<"numWarps", "num-warps", "int64_t", /*default=*/"0",
           "Warps per block (the block has 32 * num-warps threads; 0: mma's "
           "default for the tile, 4 for sync, block-q / 16 for wgmma)">,
    Option<"mma", "mma", "std::string", /*default=*/"\"sync\"",
           "Tensor-core generation whose default num-warps applies (sync, "
           "wgmma)">,
    Option<"loads", "loads", "std::string", /*default=*/"\"cp.async\"",
           "How the kernel loads tiles: cp.async, or tma (three CUtensorMap "
           "parameters after the sizes, encoded by the host)">,
    Option<"stores", "stores", "std::string", /*default=*/"\"direct\"",
           "How the kernel stores O: direct (each thread its registers), "
           "tma (stmatrix into shared memory, then a TMA store through a "
           "fourth CUtensorMap; loads=tma, Dv <= D) or auto (tma where the "
           "kernel can, else direct)">,
    Option<"schedule", "schedule", "std::string",
           /*default=*/"\"cooperative\"",
           "How the warps share the work: cooperative (every warp loads and "
           "computes) or specialized (a producer warpgroup after the "
           "num-warps computing warps issues the TMA loads; loads=tma)">,
    Option<"kvStages", "kv-stages", "int64_t", /*default=*/"0",
           "Stages of the K/V ring in shared memory (0: 2, or with "
           "schedule=specialized 3 where shared memory holds them; 2 .. 4, "
           "more than 2 needs schedule=specialized)">,
  ];
}

#endif // SIGATTN_DIALECT_SIGATTN_TRANSFORMS_PASSES_TD
