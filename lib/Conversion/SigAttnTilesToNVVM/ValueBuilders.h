//===- ValueBuilders.h - MLIR values with arithmetic operators --*- C++ -*-===//
//
// Integer, boolean and f32 values being built, with the C++ operators the
// lane and score templates (MmaSyncLayout.h, ScoreMath.h) use: each
// operator creates the arith op. Constants take the other operand's type.
// Private to the tensor-core lowerings.
//
//===----------------------------------------------------------------------===//

#ifndef SIGATTN_LIB_CONVERSION_SIGATTNTILESTONVVM_VALUEBUILDERS_H
#define SIGATTN_LIB_CONVERSION_SIGATTNTILESTONVVM_VALUEBUILDERS_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Builders.h"

namespace mlir::sigattn::values {

//===----------------------------------------------------------------------===//
// Value builders
//===----------------------------------------------------------------------===//

/// An i1 being built.
struct BoolV {
  OpBuilder *b;
  Location loc;
  Value v;
};

/// An integer (i32, i64 or index) being built, with the operators the
/// layout helpers use; constants take its type.
struct IntV {
  OpBuilder *b;
  Location loc;
  Value v;
  /// The fastmath flags of the f32 this is the bits of (asBits), for the
  /// f32 made from it (asFloat).
  arith::FastMathFlags fastmath = arith::FastMathFlags::none;

  IntV with(Value result) const { return {b, loc, result, fastmath}; }
  IntV cst(int64_t c) const {
    return with(
        arith::ConstantOp::create(*b, loc, b->getIntegerAttr(v.getType(), c)));
  }
  BoolV cmp(arith::CmpIPredicate p, IntV rhs) const {
    return {b, loc, arith::CmpIOp::create(*b, loc, p, v, rhs.v)};
  }
};

template <typename Op> inline IntV binary(IntV x, IntV y) {
  return x.with(Op::create(*x.b, x.loc, x.v, y.v));
}
#define SIGATTN_INT_OPERATOR(OP, ARITH)                                        \
  inline IntV operator OP(IntV x, IntV y) {                                    \
    return binary<arith::ARITH>(x, y);                                         \
  }                                                                            \
  inline IntV operator OP(IntV x, int64_t y) {                                 \
    return binary<arith::ARITH>(x, x.cst(y));                                  \
  }                                                                            \
  inline IntV operator OP(int64_t x, IntV y) {                                 \
    return binary<arith::ARITH>(y.cst(x), y);                                  \
  }
SIGATTN_INT_OPERATOR(+, AddIOp)
SIGATTN_INT_OPERATOR(-, SubIOp)
SIGATTN_INT_OPERATOR(*, MulIOp)
SIGATTN_INT_OPERATOR(&, AndIOp)
SIGATTN_INT_OPERATOR(^, XOrIOp)
SIGATTN_INT_OPERATOR(<<, ShLIOp)
SIGATTN_INT_OPERATOR(>>, ShRUIOp) // every shifted value is non-negative
#undef SIGATTN_INT_OPERATOR

#define SIGATTN_INT_COMPARISON(OP, PRED)                                       \
  inline BoolV operator OP(IntV x, IntV y) {                                   \
    return x.cmp(arith::CmpIPredicate::PRED, y);                               \
  }                                                                            \
  inline BoolV operator OP(IntV x, int64_t y) {                                \
    return x.cmp(arith::CmpIPredicate::PRED, x.cst(y));                        \
  }
SIGATTN_INT_COMPARISON(<, slt)
SIGATTN_INT_COMPARISON(>, sgt)
SIGATTN_INT_COMPARISON(<=, sle)
SIGATTN_INT_COMPARISON(>=, sge)
#undef SIGATTN_INT_COMPARISON

inline BoolV operator&&(BoolV x, BoolV y) {
  return {x.b, x.loc, arith::AndIOp::create(*x.b, x.loc, x.v, y.v)};
}
inline IntV min(IntV x, IntV y) { return binary<arith::MinSIOp>(x, y); }
inline IntV min(IntV x, int64_t y) { return min(x, x.cst(y)); }
inline IntV max(IntV x, IntV y) { return binary<arith::MaxSIOp>(x, y); }
/// An i32 `a` or `b`.
inline IntV select(BoolV c, int64_t a, int64_t b) {
  auto i32 = [&](int64_t v) -> Value {
    return arith::ConstantIntOp::create(*c.b, c.loc, v, 32);
  };
  return {c.b, c.loc,
          arith::SelectOp::create(*c.b, c.loc, c.v, i32(a), i32(b))};
}

/// An f32 being built. Its adds and multiplies carry `fastmath`, which the
/// value's results inherit: `contract` lets `x * c + d` become one fma.rn
/// instead of mul.rn and add.rn, which ptxas may not fuse.
struct FltV {
  OpBuilder *b;
  Location loc;
  Value v;
  arith::FastMathFlags fastmath = arith::FastMathFlags::none;

  FltV with(Value result) const { return {b, loc, result, fastmath}; }
  FltV cst(float c) const {
    return with(arith::ConstantOp::create(*b, loc, b->getF32FloatAttr(c)));
  }
};
template <typename Op> inline FltV binary(FltV x, FltV y) {
  return x.with(Op::create(*x.b, x.loc, x.v, y.v));
}
template <typename Op> inline FltV arithmetic(FltV x, FltV y) {
  return x.with(Op::create(*x.b, x.loc, x.v, y.v, x.fastmath | y.fastmath));
}
inline FltV operator+(FltV x, FltV y) {
  return arithmetic<arith::AddFOp>(x, y);
}
inline FltV operator-(FltV x, FltV y) {
  return arithmetic<arith::SubFOp>(x, y);
}
inline FltV operator*(FltV x, FltV y) {
  return arithmetic<arith::MulFOp>(x, y);
}
inline FltV operator+(FltV x, float y) { return x + x.cst(y); }
inline FltV operator*(FltV x, float y) { return x * x.cst(y); }
inline FltV min(FltV x, float y) {
  return binary<arith::MinimumFOp>(x, x.cst(y));
}
inline FltV max(FltV x, float y) {
  return binary<arith::MaximumFOp>(x, x.cst(y));
}
/// The bits of an f32 as an i32, and back.
inline IntV asBits(FltV x) {
  return {x.b, x.loc,
          arith::BitcastOp::create(*x.b, x.loc, x.b->getI32Type(), x.v),
          x.fastmath};
}
inline FltV asFloat(IntV x) {
  return {x.b, x.loc,
          arith::BitcastOp::create(*x.b, x.loc, x.b->getF32Type(), x.v),
          x.fastmath};
}

} // namespace mlir::sigattn::values

#endif // SIGATTN_LIB_CONVERSION_SIGATTNTILESTONVVM_VALUEBUILDERS_H
