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
                     /*elideZero=*/isa<AttentionOp>(op));
}

#define GET_OP_CLASSES
#include "sigattn/Dialect/SigAttn/IR/SigAttnOps.cpp.inc"

/// `value`, or an f32 constant of `fallback` at `b`'s insertion point.
static Value scalarAsValue(OpBuilder &b, Location loc, Value value,
                           float fallback) {
  if (value)
    return value;
  return arith::ConstantOp::create(b, loc, b.getF32FloatAttr(fallback));
}

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
// AttentionOp
//===----------------------------------------------------------------------===//

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
  FloatAttr scaleAttr =
      scale && !scaleValue ? b.getF32FloatAttr(*scale) : FloatAttr();
  FloatAttr biasAttr =
      biasValue || bias == 0.0f ? FloatAttr() : b.getF32FloatAttr(bias);
  DenseI64ArrayAttr windowAttr;
  if (window)
    windowAttr = b.getDenseI64ArrayAttr({window->first, window->second});
  build(b, state, resultType, query, key, value, alibiSlopes, scaleValue,
        biasValue, scaleAttr, biasAttr, causal ? b.getUnitAttr() : UnitAttr(),
        windowAttr);
}

Value AttentionOp::getScaleAsValue(OpBuilder &b) {
  return scalarAsValue(b, getLoc(), getScaleValue(), getEffectiveScale());
}

Value AttentionOp::getBiasAsValue(OpBuilder &b) {
  return scalarAsValue(b, getLoc(), getBiasValue(), getEffectiveBias());
}

float AttentionOp::getEffectiveScale() {
  if (std::optional<APFloat> scale = getScale())
    return scale->convertToFloat();
  return 1.0f / std::sqrt(static_cast<float>(getHeadDim()));
}

int64_t AttentionOp::getEffectiveLeft() {
  std::optional<ArrayRef<int64_t>> window = getWindow();
  return window ? (*window)[0] : kUnbounded;
}

int64_t AttentionOp::getEffectiveRight() {
  // causal: j <= i + off, i.e. right = 0, whatever the window says.
  if (getCausal())
    return 0;
  std::optional<ArrayRef<int64_t>> window = getWindow();
  return window ? (*window)[1] : kUnbounded;
}

LogicalResult AttentionOp::verify() {
  // Step 1. Ranks and element types.
  struct Named {
    StringRef name;
    RankedTensorType type;
    StringRef layout;
  };
  Named tensors[] = {{"query", getQueryType(), "[B, Nq, Hq, D]"},
                     {"key", getKeyType(), "[B, Nk, Hkv, D]"},
                     {"value", getValueType(), "[B, Nk, Hkv, Dv]"},
                     {"result", getResultType(), "[B, Nq, Hq, Dv]"}};
  for (const Named &t : tensors) {
    if (t.type.getRank() != 4)
      return emitOpError() << "expects " << t.name << " to have rank 4 "
                           << t.layout << ", got rank " << t.type.getRank();
  }
  Type elementType = getQueryType().getElementType();
  if (!elementType.isBF16() && !elementType.isF16())
    return emitOpError() << "expects query element type to be bf16 or f16, got "
                         << elementType;
  for (const Named &t : ArrayRef(tensors).drop_front()) {
    if (t.type.getElementType() != elementType)
      return emitOpError() << "expects " << t.name << " element type ("
                           << t.type.getElementType()
                           << ") to match the query element type ("
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
      {"number of query heads Hq", "query", getNumQueryHeads(), 2},
      {"head dimension D", "query", getHeadDim(), 3},
      {"number of key/value heads Hkv", "key", getNumKVHeads(), 2},
      {"head dimension D", "key", getKeyType().getDimSize(3), 3},
      {"number of key/value heads Hkv", "value", getValueType().getDimSize(2),
       2},
      {"value head dimension Dv", "value", getValueHeadDim(), 3}};
  for (const StaticDim &d : staticDims) {
    if (ShapedType::isDynamic(d.size))
      return emitOpError() << "expects a static " << d.what << " (dimension "
                           << d.dim << " of " << d.tensor << ")";
    if (d.size <= 0)
      return emitOpError() << "expects a positive " << d.what << " (dimension "
                           << d.dim << " of " << d.tensor << "), got "
                           << d.size;
  }

  // Step 3. Static batch and sequence sizes are at least 1, and sizes shared
  // between operands agree.
  ArrayRef<int64_t> q = getQueryType().getShape();
  ArrayRef<int64_t> k = getKeyType().getShape();
  ArrayRef<int64_t> v = getValueType().getShape();
  StaticDim sizes[] = {{"batch size B", "query", q[0], 0},
                       {"sequence length Nq", "query", q[1], 1},
                       {"sequence length Nk", "key", k[1], 1}};
  for (const StaticDim &d : sizes) {
    if (!ShapedType::isDynamic(d.size) && d.size < 1)
      return emitOpError() << "expects a positive " << d.what << " (dimension "
                           << d.dim << " of " << d.tensor << "), got "
                           << d.size;
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
      return emitOpError() << "expects " << m.lhs << " " << m.what << " ("
                           << formatDim(m.lhsSize) << ") to match " << m.rhs
                           << " " << m.what << " (" << formatDim(m.rhsSize)
                           << ")";
  }
  if (getNumQueryHeads() % getNumKVHeads() != 0)
    return emitOpError() << "expects the number of query heads ("
                         << getNumQueryHeads()
                         << ") to be a multiple of the number of key/value "
                            "heads ("
                         << getNumKVHeads() << ")";

  // Step 4. The result is [B, Nq, Hq, Dv].
  SmallVector<int64_t, 4> expected = {q[0], q[1], q[2], v[3]};
  ArrayRef<int64_t> result = getResultType().getShape();
  for (auto [e, r] : llvm::zip_equal(expected, result)) {
    if (!sizesCompatible(e, r))
      return emitOpError() << "expects result shape " << formatShape(result)
                           << " to match [B, Nq, Hq, Dv] = "
                           << formatShape(expected);
  }

  // Step 5. ALiBi slopes: f32, [Hq] or [B, Hq].
  if (Value slopes = getAlibiSlopes()) {
    auto type = cast<RankedTensorType>(slopes.getType());
    if (!type.getElementType().isF32())
      return emitOpError() << "expects alibi slopes of element type f32, got "
                           << type.getElementType();
    if (type.getRank() != 1 && type.getRank() != 2)
      return emitOpError() << "expects alibi slopes of shape [Hq] or [B, Hq], "
                              "got rank "
                           << type.getRank();
    int64_t heads = type.getDimSize(type.getRank() - 1);
    if (!sizesCompatible(heads, getNumQueryHeads()))
      return emitOpError() << "expects alibi slopes to have one slope per "
                              "query head ("
                           << getNumQueryHeads() << "), got "
                           << formatDim(heads);
    if (type.getRank() == 2 && !sizesCompatible(type.getDimSize(0), q[0]))
      return emitOpError() << "expects alibi slopes batch size ("
                           << formatDim(type.getDimSize(0))
                           << ") to match query batch size (" << formatDim(q[0])
                           << ")";
  }

  // Step 6. Attributes.
  if (std::optional<ArrayRef<int64_t>> window = getWindow()) {
    if (window->size() != 2)
      return emitOpError() << "expects window to have 2 elements [left, "
                              "right], got "
                           << window->size();
    StringRef sides[] = {"left", "right"};
    for (auto [side, size] : llvm::zip_equal(sides, *window)) {
      if (size < kUnbounded)
        return emitOpError()
               << "expects window " << side
               << " to be non-negative or -1 (unbounded), got " << size;
    }
  }
  if (failed(verifyScalar(*this, "scale", getScale(), getScaleValue(),
                          /*required=*/false)) ||
      failed(verifyScalar(*this, "bias", getBias(), getBiasValue(),
                          /*required=*/false)))
    return failure();
  return success();
}

LogicalResult AttentionOp::reifyResultShapes(
    OpBuilder &b, ReifiedRankedShapedTypeDims &reifiedReturnShapes) {
  // result : [B, Nq, Hq, Dv]; B and Nq come from the query.
  SmallVector<OpFoldResult> dims;
  for (int64_t i = 0; i < 4; ++i) {
    int64_t size = getResultType().getDimSize(i);
    if (!ShapedType::isDynamic(size)) {
      dims.push_back(b.getIndexAttr(size));
      continue;
    }
    // Dynamic result dims are B or Nq: static head counts and dims are
    // enforced by the verifier.
    dims.push_back(tensor::getMixedSize(b, getLoc(), getQuery(), i));
  }
  reifiedReturnShapes.push_back(std::move(dims));
  return success();
}

//===----------------------------------------------------------------------===//
// Canonicalization
//===----------------------------------------------------------------------===//

namespace {
/// Writes the mask in one canonical form: `causal` iff the effective right
/// bound is 0; `window` only when it says something `causal` does not, with
/// its right side 0 under `causal`; `window = [-1, -1]` disappears.
struct CanonicalizeMask : public OpRewritePattern<AttentionOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(AttentionOp op,
                                PatternRewriter &rewriter) const override {
    int64_t left = op.getEffectiveLeft();
    int64_t right = op.getEffectiveRight();
    bool causal = right == 0;
    std::optional<SmallVector<int64_t, 2>> window;
    if (left != AttentionOp::kUnbounded || right > 0)
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
struct DropZeroAlibi : public OpRewritePattern<AttentionOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(AttentionOp op,
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
struct FoldConstantScalars : public OpRewritePattern<AttentionOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(AttentionOp op,
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
  results.add<CanonicalizeMask, DropZeroAlibi, FoldConstantScalars>(context);
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
  if (failed(verifyTileOfHead(*this, "q_tile", qType, "key", kType)))
    return failure();
  if (vType.getElementType() != kType.getElementType())
    return emitOpError() << "expects value element type ("
                         << vType.getElementType()
                         << ") to match key element type ("
                         << kType.getElementType() << ")";
  for (int64_t i = 0; i < 3; ++i) {
    if (!sizesCompatible(kType.getDimSize(i), vType.getDimSize(i)))
      return emitOpError() << "expects key and value to agree in dimension "
                           << i << ", got " << formatDim(kType.getDimSize(i))
                           << " and " << formatDim(vType.getDimSize(i));
  }
  if (accType.getDimSize(0) != qType.getDimSize(0))
    return emitOpError() << "expects acc to have one row per q_tile row ("
                         << qType.getDimSize(0) << "), got "
                         << accType.getDimSize(0);
  if (failed(verifyTileOfHead(*this, "acc", accType, "value", vType,
                              /*checkElementType=*/false)))
    return failure();
  ArrayRef<int64_t> window = getWindow();
  if (window.size() != 2)
    return emitOpError() << "expects window to have 2 elements [left, right], "
                            "got "
                         << window.size();
  if (window[0] < AttentionOp::kUnbounded ||
      window[1] < AttentionOp::kUnbounded)
    return emitOpError() << "expects window sides to be non-negative or -1 "
                            "(unbounded), got ["
                         << window[0] << ", " << window[1] << "]";
  if (failed(verifyScalar(*this, "scale", getScale(), getScaleValue(),
                          /*required=*/true)) ||
      failed(verifyScalar(*this, "bias", getBias(), getBiasValue(),
                          /*required=*/true)))
    return failure();
  return success();
}

Value TileStepOp::getScaleAsValue(OpBuilder &b) {
  std::optional<APFloat> scale = getScale();
  return scalarAsValue(b, getLoc(), getScaleValue(),
                       scale ? scale->convertToFloat() : 0.0f);
}

Value TileStepOp::getBiasAsValue(OpBuilder &b) {
  std::optional<APFloat> bias = getBias();
  return scalarAsValue(b, getLoc(), getBiasValue(),
                       bias ? bias->convertToFloat() : 0.0f);
}
