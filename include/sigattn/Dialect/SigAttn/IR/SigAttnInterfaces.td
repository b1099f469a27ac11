//===- SigAttnInterfaces.td - sigattn op interfaces --------*- tablegen -*-===//

#ifndef SIGATTN_DIALECT_SIGATTN_IR_SIGATTNINTERFACES_TD
#define SIGATTN_DIALECT_SIGATTN_IR_SIGATTNINTERFACES_TD

include "mlir/IR/OpBase.td"

def SigAttn_AttentionInterface : OpInterface<"AttentionInterface"> {
  let cppNamespace = "::mlir::sigattn";
  let description = [{
    What `sigattn.attention` and `sigattn.attention_grad` share: the q, k, v
    operands in FlashAttention's [B, N, H, D] layout, the ALiBi slopes, the
    scale and bias (attributes or f32 operands) and the mask (`causal`,
    `window`). Passes that only need the attention's definition (its mask,
    its grid, its scalars) take the interface and serve both ops.
  }];

  let methods = [
    InterfaceMethod<"The query, [B, Nq, Hq, D].", "::mlir::Value",
                    "getQuery", (ins), [{ return $_op.getQuery(); }]>,
    InterfaceMethod<"The key, [B, Nk, Hkv, D].", "::mlir::Value",
                    "getKey", (ins), [{ return $_op.getKey(); }]>,
    InterfaceMethod<"The value, [B, Nk, Hkv, Dv].", "::mlir::Value",
                    "getValue", (ins), [{ return $_op.getValue(); }]>,
    InterfaceMethod<"ALiBi slopes, [Hq] or [B, Hq] f32, or null.",
                    "::mlir::Value", "getAlibiSlopes", (ins),
                    [{ return $_op.getAlibiSlopes(); }]>,
    InterfaceMethod<"The f32 scale operand, or null.", "::mlir::Value",
                    "getScaleValue", (ins),
                    [{ return $_op.getScaleValue(); }]>,
    InterfaceMethod<"The f32 bias operand, or null.", "::mlir::Value",
                    "getBiasValue", (ins), [{ return $_op.getBiasValue(); }]>,
    InterfaceMethod<"The scale attribute, if any.",
                    "::std::optional<::llvm::APFloat>", "getScale", (ins),
                    [{ return $_op.getScale(); }]>,
    InterfaceMethod<"The bias attribute, if any.",
                    "::std::optional<::llvm::APFloat>", "getBias", (ins),
                    [{ return $_op.getBias(); }]>,
    InterfaceMethod<"True under the causal mask.", "bool", "getCausal",
                    (ins), [{ return $_op.getCausal(); }]>,
    InterfaceMethod<"The window [left, right], if any.",
                    "::std::optional<::llvm::ArrayRef<int64_t>>",
                    "getWindow", (ins), [{ return $_op.getWindow(); }]>,
  ];

  let extraSharedClassDeclaration = [{
    ::mlir::RankedTensorType getQueryType() {
      return ::llvm::cast<::mlir::RankedTensorType>(
          $_op.getQuery().getType());
    }
    ::mlir::RankedTensorType getKeyType() {
      return ::llvm::cast<::mlir::RankedTensorType>($_op.getKey().getType());
    }
    ::mlir::RankedTensorType getValueType() {
      return ::llvm::cast<::mlir::RankedTensorType>(
          $_op.getValue().getType());
    }

    /// Head dimension of q and k (D), and of v and the output (Dv).
    int64_t getHeadDim() { return getQueryType().getDimSize(3); }
    int64_t getValueHeadDim() { return getValueType().getDimSize(3); }
    /// Number of query heads (Hq) and key/value heads (Hkv).
    int64_t getNumQueryHeads() { return getQueryType().getDimSize(2); }
    int64_t getNumKVHeads() { return getKeyType().getDimSize(2); }
    /// Query heads per key/value head: g = Hq / Hkv.
    int64_t getGroupSize() { return getNumQueryHeads() / getNumKVHeads(); }

    /// The scale applied to q . k: the attribute, or 1 / sqrt(D) (without
    /// the attribute and the operand).
    float getEffectiveScale() {
      if (::std::optional<::llvm::APFloat> scale = $_op.getScale())
        return scale->convertToFloat();
      return ::mlir::sigattn::defaultScale(getHeadDim());
    }
    /// The bias added to every score: the attribute, or 0.
    float getEffectiveBias() {
      ::std::optional<::llvm::APFloat> bias = $_op.getBias();
      return bias ? bias->convertToFloat() : 0.0f;
    }
    /// The scale and the bias as f32 values at `b`'s insertion point: the
    /// operand, or a constant of the attribute (or default).
    ::mlir::Value getScaleAsValue(::mlir::OpBuilder &b) {
      return ::mlir::sigattn::scalarAsValue(b, $_op->getLoc(),
                                            $_op.getScaleValue(),
                                            getEffectiveScale());
    }
    ::mlir::Value getBiasAsValue(::mlir::OpBuilder &b) {
      return ::mlir::sigattn::scalarAsValue(b, $_op->getLoc(),
                                            $_op.getBiasValue(),
                                            getEffectiveBias());
    }
    /// The visible keys of query i are [i + off - left, i + off + right],
    /// off = Nk - Nq; a side of kUnboundedSide is unbounded. These fold
    /// `causal` and `window` together.
    int64_t getEffectiveLeft() {
      ::std::optional<::llvm::ArrayRef<int64_t>> window = $_op.getWindow();
      return window ? (*window)[0] : ::mlir::sigattn::kUnboundedSide;
    }
    int64_t getEffectiveRight() {
      // causal: j <= i + off, i.e. right = 0, whatever the window says.
      if ($_op.getCausal())
        return 0;
      ::std::optional<::llvm::ArrayRef<int64_t>> window = $_op.getWindow();
      return window ? (*window)[1] : ::mlir::sigattn::kUnboundedSide;
    }
    /// True when some key may be hidden from some query.
    bool hasMask() {
      return getEffectiveLeft() != ::mlir::sigattn::kUnboundedSide ||
             getEffectiveRight() != ::mlir::sigattn::kUnboundedSide;
    }
    /// True when the ALiBi slopes are given per (batch, head).
    bool hasBatchedAlibi() {
      ::mlir::Value slopes = $_op.getAlibiSlopes();
      return slopes &&
             ::llvm::cast<::mlir::RankedTensorType>(slopes.getType())
                     .getRank() == 2;
    }
  }];
}

def SigAttn_TileStepInterface : OpInterface<"TileStepInterface"> {
  let cppNamespace = "::mlir::sigattn";
  let description = [{
    A tile step of a band: a block owns a tile of rows (queries in the
    forward pass and for dQ, keys for dK and dV) and loops over tiles of
    columns (the other sequence). Column `c` is visible to row `r` iff

    ```
    r + off - left <= c <= r + off + right,   off = Ncols - Nrows
    ```

    in the row orientation: for rows of keys, `left` and `right` are the
    op's right and left sides (a key is seen by the queries at most `right`
    before and `left` after it). Tiling, skipping and boundary peeling only
    use this interface, so they serve every step the same way.
  }];

  let methods = [
    InterfaceMethod<"The first row of the block's tile.", "::mlir::Value",
                    "getRowStart">,
    InterfaceMethod<"Rows in the block's tile.", "int64_t", "getRowBlock">,
    InterfaceMethod<"The number of rows in the sequence (Nrows).",
                    "::mlir::Value", "getRowCount">,
    InterfaceMethod<"A [B, Ncols, H, D] memref the columns are read from: "
                    "its dimension 1 is Ncols.", "::mlir::Value",
                    "getColumnSource">,
    InterfaceMethod<"Columns in a tile.", "int64_t", "getColumnBlock">,
    InterfaceMethod<"The column tile this step processes.", "::mlir::Value",
                    "getColumnTile">,
    InterfaceMethod<"The window in the row orientation: left side.",
                    "int64_t", "getRowLeft">,
    InterfaceMethod<"The window in the row orientation: right side.",
                    "int64_t", "getRowRight">,
    InterfaceMethod<"True when the step applies element masks.", "bool",
                    "isMasked", (ins), [{ return $_op.getMasked(); }]>,
    InterfaceMethod<"Sets whether the step applies element masks.", "void",
                    "setMaskedFlag", (ins "bool":$masked),
                    [{ $_op.setMasked(masked); }]>,
    InterfaceMethod<"The window [left, right] in the op's (query) "
                    "orientation.", "::llvm::ArrayRef<int64_t>", "getWindow",
                    (ins), [{ return $_op.getWindow(); }]>,
    InterfaceMethod<"The f32 scale operand, or null.", "::mlir::Value",
                    "getScaleValue", (ins),
                    [{ return $_op.getScaleValue(); }]>,
    InterfaceMethod<"The f32 bias operand, or null.", "::mlir::Value",
                    "getBiasValue", (ins), [{ return $_op.getBiasValue(); }]>,
    InterfaceMethod<"The scale attribute, if any.",
                    "::std::optional<::llvm::APFloat>", "getScale", (ins),
                    [{ return $_op.getScale(); }]>,
    InterfaceMethod<"The bias attribute, if any.",
                    "::std::optional<::llvm::APFloat>", "getBias", (ins),
                    [{ return $_op.getBias(); }]>,
    InterfaceMethod<"The batch of the block.", "::mlir::Value", "getBatch",
                    (ins), [{ return $_op.getBatch(); }]>,
    InterfaceMethod<"The ALiBi slope of the block's head (f32), or null.",
                    "::mlir::Value", "getAlibiSlope", (ins),
                    [{ return $_op.getAlibiSlope(); }]>,
    InterfaceMethod<"The head of the column sources the step reads (the "
                    "kv head of keys and values; the query head of queries "
                    "and dO).", "::mlir::Value", "getColumnHead">,
    InterfaceMethod<"The [B, Ncols, H, dim] memrefs whose column tiles the "
                    "step reads, in the order of the step's operands (K, V; "
                    "or Q, dO).", "::llvm::SmallVector<::mlir::Value, 2>",
                    "getColumnSources">,
    InterfaceMethod<"The block's resident tiles of rows the step reads, in "
                    "the order of its operands (Q; Q, dO; or K, V).",
                    "::llvm::SmallVector<::mlir::Value, 2>", "getRowTiles">,
    InterfaceMethod<"The f32 accumulators the step updates, in the order "
                    "of its results.", "::llvm::SmallVector<::mlir::Value, 2>",
                    "getAccumulators">,
  ];

  let extraSharedClassDeclaration = [{
    /// The window's sides in the op's (query) orientation.
    int64_t getLeft() { return $_op.getWindow()[0]; }
    int64_t getRight() { return $_op.getWindow()[1]; }
    /// The scale and bias as f32 values at `b`'s insertion point: the
    /// operand, or a constant of the attribute (the verifier requires one
    /// of the two).
    ::mlir::Value getScaleAsValue(::mlir::OpBuilder &b) {
      ::std::optional<::llvm::APFloat> scale = $_op.getScale();
      return ::mlir::sigattn::scalarAsValue(
          b, $_op->getLoc(), $_op.getScaleValue(),
          scale ? scale->convertToFloat() : 0.0f);
    }
    ::mlir::Value getBiasAsValue(::mlir::OpBuilder &b) {
      ::std::optional<::llvm::APFloat> bias = $_op.getBias();
      return ::mlir::sigattn::scalarAsValue(
          b, $_op->getLoc(), $_op.getBiasValue(),
          bias ? bias->convertToFloat() : 0.0f);
    }
  }];
}

#endif // SIGATTN_DIALECT_SIGATTN_IR_SIGATTNINTERFACES_TD
