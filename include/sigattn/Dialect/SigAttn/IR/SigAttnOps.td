//===- SigAttnOps.td - sigattn operations ------------------*- tablegen -*-===//

#ifndef SIGATTN_DIALECT_SIGATTN_IR_SIGATTNOPS_TD
#define SIGATTN_DIALECT_SIGATTN_IR_SIGATTNOPS_TD

include "sigattn/Dialect/SigAttn/IR/SigAttnBase.td"
include "sigattn/Dialect/SigAttn/IR/SigAttnInterfaces.td"
include "mlir/IR/OpAsmInterface.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def SigAttn_AttentionOp : SigAttn_Op<"attention", [
    Pure,
    AttrSizedOperandSegments,
    SigAttn_AttentionInterface,
    DeclareOpInterfaceMethods<ReifyRankedShapedTypeOpInterface, ["reifyResultShapes"]>]> {
  let summary = "Sigmoid attention over [B, N, H, D] tensors";
  let description = [{
    Computes sigmoid attention in FlashAttention's layout:

    ```
    q      : [B, Nq, Hq,  D ]     k : [B, Nk, Hkv, D]     v : [B, Nk, Hkv, Dv]
    result : [B, Nq, Hq,  Dv]

    result[b, i, h, :] = sum over visible j of
        sigmoid(scale * q[b, i, h, :] . k[b, j, h / g, :] + bias
                - slope[b?, h] * |i + Nk - Nq - j|)  *  v[b, j, h / g, :]
    ```

    where `g = Hq / Hkv` (grouped-query attention; `Hkv = 1` is multi-query).
    `q`, `k` and `v` are all `bf16` or all `f16`; the result has the same
    element type. Arithmetic is in f32. Keys that are not visible contribute
    exactly 0, and a query row that sees no key produces 0.

    Visibility: with `off = Nk - Nq` (queries are aligned to the *end* of the
    keys, as in FlashAttention >= 2.1), key `j` is visible to query `i` iff

    ```
    i + off - left <= j <= i + off + right
    ```

    where a side equal to -1 is unbounded. `window = [left, right]` sets both
    sides; `causal` forces `right = 0`. Without either, every key is visible.

    Attributes and operands:
    - `alibi(%slopes : tensor<Hq x f32>)` or `tensor<B x Hq x f32>`: optional
      ALiBi slopes, per head or per (batch, head). The score of query `i` and
      key `j` is lowered by `slope * |i + off - j|`.
    - `scale`: multiplies `q . k`; when absent it is `1 / sqrt(D)`.
    - `bias`: added to every score (often `-log(Nk)`); default 0.
    - `scale(%s : f32)`, `bias(%b : f32)`: the same as f32 values known at
      run time (one compiled kernel serves every N); each is given as an
      attribute or as an operand, not both. A constant operand folds into
      the attribute.
    - `causal`: bottom-right aligned causal mask.
    - `window = [left, right]`: sliding window, each side >= 0 or -1.

    `B`, `Nq` and `Nk` may be dynamic; head counts and head dims are static.

    Example:

    ```mlir
    %o = sigattn.attention %q, %k, %v alibi(%s : tensor<16xf32>) causal
           window = [256, 0] scale = 0.125 bias = -8.0
         : tensor<?x?x16x128xbf16>, tensor<?x?x4x128xbf16>,
           tensor<?x?x4x128xbf16> -> tensor<?x?x16x128xbf16>
    ```
  }];

  let arguments = (ins
    AnyRankedTensor:$query,
    AnyRankedTensor:$key,
    AnyRankedTensor:$value,
    Optional<AnyRankedTensor>:$alibi_slopes,
    Optional<F32>:$scale_value,
    Optional<F32>:$bias_value,
    OptionalAttr<F32Attr>:$scale,
    OptionalAttr<F32Attr>:$bias,
    UnitAttr:$causal,
    OptionalAttr<DenseI64ArrayAttr>:$window);
  let results = (outs AnyRankedTensor:$result);

  let assemblyFormat = [{
    $query `,` $key `,` $value
    (`alibi` `(` $alibi_slopes^ `:` type($alibi_slopes) `)`)?
    (`causal` $causal^)?
    (`window` `=` $window^)?
    `` custom<ScaleOperand>($scale, $scale_value)
    `` custom<BiasOperand>($bias, $bias_value)
    attr-dict `:` type($query) `,` type($key) `,` type($value)
    `->` type($result)
  }];

  let builders = [
    /// Builds the op with the result type derived from the operands.
    OpBuilder<(ins "Value":$query, "Value":$key, "Value":$value,
                   CArg<"Value", "{}">:$alibiSlopes,
                   CArg<"std::optional<float>", "std::nullopt">:$scale,
                   CArg<"float", "0.0f">:$bias,
                   CArg<"bool", "false">:$causal,
                   CArg<"std::optional<std::pair<int64_t, int64_t>>",
                        "std::nullopt">:$window,
                   CArg<"Value", "{}">:$scaleValue,
                   CArg<"Value", "{}">:$biasValue)>
  ];

  let extraClassDeclaration = [{
    /// Sentinel for an unbounded side of the visibility window.
    static constexpr int64_t kUnbounded = kUnboundedSide;

    RankedTensorType getResultType() { return getResult().getType(); }
  }];

  let hasVerifier = 1;
  let hasCanonicalizer = 1;
}


def SigAttn_AttentionGradOp : SigAttn_Op<"attention_grad", [
    Pure,
    AttrSizedOperandSegments,
    SigAttn_AttentionInterface,
    DeclareOpInterfaceMethods<OpAsmOpInterface, ["getAsmResultNames"]>,
    DeclareOpInterfaceMethods<ReifyRankedShapedTypeOpInterface, ["reifyResultShapes"]>]> {
  let summary = "Gradients of sigmoid attention with respect to q, k and v";
  let description = [{
    The backward pass of `sigattn.attention` with the same operands,
    attributes and mask: given the gradient `dO` of a loss with respect to
    the attention's output, it returns the gradients `dq`, `dk`, `dv` with
    respect to `q`, `k`, `v` (shaped like them).

    ```
    q  : [B, Nq, Hq, D]     k  : [B, Nk, Hkv, D]    v  : [B, Nk, Hkv, Dv]
    dO : [B, Nq, Hq, Dv]
    dq : [B, Nq, Hq, D]     dk : [B, Nk, Hkv, D]    dv : [B, Nk, Hkv, Dv]
    ```

    With `S` the scores and `P = sigmoid(S)` of the forward op (0 where key
    `j` is not visible to query `i`), per batch and query head `h` (key/value
    head `h / g`):

    ```
    dV = P^T . dO                      (summed over the g query heads of h / g)
    dP = dO . V^T
    dS = dP * P * (1 - P)              (element-wise; 0 where masked)
    dQ = scale * dS . K
    dK = scale * dS^T . Q              (summed over the g query heads of h / g)
    ```

    Unlike softmax attention there is no log-sum-exp to keep from the
    forward pass and no `rowsum(dO * O)` term: the op needs only q, k, v and
    dO. Arithmetic is in f32; the results have the element type of the
    inputs. The scale, bias and ALiBi slopes are constants of the
    differentiation: no gradient is returned for them.

    Example:

    ```mlir
    %dq, %dk, %dv = sigattn.attention_grad %q, %k, %v, %do causal
                      scale = 0.125 bias = -8.0
        : tensor<?x?x16x128xbf16>, tensor<?x?x4x128xbf16>,
          tensor<?x?x4x128xbf16>, tensor<?x?x16x128xbf16>
        -> tensor<?x?x16x128xbf16>, tensor<?x?x4x128xbf16>,
           tensor<?x?x4x128xbf16>
    ```
  }];

  let arguments = (ins
    AnyRankedTensor:$query,
    AnyRankedTensor:$key,
    AnyRankedTensor:$value,
    AnyRankedTensor:$grad_output,
    Optional<AnyRankedTensor>:$alibi_slopes,
    Optional<F32>:$scale_value,
    Optional<F32>:$bias_value,
    OptionalAttr<F32Attr>:$scale,
    OptionalAttr<F32Attr>:$bias,
    UnitAttr:$causal,
    OptionalAttr<DenseI64ArrayAttr>:$window);
  let results = (outs AnyRankedTensor:$query_grad,
                      AnyRankedTensor:$key_grad,
                      AnyRankedTensor:$value_grad);

  let assemblyFormat = [{
    $query `,` $key `,` $value `,` $grad_output
    (`alibi` `(` $alibi_slopes^ `:` type($alibi_slopes) `)`)?
    (`causal` $causal^)?
    (`window` `=` $window^)?
    `` custom<ScaleOperand>($scale, $scale_value)
    `` custom<BiasOperand>($bias, $bias_value)
    attr-dict `:` type($query) `,` type($key) `,` type($value) `,`
    type($grad_output)
    `->` type($query_grad) `,` type($key_grad) `,` type($value_grad)
  }];

  let builders = [
    /// Builds the op with the result types of q, k and v.
    OpBuilder<(ins "Value":$query, "Value":$key, "Value":$value,
                   "Value":$gradOutput,
                   CArg<"Value", "{}">:$alibiSlopes,
                   CArg<"std::optional<float>", "std::nullopt">:$scale,
                   CArg<"float", "0.0f">:$bias,
                   CArg<"bool", "false">:$causal,
                   CArg<"std::optional<std::pair<int64_t, int64_t>>",
                        "std::nullopt">:$window,
                   CArg<"Value", "{}">:$scaleValue,
                   CArg<"Value", "{}">:$biasValue)>
  ];

  let extraClassDeclaration = [{
    RankedTensorType getGradOutputType() { return getGradOutput().getType(); }
  }];

  let hasVerifier = 1;
  let hasCanonicalizer = 1;
}


//===----------------------------------------------------------------------===//
// Tile-level ops
//===----------------------------------------------------------------------===//
//
// What the tiling and masking passes produce, and what every backend lowers
// (the portable vector lowering, mma.sync, wgmma). A tile value is a
// block-level 2-D vector; how its elements are spread over threads and
// registers is the backend's choice. Memory operands are [B, N, H, D]
// memrefs.

def SigAttn_TileElementType : AnyTypeOf<[BF16, F16]>;

def SigAttn_LoadTileOp : SigAttn_Op<"load_tile", [
    MemoryEffects<[MemRead]>]> {
  let summary = "Load a [rows, D] tile of one head, zero past the end";
  let description = [{
    `%t = sigattn.load_tile %src[%b, %n0, %h]` reads
    `t[r, d] = src[b, n0 + r, h, d]` for `n0 + r < N` and 0 past the end of
    the sequence. The tile covers the whole head dimension D. An f32 source
    (the dQ accumulator of `sigattn-tile{dq=reduce}`) gives an f32 tile.

    ```mlir
    %q = sigattn.load_tile %query[%b, %q0, %h]
        : memref<?x?x8x64xbf16> -> vector<64x64xbf16>
    ```
  }];
  let arguments = (ins MemRefRankOf<[BF16, F16, F32], [4]>:$source,
                       Index:$batch, Index:$row_start, Index:$head);
  let results = (outs VectorOfRankAndType<[2], [BF16, F16, F32]>:$result);
  let assemblyFormat = [{
    $source `[` $batch `,` $row_start `,` $head `]` attr-dict
    `:` type($source) `->` type($result)
  }];
  let hasVerifier = 1;
}

def SigAttn_TileStepOp : SigAttn_Op<"tile_step", [
    MemoryEffects<[MemRead]>,
    AttrSizedOperandSegments,
    AllTypesMatch<["acc", "result"]>,
    DeclareOpInterfaceMethods<SigAttn_TileStepInterface>]> {
  let summary = "One key/value tile of sigmoid attention: acc += P . V";
  let description = [{
    Processes key/value tile `k_tile` (keys `j = k_tile * block_k + c`,
    `c < block_k`) for the query tile whose row `r` is query
    `i = q_start + r`:

    ```
    S[r, c]   = scale * q_tile[r, :] . key[b, j, kv_head, :] + bias
                - alibi_slope * |i + Nk - seq_q - j|
    P[r, c]   = sigmoid(S[r, c])
    acc[r, e] += sum_c P[r, c] * value[b, j, kv_head, e]
    ```

    `Nk` is dimension 1 of `key`, `seq_q` the number of queries Nq. With
    `masked`, `P[r, c]` is 0 unless `j < Nk` and key `j` is visible to query
    `i` under `window = [left, right]` (causal already folded in: a side of
    -1 is unbounded). Without `masked` the producer guarantees that every key
    of the tile is in bounds and visible to every query row `i < seq_q`; the
    lowering applies no element mask. Rows with `i >= seq_q` are never
    stored and may hold anything.

    The tile sizes are the query tile's rows (Bq), `block_k` (Bk), the head
    dimension D (`q_tile` columns) and Dv (`acc` columns). `scale` and
    `bias` are each an attribute (`scale = 0.125`) or an f32 operand
    (`scale(%s : f32)`), exactly one of the two.
  }];
  let arguments = (ins
    VectorOfRankAndType<[2], [BF16, F16]>:$q_tile,
    MemRefRankOf<[BF16, F16], [4]>:$key,
    MemRefRankOf<[BF16, F16], [4]>:$value,
    VectorOfRankAndType<[2], [F32]>:$acc,
    Index:$batch, Index:$kv_head, Index:$q_start, Index:$k_tile,
    Index:$seq_q,
    Optional<F32>:$alibi_slope,
    Optional<F32>:$scale_value,
    Optional<F32>:$bias_value,
    ConfinedAttr<I64Attr, [IntPositive]>:$block_k,
    DenseI64ArrayAttr:$window,
    OptionalAttr<F32Attr>:$scale,
    OptionalAttr<F32Attr>:$bias,
    UnitAttr:$masked);
  let results = (outs VectorOfRankAndType<[2], [F32]>:$result);
  let assemblyFormat = [{
    $q_tile `,` $key `,` $value `,` $acc
    `[` $batch `,` $kv_head `,` $q_start `,` $k_tile `]`
    `seq_q` `=` $seq_q
    (`alibi` `(` $alibi_slope^ `)`)?
    (`masked` $masked^)?
    `block_k` `=` $block_k `window` `=` $window
    `` custom<ScaleOperand>($scale, $scale_value)
    `` custom<BiasOperand>($bias, $bias_value)
    attr-dict `:` type($q_tile) `,` type($key) `,` type($value) `,` type($acc)
  }];
  let extraClassDeclaration = [{
    int64_t getBlockQ() { return getQTile().getType().getDimSize(0); }
  }];
  let hasVerifier = 1;
}

def SigAttn_GradQStepOp : SigAttn_Op<"grad_q_step", [
    MemoryEffects<[MemRead]>,
    AttrSizedOperandSegments,
    AllTypesMatch<["acc", "result"]>,
    DeclareOpInterfaceMethods<SigAttn_TileStepInterface>]> {
  let summary = "One key/value tile of the dQ pass: acc += scale * dS . K";
  let description = [{
    The backward pass's step over key/value tile `k_tile` for the query
    tile whose row `r` is query `i = q_start + r` (rows: queries, columns:
    keys `j = k_tile * block_k + c`), with `S` and `P` as in
    `sigattn.tile_step`:

    ```
    dP[r, c]  = do_tile[r, :] . value[b, j, kv_head, :]
    dS[r, c]  = dP[r, c] * P[r, c] * (1 - P[r, c])
    acc[r, d] += scale * sum_c dS[r, c] * key[b, j, kv_head, d]
    ```

    `do_tile` holds the rows of dO for the same queries. `masked`, `window`,
    `seq_q`, the scale, bias and ALiBi slope mean what they mean for
    `sigattn.tile_step`: without `masked` every key of the tile is in bounds
    and visible to every valid row.
  }];
  let arguments = (ins
    VectorOfRankAndType<[2], [BF16, F16]>:$q_tile,
    VectorOfRankAndType<[2], [BF16, F16]>:$do_tile,
    MemRefRankOf<[BF16, F16], [4]>:$key,
    MemRefRankOf<[BF16, F16], [4]>:$value,
    VectorOfRankAndType<[2], [F32]>:$acc,
    Index:$batch, Index:$kv_head, Index:$q_start, Index:$k_tile,
    Index:$seq_q,
    Optional<F32>:$alibi_slope,
    Optional<F32>:$scale_value,
    Optional<F32>:$bias_value,
    ConfinedAttr<I64Attr, [IntPositive]>:$block_k,
    DenseI64ArrayAttr:$window,
    OptionalAttr<F32Attr>:$scale,
    OptionalAttr<F32Attr>:$bias,
    UnitAttr:$masked);
  let results = (outs VectorOfRankAndType<[2], [F32]>:$result);
  let assemblyFormat = [{
    $q_tile `,` $do_tile `,` $key `,` $value `,` $acc
    `[` $batch `,` $kv_head `,` $q_start `,` $k_tile `]`
    `seq_q` `=` $seq_q
    (`alibi` `(` $alibi_slope^ `)`)?
    (`masked` $masked^)?
    `block_k` `=` $block_k `window` `=` $window
    `` custom<ScaleOperand>($scale, $scale_value)
    `` custom<BiasOperand>($bias, $bias_value)
    attr-dict `:` type($q_tile) `,` type($do_tile) `,` type($key) `,`
    type($value) `,` type($acc)
  }];
  let extraClassDeclaration = [{
    int64_t getBlockQ() { return getQTile().getType().getDimSize(0); }
  }];
  let hasVerifier = 1;
}

def SigAttn_GradKVStepOp : SigAttn_Op<"grad_kv_step", [
    MemoryEffects<[MemRead, MemWrite]>,
    AttrSizedOperandSegments,
    AllTypesMatch<["dk_acc", "dk"]>,
    AllTypesMatch<["dv_acc", "dv"]>,
    DeclareOpInterfaceMethods<SigAttn_TileStepInterface>]> {
  let summary = "One query tile of the dK, dV pass";
  let description = [{
    The backward pass's step over query tile `q_tile` for the key/value
    tile whose row `r` is key `j = k_start + r` (rows: keys, columns:
    queries `i = q_tile * block_q + c` of query head `head`):

    ```
    S[r, c]   = scale * k_tile[r, :] . query[b, i, head, :] + bias
                - alibi_slope * |i + seq_k - Nq - j|
    P[r, c]   = sigmoid(S[r, c])
    dP[r, c]  = v_tile[r, :] . grad_output[b, i, head, :]
    dS[r, c]  = dP[r, c] * P[r, c] * (1 - P[r, c])
    dv_acc[r, e] += sum_c P[r, c] * grad_output[b, i, head, e]
    dk_acc[r, d] += scale * sum_c dS[r, c] * query[b, i, head, d]
    ```

    `Nq` is dimension 1 of `query`, `seq_k` the number of keys Nk. With
    `masked`, `P[r, c]` (and so `dS[r, c]`) is 0 unless `i < Nq` and key `j`
    is visible to query `i` under `window = [left, right]` (the op's window,
    in the query orientation). Without `masked` the producer guarantees that
    every query of the tile is in bounds and sees every valid row `j < Nk`.
    Rows with `j >= seq_k` are never stored and may hold anything.

    With `dq(%accum : memref<B x Nq x Hq x D x f32>)` the step also adds the
    tile's share of dQ: for the queries `i < Nq` of the tile,

    ```
    accum[b, i, head, d] += scale * sum_r dS[r, c] * k_tile[r, d]
    ```

    (rows `j >= seq_k` contribute nothing). Steps of different blocks add
    to the same elements; in which order is not specified.
  }];
  let arguments = (ins
    VectorOfRankAndType<[2], [BF16, F16]>:$k_tile,
    VectorOfRankAndType<[2], [BF16, F16]>:$v_tile,
    MemRefRankOf<[BF16, F16], [4]>:$query,
    MemRefRankOf<[BF16, F16], [4]>:$grad_output,
    VectorOfRankAndType<[2], [F32]>:$dk_acc,
    VectorOfRankAndType<[2], [F32]>:$dv_acc,
    Index:$batch, Index:$head, Index:$k_start, Index:$q_tile,
    Index:$seq_k,
    Optional<MemRefRankOf<[F32], [4]>>:$dq_accum,
    Optional<F32>:$alibi_slope,
    Optional<F32>:$scale_value,
    Optional<F32>:$bias_value,
    ConfinedAttr<I64Attr, [IntPositive]>:$block_q,
    DenseI64ArrayAttr:$window,
    OptionalAttr<F32Attr>:$scale,
    OptionalAttr<F32Attr>:$bias,
    UnitAttr:$masked);
  let results = (outs VectorOfRankAndType<[2], [F32]>:$dk,
                      VectorOfRankAndType<[2], [F32]>:$dv);
  let assemblyFormat = [{
    $k_tile `,` $v_tile `,` $query `,` $grad_output `,` $dk_acc `,` $dv_acc
    `[` $batch `,` $head `,` $k_start `,` $q_tile `]`
    `seq_k` `=` $seq_k
    (`dq` `(` $dq_accum^ `:` type($dq_accum) `)`)?
    (`alibi` `(` $alibi_slope^ `)`)?
    (`masked` $masked^)?
    `block_q` `=` $block_q `window` `=` $window
    `` custom<ScaleOperand>($scale, $scale_value)
    `` custom<BiasOperand>($bias, $bias_value)
    attr-dict `:` type($k_tile) `,` type($v_tile) `,` type($query) `,`
    type($grad_output) `,` type($dk_acc) `,` type($dv_acc)
  }];
  let extraClassDeclaration = [{
    int64_t getBlockK() { return getKTile().getType().getDimSize(0); }
  }];
  let hasVerifier = 1;
}

def SigAttn_StoreTileOp : SigAttn_Op<"store_tile", [
    MemoryEffects<[MemWrite]>]> {
  let summary = "Store an f32 [rows, Dv] tile of one head, up to the end";
  let description = [{
    `sigattn.store_tile %acc, %dst[%b, %n0, %h]` writes
    `dst[b, n0 + r, h, e] = truncf(acc[r, e])` for `n0 + r < N`; rows past
    the end of the sequence are not written.

    ```mlir
    sigattn.store_tile %acc, %out[%b, %q0, %h]
        : vector<64x64xf32>, memref<?x?x8x64xbf16>
    ```
  }];
  let arguments = (ins VectorOfRankAndType<[2], [F32]>:$tile,
                       MemRefRankOf<[BF16, F16], [4]>:$dest,
                       Index:$batch, Index:$row_start, Index:$head);
  let assemblyFormat = [{
    $tile `,` $dest `[` $batch `,` $row_start `,` $head `]` attr-dict
    `:` type($tile) `,` type($dest)
  }];
  let hasVerifier = 1;
}

#endif // SIGATTN_DIALECT_SIGATTN_IR_SIGATTNOPS_TD
