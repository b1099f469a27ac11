//===- Passes.td - sigattn conversion passes ---------------*- tablegen -*-===//

#ifndef SIGATTN_CONVERSION_PASSES_TD
#define SIGATTN_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

//===----------------------------------------------------------------------===//
// SigAttnToLinalg
//===----------------------------------------------------------------------===//

def ConvertSigAttnToLinalg : Pass<"convert-sigattn-to-linalg"> {
  let summary = "Expand sigattn.attention and sigattn.attention_grad into their reference linalg computations";
  let description = [{
    Replaces every `sigattn.attention` by the computation that defines it,
    written in plain `linalg`, `tensor`, `arith` and `math` ops on tensors.
    The scores are materialized in f32, so this is the executable
    specification of the op, not a fast kernel:

    ```
    S[b, h, i, j] = sum_d  q[b, i, h, d] * k[b, j, h / g, d]          (f32)
    X             = scale * S + bias - slope[b?, h] * |i + Nk - Nq - j|
    P             = visible(i, j) ? 1 / (1 + exp(-X)) : 0
    O[b, i, h, e] = sum_j  P[b, h, i, j] * v[b, j, h / g, e]          (f32)
    result        = truncf(O)
    ```

    Before:

    ```mlir
    %o = sigattn.attention %q, %k, %v causal
      : tensor<1x4x2x8xbf16>, tensor<1x4x2x8xbf16>, tensor<1x4x2x8xbf16>
      -> tensor<1x4x2x8xbf16>
    ```

    After: a `linalg.generic` contraction for S, an elementwise
    `linalg.generic` that applies scale, bias, ALiBi, the mask and the
    sigmoid, a contraction for O and a `linalg.generic` truncation.

    `sigattn.attention_grad` expands the same way: S and P as above, then

    ```
    dV[b, j, kh, e] = sum_{gi, i} P[b, kh*g + gi, i, j] * dO[b, i, kh*g + gi, e]
    dP[b, h, i, j]  = sum_e  dO[b, i, h, e] * v[b, j, h / g, e]
    dS              = scale * dP * P * (1 - P)
    dQ[b, i, h, d]  = sum_j  dS[b, h, i, j] * k[b, j, h / g, d]
    dK[b, j, kh, d] = sum_{gi, i} dS[b, kh*g + gi, i, j] * q[b, i, kh*g + gi, d]
    ```

    all in f32 (the query heads split into [Hkv, g] by `tensor.expand_shape`
    for the sums over a group), each gradient truncated to the input
    element type.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect",
    "::mlir::tensor::TensorDialect",
  ];
}

//===----------------------------------------------------------------------===//
// SigAttnTilesToVector
//===----------------------------------------------------------------------===//

def ConvertSigAttnTilesToVector : Pass<"convert-sigattn-tiles-to-vector"> {
  let summary = "Lower sigattn tile ops to portable vector, arith and math ops";
  let description = [{
    The target-independent lowering of `sigattn.load_tile`,
    `sigattn.tile_step` and `sigattn.store_tile`: tiles move with
    `vector.transfer_read`/`transfer_write` (out-of-bounds rows padded with
    0 or not written), the two products are `vector.contract` in f32, and

    ```
    P = 1 / (1 + exp(-S))          S = scale * Q.K^T + bias - slope * |i + off - j|
    ```

    with, on `masked` tiles only, `P = select(j < Nk and visible(i, j), P, 0)`.
    This is the path the tiled loops take on the CPU, to check tiling and
    masking against the reference lowering without a GPU.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::math::MathDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::vector::VectorDialect",
  ];
}

//===----------------------------------------------------------------------===//
// SigAttnTilesToNVVM
//===----------------------------------------------------------------------===//

def ConvertSigAttnTilesToNVVM
    : Pass<"convert-sigattn-tiles-to-nvvm", "::mlir::ModuleOp"> {
  let summary = "Lower the tile ops of sigattn GPU kernels to tensor-core code (NVVM)";
  let description = [{
    Lowers `sigattn.load_tile`, the key/value ranges of `sigattn.tile_step`
    (unit-step loops of one step, or single steps where canonicalization
    folded a loop) and `sigattn.store_tile` inside each kernel of
    `gpu.module @sigattn_kernels` to NVVM and LLVM ops. The kernel IR is
    checked first: a `known_block_size` of (32 * num-warps, 1, 1), tile
    sizes of at most 1024 rows, one accumulator threaded from zero through
    the ranges to the store, steps that agree on everything but their tiles.
    With `mma=sync` (Ampere-style tensor cores, which H100 runs; `chip` one
    of sm_80, sm_86, sm_87, sm_89, sm_90, sm_90a):

    - the Q tile and each K and V tile move to shared memory with 16-byte
      `cp.async` (zero-filled past the end of the sequence), in a layout
      whose 16-byte chunks are XOR-swizzled by row so that `ldmatrix` is
      free of bank conflicts;
    - each warp owns 16 query rows per m-tile; `S = Q.K^T` and `O += P.V`
      are `mma.sync.m16n8k16` with f32 accumulators (bf16 operands as
      packed i32, f16 as `vector<2xf16>`); K's next tile loads while P.V
      runs and V's tile loads while Q.K^T runs;
    - `P = 0.5 * tanh.approx.f32(0.5 * S') + 0.5` in registers, with
      `S' = scale * S + bias - slope * |i + off - j|` folded into one FMA
      chain; element masks only in `masked` tile steps; no reduction;
    - P goes from the S accumulator layout to the A operand layout in
      registers; O is written once, in the input type, rows past Nq skipped.

    With `mma=wgmma` (Hopper, `chip=sm_90a`) the same tile ops become:

    - tiles in 64-column blocks of 128-byte rows with the 128-byte swizzle
      wgmma's descriptors name, loaded either by TMA when the kernel takes
      CUtensorMaps (`sigattn.tensor_maps`, from
      `sigattn-outline-gpu-kernels{loads=tma}`): thread 0 issues
      `cp.async.bulk.tensor` boxes of 64 columns completing on one mbarrier
      per K/V stage (and one for Q) at the end of the dynamic shared memory,
      every thread waits for the stage's phase; or by the same cp.async
      copies as mma=sync, each thread's copies made visible to the async
      proxy (`fence.proxy.async`) before the barrier. Stages alternate by a
      tile's position in the kernel's sequence of key/value tiles;
    - one warpgroup (4 warps) per 64 query rows (block-q = 16 x num-warps);
      `S = Q.K^T` by `wgmma.mma_async.m64n{block-k}k16` with Q and K from
      shared-memory descriptors (K-major), one per 16 columns of D;
    - the sigmoid and masks as with mma=sync (the accumulator layouts agree);
    - `O += P.V` by `wgmma.m64n{Dv}k16` with P packed from S's registers as
      the A operand and V by an MN-major (transposed) descriptor; inline PTX
      (MLIR 22 has no NVVM op for register-A wgmma), each batch fenced,
      committed and waited for, its registers tied to the wait.

    A kernel from `sigattn-outline-gpu-kernels{schedule=specialized}`
    (`sigattn.producer_warps = 4`, `sigattn.kv_stages`, TMA loads) is
    warp-specialized: it splits once, at its first key/value range, into a
    producer warpgroup (`setmaxnreg` down to 24) whose first thread issues
    every tile's loads into a ring of `kv_stages` stages, each after the
    stage's "empty" mbarrier says the computing warps released it, and the
    computing warps (`setmaxnreg` up, `.maxnreg` and `.minnctapersm` on the
    kernel), which wait on the stage's "full" mbarrier, issue S of the next
    tile before the sigmoid and P.V of this one (with 3 or more stages),
    and release the stage after their last wgmma of it; no block barrier
    per tile. With `pingpong` (3 or more stages) each computing warpgroup
    instead issues S(t + 1) and P.V(t) together in its turn (named
    barrier 1 + its index, `bar.sync` 256 / `bar.arrive` on the next
    group's after the commit), then waits for S(t + 1) alone and computes
    its sigmoid while P.V(t) and the other groups' turns use the tensor
    cores; with one computing warpgroup there are no turns to take.

    With `poly-sigmoid=k` (either generation), k of every 8 scores of each
    thread take `P = 1 / (1 + 2^t)`, `t = -log2(e) * S'`, evaluated on the
    FMA pipe (a degree-3 polynomial for 2^f, the exponent added as an
    integer, two Newton steps for the reciprocal; absolute error at most
    2.6e-5), the rest tanh.approx on the MUFU: at D = 64 the MUFU alone
    would take as long as the tensor cores.

    The kernel's block size is its `known_block_size`; the pass sets the
    launches' dynamic shared memory and records the kernel's configuration
    in a `sigattn.kernel` attribute on each launch.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::LLVM::LLVMDialect",
    "::mlir::NVVM::NVVMDialect",
    "::mlir::gpu::GPUDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::vector::VectorDialect",
  ];
  let options = [
    Option<"mma", "mma", "std::string", /*default=*/"\"sync\"",
           "Tensor-core instruction family: sync (mma.sync) or wgmma (Hopper)">,
    Option<"chip", "chip", "std::string", /*default=*/"\"sm_90a\"",
           "GPU the kernels are for (mma=sync: sm_80, sm_86, sm_87, sm_89, "
           "sm_90, sm_90a; mma=wgmma: sm_90a)">,
    Option<"pingpong", "pingpong", "bool", /*default=*/"false",
           "Warp-specialized kernels (mma=wgmma): the computing warpgroups "
           "take turns issuing S(t + 1) and P.V(t), and the sigmoid of "
           "t + 1 runs after the turn">,
    Option<"polySigmoid", "poly-sigmoid", "int64_t", /*default=*/"0",
           "How many of every 8 scores take the sigmoid on the FMA pipe "
           "(2^t by a polynomial, 1 / (1 + 2^t) by Newton steps) instead of "
           "tanh.approx on the MUFU (0 .. 8)">,
  ];
}

//===----------------------------------------------------------------------===//
// SigAttnTensorMapParams
//===----------------------------------------------------------------------===//

def SigAttnTensorMapParams : Pass<"sigattn-tensor-map-params",
                                  "::mlir::gpu::GPUModuleOp"> {
  let summary = "Make the CUtensorMap arguments of TMA kernels by-value grid constants";
  let description = [{
    Runs after `convert-gpu-to-nvvm`. A kernel with TMA loads lists its
    CUtensorMap arguments in `sigattn.tensor_maps` (set by
    `sigattn-outline-gpu-kernels{loads=tma}`). A `gpu.func` cannot give them
    the attributes they need (`nvvm.grid_constant` is only accepted on an
    `llvm.func` kernel, and `convert-gpu-to-nvvm` drops `llvm.byval`), so
    this pass puts them on the `llvm.func`:

    ```mlir
    %map: !llvm.ptr {llvm.byval = !llvm.array<128 x i8>, llvm.align = 64,
                     nvvm.grid_constant}
    ```

    which the NVPTX backend emits as `.param .align 64 .b8 map[128]`, read
    in place through `cvta.param` (no local copy, which TMA could not use).
    The `sigattn.tensor_maps` attribute is removed.
  }];
  let dependentDialects = [
    "::mlir::LLVM::LLVMDialect",
    "::mlir::NVVM::NVVMDialect",
  ];
}

#endif // SIGATTN_CONVERSION_PASSES_TD
