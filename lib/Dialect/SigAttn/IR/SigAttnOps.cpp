//===- SigAttnOps.cpp - sigattn operations --------------------------------===//

#include "sigattn/Dialect/SigAttn/IR/SigAttnOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>

using namespace mlir;
using namespace mlir::sigattn;

//===----------------------------------------------------------------------===//
// Custom directives: `scale = 0.125` or `scale(%s : f32)`, the same for bias
//===----------------------------------------------------------------------===//

/// Parses `keyword = <float>` into `attr` or `keyword(%v : f32)` into
/// `value`; neither when the keyword is absent.
static ParseResult
parseScalarOrValue(OpAsmParser &parser, StringRef keyword, FloatAttr &attr,
                   std::optional<OpAsmParser::UnresolvedOperand> &value) {
  if (failed(parser.parseOptionalKeyword(keyword)))
    return success();
  if (succeeded(parser.parseOptionalEqual())) {
    Attribute parsed;
    SMLoc loc = parser.getCurrentLocation();
    if (parser.parseAttribute(parsed, parser.getBuilder().getF32Type()))
      return failure();
    attr = dyn_cast<FloatAttr>(parsed);
    if (!attr)
      return parser.emitError(loc) << "expects an f32 " << keyword;
    return success();
  }
  OpAsmParser::UnresolvedOperand operand;
  Type type;
  if (parser.parseLParen() || parser.parseOperand(operand) ||
      parser.parseColon())
    return failure();
  SMLoc typeLoc = parser.getCurrentLocation();
  if (parser.parseType(type) || parser.parseRParen())
    return failure();
  if (!type.isF32())
    return parser.emitError(typeLoc)
           << "expects the " << keyword << " operand to be f32, got " << type;
  value = operand;
  return success();
}

static void printScalarOrValue(OpAsmPrinter &printer, StringRef keyword,
                               FloatAttr attr, Value value, bool elideZero) {
  if (value) {
    printer << ' ' << keyword << '(' << value << " : " << value.getType()
            << ')';
    return;
  }
  if (!attr || (elideZero && attr.getValue().isPosZero()))
    return;
  printer << ' ' << keyword << " = ";
  printer.printAttributeWithoutType(attr);
}

static ParseResult
parseScaleOperand(OpAsmParser &parser, FloatAttr &attr,
                  std::optional<OpAsmParser::UnresolvedOperand> &value) {
  return parseScalarOrValue(parser, "scale", attr, value);
}
static void printScaleOperand(OpAsmPrinter &printer, Operation *,
                              FloatAttr attr, Value value) {
  printScalarOrValue(printer, "scale", attr, value, /*elideZero=*/false);
}
static ParseResult
parseBiasOperand(OpAsmParser &parser, FloatAttr &attr,
                 std::optional<OpAsmParser::UnresolvedOperand> &value) {
  return parseScalarOrValue(parser, "bias", attr, value);
}
static void printBiasOperand(OpAsmPrinter &printer, Operation *op,
                             FloatAttr attr, Value value) {
  // The attention op's bias defaults to 0 and is not printed then; the
  // tile step's is always there.
  printScalarOrValue(printer, "bias", attr, value,
                     /*elideZero=*/isa<AttentionInterface>(op));
}

#define GET_OP_CLASSES
#include "sigattn/Dialect/SigAttn/IR/SigAttnOps.cpp.inc"

/// A scale or bias is an attribute or an operand, not both; the attribute,
/// if any, is finite (`required`: one of the two must be there).
static LogicalResult verifyScalar(Operation *op, StringRef name,
                                  std::optional<APFloat> attr, Value value,
                                  bool required) {
  if (attr && value)
    return op->emitOpError() << "expects " << name
                             << " as an attribute or as an operand, not both";
  if (required && !attr && !value)
    return op->emitOpError()
           << "expects a " << name << " (an attribute or an f32 operand)";
  if (attr && !attr->isFinite())
    return op->emitOpError()
           << "expects a finite " << name << ", got " << attr->convertToFloat();
  return success();
}

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

/// Prints a shape as "[2, ?, 8, 64]".
static std::string formatShape(ArrayRef<int64_t> shape) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << '[';
  llvm::interleaveComma(shape, os, [&](int64_t d) {
    if (ShapedType::isDynamic(d))
      os << '?';
    else
      os << d;
  });
  os << ']';
  return s;
}

static std::string formatDim(int64_t d) {
  return ShapedType::isDynamic(d) ? std::string("?") : std::to_string(d);
}

/// Two sizes agree unless both are static and different.
static bool sizesCompatible(int64_t a, int64_t b) {
  return ShapedType::isDynamic(a) || ShapedType::isDynamic(b) || a == b;
}

//===----------------------------------------------------------------------===//
// Verification shared by the attention ops
//===----------------------------------------------------------------------===//

namespace {
/// The four [B, N, H, D] layouts of the attention ops' tensors.
enum class Layout { Query, Key, Value, Output };

/// A tensor of an attention op other than q, k, v, and the layout it has.
struct ShapedLike {
  StringRef name;
  RankedTensorType type;
  Layout layout;
};
} // namespace

static StringRef layoutName(Layout layout) {
  switch (layout) {
  case Layout::Query:
    return "[B, Nq, Hq, D]";
  case Layout::Key:
    return "[B, Nk, Hkv, D]";
  case Layout::Value:
    return "[B, Nk, Hkv, Dv]";
  case Layout::Output:
    return "[B, Nq, Hq, Dv]";
  }
  llvm_unreachable("unknown layout");
}

/// Verifies q, k, v, the ALiBi slopes, the mask and the scalars of `op`,
/// and that each of `others` (results, dO) has its layout's shape and the
/// query element type.
static LogicalResult verifyAttention(AttentionInterface op,
                                     ArrayRef<ShapedLike> others) {
  // Step 1. Ranks and element types.
  SmallVector<ShapedLike> tensors = {
      {"query", op.getQueryType(), Layout::Query},
      {"key", op.getKeyType(), Layout::Key},
      {"value", op.getValueType(), Layout::Value}};
  llvm::append_range(tensors, others);
  for (const ShapedLike &t : tensors) {
    if (t.type.getRank() != 4)
      return op->emitOpError()
             << "expects " << t.name << " to have rank 4 "
             << layoutName(t.layout) << ", got rank " << t.type.getRank();
  }
  Type elementType = op.getQueryType().getElementType();
  if (!elementType.isBF16() && !elementType.isF16())
    return op->emitOpError()
           << "expects query element type to be bf16 or f16, got "
           << elementType;
  for (const ShapedLike &t : ArrayRef(tensors).drop_front()) {
    if (t.type.getElementType() != elementType)
      return op->emitOpError()
             << "expects " << t.name << " element type ("
             << t.type.getElementType() << ") to match the query element type ("
             << elementType << ")";
  }

  // Step 2. Head counts and head dims are static and positive.
  struct StaticDim {
    StringRef what;
    StringRef tensor;
    int64_t size;
    int dim;
  };
  StaticDim staticDims[] = {
      {"number of query heads Hq", "query", op.getNumQueryHeads(), 2},
      {"head dimension D", "query", op.getHeadDim(), 3},
      {"number of key/value heads Hkv", "key", op.getNumKVHeads(), 2},
      {"head dimension D", "key", op.getKeyType().getDimSize(3), 3},
      {"number of key/value heads Hkv", "value",
       op.getValueType().getDimSize(2), 2},
      {"value head dimension Dv", "value", op.getValueHeadDim(), 3}};
  for (const StaticDim &d : staticDims) {
    if (ShapedType::isDynamic(d.size))
      return op->emitOpError()
             << "expects a static " << d.what << " (dimension " << d.dim
             << " of " << d.tensor << ")";
    if (d.size <= 0)
      return op->emitOpError()
             << "expects a positive " << d.what << " (dimension " << d.dim
             << " of " << d.tensor << "), got " << d.size;
  }

  // Step 3. Static batch and sequence sizes are at least 1, and sizes shared
  // between operands agree.
  ArrayRef<int64_t> q = op.getQueryType().getShape();
  ArrayRef<int64_t> k = op.getKeyType().getShape();
  ArrayRef<int64_t> v = op.getValueType().getShape();
  StaticDim sizes[] = {{"batch size B", "query", q[0], 0},
                       {"sequence length Nq", "query", q[1], 1},
                       {"sequence length Nk", "key", k[1], 1}};
  for (const StaticDim &d : sizes) {
    if (!ShapedType::isDynamic(d.size) && d.size < 1)
      return op->emitOpError()
             << "expects a positive " << d.what << " (dimension " << d.dim
             << " of " << d.tensor << "), got " << d.size;
  }
  struct Match {
    StringRef what;
    StringRef lhs;
    int64_t lhsSize;
    StringRef rhs;
    int64_t rhsSize;
  };
  Match matches[] = {{"batch size B", "key", k[0], "query", q[0]},
                     {"batch size B", "value", v[0], "key", k[0]},
                     {"head dimension D", "key", k[3], "query", q[3]},
                     {"sequence length Nk", "value", v[1], "key", k[1]},
                     {"head count Hkv", "value", v[2], "key", k[2]}};
  for (const Match &m : matches) {
    if (!sizesCompatible(m.lhsSize, m.rhsSize))
      return op->emitOpError()
             << "expects " << m.lhs << " " << m.what << " ("
             << formatDim(m.lhsSize) << ") to match " << m.rhs << " " << m.what
             << " (" << formatDim(m.rhsSize) << ")";
  }
  if (op.getNumQueryHeads() % op.getNumKVHeads() != 0)
    return op->emitOpError()
           << "expects the number of query heads (" << op.getNumQueryHeads()
           << ") to be a multiple of the number of key/value heads ("
           << op.getNumKVHeads() << ")";

  // Step 4. Results and dO have their layout's shape.
  for (const ShapedLike &t : others) {
    SmallVector<int64_t, 4> expected;
    switch (t.layout) {
    case Layout::Query:
      expected.assign(q.begin(), q.end());
      break;
    case Layout::Key:
      expected.assign(k.begin(), k.end());
      break;
    case Layout::Value:
      expected.assign(v.begin(), v.end());
      break;
    case Layout::Output:
      expected = {q[0], q[1], q[2], v[3]};
      break;
    }
    ArrayRef<int64_t> shape = t.type.getShape();
    for (auto [e, r] : llvm::zip_equal(expected, shape)) {
      if (!sizesCompatible(e, r))
        return op->emitOpError()
               << "expects " << t.name << " shape " << formatShape(shape)
               << " to match " << layoutName(t.layout) << " = "
               << formatShape(expected);
    }
  }

  // Step 5. ALiBi slopes: f32, [Hq] or [B, Hq].
  if (Value slopes = op.getAlibiSlopes()) {
    auto type = cast<RankedTensorType>(slopes.getType());
    if (!type.getElementType().isF32())
      return op->emitOpError()
             << "expects alibi slopes of element type f32, got "
             << type.getElementType();
    if (type.getRank() != 1 && type.getRank() != 2)
      return op->emitOpError()
             << "expects alibi slopes of shape [Hq] or [B, Hq], got rank "
             << type.getRank();
    int64_t heads = type.getDimSize(type.getRank() - 1);
    if (!sizesCompatible(heads, op.getNumQueryHeads()))
      return op->emitOpError()
             << "expects alibi slopes to have one slope per query head ("
             << op.getNumQueryHeads() << "), got " << formatDim(heads);
    if (type.getRank() == 2 && !sizesCompatible(type.getDimSize(0), q[0]))
      return op->emitOpError()
             << "expects alibi slopes batch size ("
             << formatDim(type.getDimSize(0)) << ") to match query batch size ("
             << formatDim(q[0]) << ")";
  }

  // Step 6. Attributes.
  if (std::optional<ArrayRef<int64_t>> window = op.getWindow()) {
    if (window->size() != 2)
      return op->emitOpError()
             << "expects window to have 2 elements [left, right], got "
             << window->size();
    StringRef sides[] = {"left", "right"};
    for (auto [side, size] : llvm::zip_equal(sides, *window)) {
      if (size < kUnboundedSide)
        return op->emitOpError()
               << "expects window " << side
               << " to be non-negative or -1 (unbounded), got " << size;
    }
  }
  if (failed(verifyScalar(op, "scale", op.getScale(), op.getScaleValue(),
                          /*required=*/false)) ||
      failed(verifyScalar(op, "bias", op.getBias(), op.getBiasValue(),
                          /*required=*/false)))
    return failure();
  return success();
}

/// The sizes of a tensor shaped like operand `like` at `b`'s insertion
/// point: static sizes of `type`, and `like`'s sizes where `type` is dynamic.
static SmallVector<OpFoldResult> reifyLike(OpBuilder &b, Location loc,
                                           RankedTensorType type, Value like) {
  SmallVector<OpFoldResult> dims;
  for (int64_t i = 0; i < type.getRank(); ++i) {
    int64_t size = type.getDimSize(i);
    if (!ShapedType::isDynamic(size)) {
      dims.push_back(b.getIndexAttr(size));
      continue;
    }
    // Dynamic dims are B or N: static head counts and dims are enforced by
    // the verifier.
    dims.push_back(tensor::getMixedSize(b, loc, like, i));
  }
  return dims;
}

//===----------------------------------------------------------------------===//
// AttentionOp
//===----------------------------------------------------------------------===//

/// The scale and bias attributes a builder sets: none when the value is an
/// operand, and no bias of 0.
static std::pair<FloatAttr, FloatAttr> scalarAttrs(OpBuilder &b,
                                                   std::optional<float> scale,
                                                   float bias, Value scaleValue,
                                                   Value biasValue) {
  FloatAttr scaleAttr =
      scale && !scaleValue ? b.getF32FloatAttr(*scale) : FloatAttr();
  FloatAttr biasAttr =
      biasValue || bias == 0.0f ? FloatAttr() : b.getF32FloatAttr(bias);
  return {scaleAttr, biasAttr};
}

static DenseI64ArrayAttr
windowAttr(OpBuilder &b, std::optional<std::pair<int64_t, int64_t>> window) {
  if (!window)
    return DenseI64ArrayAttr();
  return b.getDenseI64ArrayAttr({window->first, window->second});
}

void AttentionOp::build(OpBuilder &b, OperationState &state, Value query,
                        Value key, Value value, Value alibiSlopes,
                        std::optional<float> scale, float bias, bool causal,
                        std::optional<std::pair<int64_t, int64_t>> window,
                        Value scaleValue, Value biasValue) {
  auto qType = cast<RankedTensorType>(query.getType());
  auto vType = cast<RankedTensorType>(value.getType());
  // result : [B, Nq, Hq, Dv]
  SmallVector<int64_t, 4> shape = {qType.getDimSize(0), qType.getDimSize(1),
                                   qType.getDimSize(2), vType.getDimSize(3)};
  auto resultType = RankedTensorType::get(shape, qType.getElementType());
  auto [scaleAttr, biasAttr] =
      scalarAttrs(b, scale, bias, scaleValue, biasValue);
  build(b, state, resultType, query, key, value, alibiSlopes, scaleValue,
        biasValue, scaleAttr, biasAttr, causal ? b.getUnitAttr() : UnitAttr(),
        windowAttr(b, window));
}

LogicalResult AttentionOp::verify() {
  return verifyAttention(*this, {{"result", getResultType(), Layout::Output}});
}

LogicalResult AttentionOp::reifyResultShapes(
    OpBuilder &b, ReifiedRankedShapedTypeDims &reifiedReturnShapes) {
  // result : [B, Nq, Hq, Dv]; B and Nq come from the query.
  reifiedReturnShapes.push_back(
      reifyLike(b, getLoc(), getResultType(), getQuery()));
  return success();
}

//===----------------------------------------------------------------------===//
// AttentionGradOp
//===----------------------------------------------------------------------===//

void AttentionGradOp::build(OpBuilder &b, OperationState &state, Value query,
                            Value key, Value value, Value gradOutput,
                            Value alibiSlopes, std::optional<float> scale,
                            float bias, bool causal,
                            std::optional<std::pair<int64_t, int64_t>> window,
                            Value scaleValue, Value biasValue) {
  auto [scaleAttr, biasAttr] =
      scalarAttrs(b, scale, bias, scaleValue, biasValue);
  build(b, state, query.getType(), key.getType(), value.getType(), query, key,
        value, gradOutput, alibiSlopes, scaleValue, biasValue, scaleAttr,
        biasAttr, causal ? b.getUnitAttr() : UnitAttr(), windowAttr(b, window));
}

void AttentionGradOp::getAsmResultNames(OpAsmSetValueNameFn setNameFn) {
  setNameFn(getQueryGrad(), "dq");
  setNameFn(getKeyGrad(), "dk");
  setNameFn(getValueGrad(), "dv");
}

LogicalResult AttentionGradOp::verify() {
  return verifyAttention(
      *this, {{"grad_output", getGradOutputType(), Layout::Output},
              {"query_grad", getQueryGrad().getType(), Layout::Query},
              {"key_grad", getKeyGrad().getType(), Layout::Key},
              {"value_grad", getValueGrad().getType(), Layout::Value}});
}

LogicalResult AttentionGradOp::reifyResultShapes(
    OpBuilder &b, ReifiedRankedShapedTypeDims &reifiedReturnShapes) {
  // dq, dk, dv are shaped like q, k, v.
  reifiedReturnShapes.push_back(
      reifyLike(b, getLoc(), getQueryGrad().getType(), getQuery()));
  reifiedReturnShapes.push_back(
      reifyLike(b, getLoc(), getKeyGrad().getType(), getKey()));
  reifiedReturnShapes.push_back(
      reifyLike(b, getLoc(), getValueGrad().getType(), getValue()));
  return success();
}

//===----------------------------------------------------------------------===//
// Canonicalization
//===----------------------------------------------------------------------===//

namespace {
/// Writes the mask in one canonical form: `causal` iff the effective right
/// bound is 0; `window` only when it says something `causal` does not, with
/// its right side 0 under `causal`; `window = [-1, -1]` disappears.
template <typename OpT> struct CanonicalizeMask : public OpRewritePattern<OpT> {
  using OpRewritePattern<OpT>::OpRewritePattern;

  LogicalResult matchAndRewrite(OpT op,
                                PatternRewriter &rewriter) const override {
    int64_t left = op.getEffectiveLeft();
    int64_t right = op.getEffectiveRight();
    bool causal = right == 0;
    std::optional<SmallVector<int64_t, 2>> window;
    if (left != kUnboundedSide || right > 0)
      window = SmallVector<int64_t, 2>{left, right};

    std::optional<ArrayRef<int64_t>> oldWindow = op.getWindow();
    bool sameWindow = window.has_value() == oldWindow.has_value() &&
                      (!window || ArrayRef<int64_t>(*window) == *oldWindow);
    if (causal == op.getCausal() && sameWindow)
      return rewriter.notifyMatchFailure(op, "mask already canonical");

    rewriter.modifyOpInPlace(op, [&] {
      op.setCausal(causal);
      if (window)
        op.setWindow(*window);
      else
        op.removeWindowAttr();
    });
    return success();
  }
};

/// ALiBi slopes that are all zero change nothing: drop them.
template <typename OpT> struct DropZeroAlibi : public OpRewritePattern<OpT> {
  using OpRewritePattern<OpT>::OpRewritePattern;

  LogicalResult matchAndRewrite(OpT op,
                                PatternRewriter &rewriter) const override {
    Value slopes = op.getAlibiSlopes();
    if (!slopes || !matchPattern(slopes, m_AnyZeroFloat()))
      return rewriter.notifyMatchFailure(op, "no all-zero alibi slopes");
    rewriter.modifyOpInPlace(op, [&] { op.getAlibiSlopesMutable().clear(); });
    return success();
  }
};

/// A scale or bias operand that is a finite constant becomes the attribute:
/// the kernel then has it compiled in. (A non-finite one stays an operand:
/// as an attribute the verifier would reject it, and the runtime refuses it
/// at the launch.)
template <typename OpT>
struct FoldConstantScalars : public OpRewritePattern<OpT> {
  using OpRewritePattern<OpT>::OpRewritePattern;

  LogicalResult matchAndRewrite(OpT op,
                                PatternRewriter &rewriter) const override {
    auto finiteConstant = [](Value v) -> FloatAttr {
      FloatAttr c;
      if (v && matchPattern(v, m_Constant(&c)) && c.getValue().isFinite())
        return c;
      return FloatAttr();
    };
    FloatAttr scale = finiteConstant(op.getScaleValue());
    FloatAttr bias = finiteConstant(op.getBiasValue());
    if (!scale && !bias)
      return rewriter.notifyMatchFailure(op, "no constant scale or bias");
    rewriter.modifyOpInPlace(op, [&] {
      if (scale) {
        op.getScaleValueMutable().clear();
        op.setScaleAttr(rewriter.getF32FloatAttr(
            static_cast<float>(scale.getValueAsDouble())));
      }
      if (bias) {
        op.getBiasValueMutable().clear();
        op.setBiasAttr(rewriter.getF32FloatAttr(
            static_cast<float>(bias.getValueAsDouble())));
      }
    });
    return success();
  }
};
} // namespace

void AttentionOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                              MLIRContext *context) {
  results.add<CanonicalizeMask<AttentionOp>, DropZeroAlibi<AttentionOp>,
              FoldConstantScalars<AttentionOp>>(context);
}

void AttentionGradOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                                  MLIRContext *context) {
  results.add<CanonicalizeMask<AttentionGradOp>, DropZeroAlibi<AttentionGradOp>,
              FoldConstantScalars<AttentionGradOp>>(context);
}

//===----------------------------------------------------------------------===//
// Tile-level ops
//===----------------------------------------------------------------------===//

/// A tile of `tileType` covers dimension 3 (the head dimension) of `memType`
/// in its columns and has its element type.
static LogicalResult verifyTileOfHead(Operation *op, StringRef tileName,
                                      VectorType tileType, StringRef memName,
                                      MemRefType memType,
                                      bool checkElementType = true) {
  if (checkElementType && tileType.getElementType() != memType.getElementType())
    return op->emitOpError()
           << "expects " << tileName << " element type ("
           << tileType.getElementType() << ") to match " << memName
           << " element type (" << memType.getElementType() << ")";
  int64_t headDim = memType.getDimSize(3);
  if (!sizesCompatible(headDim, tileType.getDimSize(1)))
    return op->emitOpError()
           << "expects " << tileName << " to have " << formatDim(headDim)
           << " columns (dimension 3 of " << memName << "), got "
           << tileType.getDimSize(1);
  return success();
}

/// The window and the scalars of a tile step: [left, right] with sides of
/// at least -1; a scale and a bias, each an attribute or an operand.
static LogicalResult
verifyStepAttributes(Operation *op, ArrayRef<int64_t> window,
                     std::optional<APFloat> scale, Value scaleValue,
                     std::optional<APFloat> bias, Value biasValue) {
  if (window.size() != 2)
    return op->emitOpError() << "expects window to have 2 elements [left, "
                                "right], got "
                             << window.size();
  if (window[0] < kUnboundedSide || window[1] < kUnboundedSide)
    return op->emitOpError() << "expects window sides to be non-negative or "
                                "-1 (unbounded), got ["
                             << window[0] << ", " << window[1] << "]";
  if (failed(verifyScalar(op, "scale", scale, scaleValue,
                          /*required=*/true)) ||
      failed(verifyScalar(op, "bias", bias, biasValue, /*required=*/true)))
    return failure();
  return success();
}

/// `a` and `b` agree in dimensions 0 .. 2 (B, N, H).
static LogicalResult verifySameRows(Operation *op, StringRef aName,
                                    MemRefType a, StringRef bName,
                                    MemRefType b) {
  if (a.getElementType() != b.getElementType())
    return op->emitOpError() << "expects " << bName << " element type ("
                             << b.getElementType() << ") to match " << aName
                             << " element type (" << a.getElementType() << ")";
  for (int64_t i = 0; i < 3; ++i) {
    if (!sizesCompatible(a.getDimSize(i), b.getDimSize(i)))
      return op->emitOpError() << "expects " << aName << " and " << bName
                               << " to agree in dimension " << i << ", got "
                               << formatDim(a.getDimSize(i)) << " and "
                               << formatDim(b.getDimSize(i));
  }
  return success();
}

/// `tile` has `rows` rows (those of `rowsName`).
static LogicalResult verifyRows(Operation *op, StringRef name, VectorType tile,
                                StringRef rowsName, int64_t rows) {
  if (tile.getDimSize(0) != rows)
    return op->emitOpError()
           << "expects " << name << " to have one row per " << rowsName
           << " row (" << rows << "), got " << tile.getDimSize(0);
  return success();
}

LogicalResult LoadTileOp::verify() {
  return verifyTileOfHead(*this, "result", getResult().getType(), "source",
                          getSource().getType());
}

LogicalResult StoreTileOp::verify() {
  return verifyTileOfHead(*this, "tile", getTile().getType(), "dest",
                          getDest().getType(), /*checkElementType=*/false);
}

LogicalResult TileStepOp::verify() {
  VectorType qType = getQTile().getType();
  MemRefType kType = getKey().getType();
  MemRefType vType = getValue().getType();
  VectorType accType = getAcc().getType();
  if (failed(verifyTileOfHead(*this, "q_tile", qType, "key", kType)) ||
      failed(verifySameRows(*this, "key", kType, "value", vType)) ||
      failed(verifyRows(*this, "acc", accType, "q_tile", qType.getDimSize(0))))
    return failure();
  if (failed(verifyTileOfHead(*this, "acc", accType, "value", vType,
                              /*checkElementType=*/false)))
    return failure();
  return verifyStepAttributes(*this, getWindow(), getScale(), getScaleValue(),
                              getBias(), getBiasValue());
}

//===----------------------------------------------------------------------===//
// TileStepInterface
//===----------------------------------------------------------------------===//

// Forward and dQ steps: rows are queries, columns keys; the op's window.
Value TileStepOp::getRowStart() { return getQStart(); }
int64_t TileStepOp::getRowBlock() { return getBlockQ(); }
Value TileStepOp::getRowCount() { return getSeqQ(); }
Value TileStepOp::getColumnSource() { return getKey(); }
int64_t TileStepOp::getColumnBlock() { return getBlockK(); }
Value TileStepOp::getColumnTile() { return getKTile(); }
int64_t TileStepOp::getRowLeft() { return getLeft(); }
int64_t TileStepOp::getRowRight() { return getRight(); }
Value TileStepOp::getColumnHead() { return getKvHead(); }
SmallVector<Value, 2> TileStepOp::getColumnSources() {
  return {getKey(), getValue()};
}
SmallVector<Value, 2> TileStepOp::getRowTiles() { return {getQTile()}; }
SmallVector<Value, 2> TileStepOp::getAccumulators() { return {getAcc()}; }

Value GradQStepOp::getRowStart() { return getQStart(); }
int64_t GradQStepOp::getRowBlock() { return getBlockQ(); }
Value GradQStepOp::getRowCount() { return getSeqQ(); }
Value GradQStepOp::getColumnSource() { return getKey(); }
int64_t GradQStepOp::getColumnBlock() { return getBlockK(); }
Value GradQStepOp::getColumnTile() { return getKTile(); }
int64_t GradQStepOp::getRowLeft() { return getLeft(); }
int64_t GradQStepOp::getRowRight() { return getRight(); }
Value GradQStepOp::getColumnHead() { return getKvHead(); }
SmallVector<Value, 2> GradQStepOp::getColumnSources() {
  return {getKey(), getValue()};
}
SmallVector<Value, 2> GradQStepOp::getRowTiles() {
  return {getQTile(), getDoTile()};
}
SmallVector<Value, 2> GradQStepOp::getAccumulators() { return {getAcc()}; }

// dK, dV steps: rows are keys, columns queries. Key j is seen by queries
// j - off - right .. j - off + left (off = Nk - Nq): the window's sides swap.
Value GradKVStepOp::getRowStart() { return getKStart(); }
int64_t GradKVStepOp::getRowBlock() { return getBlockK(); }
Value GradKVStepOp::getRowCount() { return getSeqK(); }
Value GradKVStepOp::getColumnSource() { return getQuery(); }
int64_t GradKVStepOp::getColumnBlock() { return getBlockQ(); }
Value GradKVStepOp::getColumnTile() { return getQTile(); }
int64_t GradKVStepOp::getRowLeft() { return getRight(); }
int64_t GradKVStepOp::getRowRight() { return getLeft(); }
Value GradKVStepOp::getColumnHead() { return getHead(); }
SmallVector<Value, 2> GradKVStepOp::getColumnSources() {
  return {getQuery(), getGradOutput()};
}
SmallVector<Value, 2> GradKVStepOp::getRowTiles() {
  return {getKTile(), getVTile()};
}
SmallVector<Value, 2> GradKVStepOp::getAccumulators() {
  return {getDkAcc(), getDvAcc()};
}

//===----------------------------------------------------------------------===//
// Backward tile steps
//===----------------------------------------------------------------------===//

LogicalResult GradQStepOp::verify() {
  VectorType qType = getQTile().getType();
  VectorType doType = getDoTile().getType();
  MemRefType kType = getKey().getType();
  MemRefType vType = getValue().getType();
  VectorType accType = getAcc().getType();
  if (failed(verifyTileOfHead(*this, "q_tile", qType, "key", kType)) ||
      failed(verifySameRows(*this, "key", kType, "value", vType)) ||
      failed(verifyRows(*this, "do_tile", doType, "q_tile",
                        qType.getDimSize(0))) ||
      failed(verifyTileOfHead(*this, "do_tile", doType, "value", vType)) ||
      failed(
          verifyRows(*this, "acc", accType, "q_tile", qType.getDimSize(0))) ||
      failed(verifyTileOfHead(*this, "acc", accType, "key", kType,
                              /*checkElementType=*/false)))
    return failure();
  return verifyStepAttributes(*this, getWindow(), getScale(), getScaleValue(),
                              getBias(), getBiasValue());
}

LogicalResult GradKVStepOp::verify() {
  VectorType kType = getKTile().getType();
  VectorType vType = getVTile().getType();
  MemRefType qType = getQuery().getType();
  MemRefType doType = getGradOutput().getType();
  int64_t rows = kType.getDimSize(0);
  if (failed(verifyTileOfHead(*this, "k_tile", kType, "query", qType)) ||
      failed(verifySameRows(*this, "query", qType, "grad_output", doType)) ||
      failed(verifyRows(*this, "v_tile", vType, "k_tile", rows)) ||
      failed(verifyTileOfHead(*this, "v_tile", vType, "grad_output", doType)) ||
      failed(
          verifyRows(*this, "dk_acc", getDkAcc().getType(), "k_tile", rows)) ||
      failed(verifyTileOfHead(*this, "dk_acc", getDkAcc().getType(), "query",
                              qType, /*checkElementType=*/false)) ||
      failed(
          verifyRows(*this, "dv_acc", getDvAcc().getType(), "k_tile", rows)) ||
      failed(verifyTileOfHead(*this, "dv_acc", getDvAcc().getType(),
                              "grad_output", doType,
                              /*checkElementType=*/false)))
    return failure();
  if (Value accum = getDqAccum()) {
    auto accumType = cast<MemRefType>(accum.getType());
    for (int64_t i = 0; i < 4; ++i) {
      if (!sizesCompatible(accumType.getDimSize(i), qType.getDimSize(i)))
        return emitOpError()
               << "expects dq_accum shape " << formatShape(accumType.getShape())
               << " to match the query's " << formatShape(qType.getShape());
    }
  }
  return verifyStepAttributes(*this, getWindow(), getScale(), getScaleValue(),
                              getBias(), getBiasValue());
}
