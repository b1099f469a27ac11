//===- Passes.td - sigattn conversion passes ---------------*- tablegen -*-===//

#ifndef SIGATTN_CONVERSION_PASSES_TD
#define SIGATTN_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

//===----------------------------------------------------------------------===//
// SigAttnToLinalg
//===----------------------------------------------------------------------===//

def ConvertSigAttnToLinalg : Pass<"convert-sigattn-to-linalg"> {
  let summary = "Expand sigattn.attention into its reference linalg computation";
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

#endif // SIGATTN_CONVERSION_PASSES_TD
