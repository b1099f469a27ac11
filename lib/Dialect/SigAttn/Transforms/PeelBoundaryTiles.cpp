//===- PeelBoundaryTiles.cpp - element masks on boundary tiles only -------===//
//
// A loop over key/value tiles whose body is a masked sigattn.tile_step is
// split into [lo, a) masked, [a, c) unmasked and [c, hi) masked, where every
// tile of [a, c) is inside the key sequence and visible to every valid row
// of the query tile. Target independent: it only moves loop bounds and the
// `masked` flag.
//
//===----------------------------------------------------------------------===//

#include "sigattn/Dialect/SigAttn/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "sigattn/Dialect/SigAttn/IR/SigAttnOps.h"

namespace mlir::sigattn {
#define GEN_PASS_DEF_SIGATTNPEELBOUNDARYTILES
#include "sigattn/Dialect/SigAttn/Transforms/Passes.h.inc"
} // namespace mlir::sigattn

using namespace mlir;
using namespace mlir::sigattn;

namespace {

/// The masked tile step a loop over key/value tiles is made of, if `loop`
/// is such a loop: unit step, one tile step, indexed by the induction
/// variable, with its other operands defined outside the loop.
static TileStepOp getPeelableStep(scf::ForOp loop) {
  if (!matchPattern(loop.getStep(), m_One()))
    return {};
  auto steps = loop.getBody()->getOps<TileStepOp>();
  if (!llvm::hasSingleElement(steps))
    return {};
  TileStepOp step = *steps.begin();
  if (!step.getMasked() || step.getKTile() != loop.getInductionVar())
    return {};
  for (Value v : {Value(step.getQStart()), Value(step.getSeqQ()),
                  Value(step.getKey())}) {
    if (!loop.isDefinedOutsideOfLoop(v))
      return {};
  }
  return step;
}

/// Splits `loop` into masked / unmasked / masked ranges.
static void peel(RewriterBase &rewriter, scf::ForOp loop, TileStepOp step) {
  Location loc = loop.getLoc();
  rewriter.setInsertionPoint(loop);
  auto cst = [&](int64_t v) -> Value {
    return arith::ConstantIndexOp::create(rewriter, loc, v);
  };
  auto add = [&](Value a, Value b) -> Value {
    return arith::AddIOp::create(rewriter, loc, a, b);
  };
  auto sub = [&](Value a, Value b) -> Value {
    return arith::SubIOp::create(rewriter, loc, a, b);
  };
  auto clamp = [&](Value v, Value lower, Value upper) -> Value {
    Value atLeast = arith::MaxSIOp::create(rewriter, loc, v, lower);
    return arith::MinSIOp::create(rewriter, loc, atLeast, upper);
  };

  Value lo = loop.getLowerBound(), hi = loop.getUpperBound();
  Value bk = cst(step.getBlockK());
  Value one = cst(1);
  Value seqQ = step.getSeqQ();
  Value seqK = memref::DimOp::create(rewriter, loc, step.getKey(), 1);
  Value off = sub(seqK, seqQ);

  // Valid query rows of the tile: [iLo, iHi].
  Value iLo = step.getQStart();
  Value rowEnd = arith::MinSIOp::create(
      rewriter, loc, add(iLo, cst(step.getBlockQ())), seqQ);
  Value iHi = sub(rowEnd, one);

  // a: first tile right of the left edge for the last row,
  //    kt * Bk >= iHi + off - left.
  Value a = lo;
  if (step.getLeft() != AttentionOp::kUnbounded) {
    Value edge = sub(add(iHi, off), cst(step.getLeft()));
    a = clamp(arith::CeilDivSIOp::create(rewriter, loc, edge, bk), lo, hi);
  }
  // c: end of the tiles inside the keys, kt * Bk + Bk <= Nk, and left of
  //    the right edge for the first row, kt * Bk + Bk - 1 <= iLo + off + right.
  Value c = arith::FloorDivSIOp::create(rewriter, loc, seqK, bk);
  if (step.getRight() != AttentionOp::kUnbounded) {
    Value edge = add(add(iLo, off), cst(step.getRight() + 1));
    c = arith::MinSIOp::create(
        rewriter, loc, c, arith::FloorDivSIOp::create(rewriter, loc, edge, bk));
  }
  c = clamp(c, a, hi);

  // [lo, a) masked, [a, c) unmasked, [c, hi) masked.
  auto leftLoop = cast<scf::ForOp>(rewriter.clone(*loop));
  auto interior = cast<scf::ForOp>(rewriter.clone(*loop));
  leftLoop.setUpperBound(a);
  interior.setLowerBound(a);
  interior.setUpperBound(c);
  interior.getInitArgsMutable().assign(leftLoop.getResults());
  for (auto s : interior.getBody()->getOps<TileStepOp>())
    s.setMasked(false);
  rewriter.modifyOpInPlace(loop, [&] {
    loop.setLowerBound(c);
    loop.getInitArgsMutable().assign(interior.getResults());
  });
}

struct SigAttnPeelBoundaryTilesPass
    : public sigattn::impl::SigAttnPeelBoundaryTilesBase<
          SigAttnPeelBoundaryTilesPass> {
  void runOnOperation() override {
    SmallVector<std::pair<scf::ForOp, TileStepOp>> work;
    getOperation()->walk([&](scf::ForOp loop) {
      if (TileStepOp step = getPeelableStep(loop))
        work.push_back({loop, step});
    });
    IRRewriter rewriter(&getContext());
    for (auto [loop, step] : work)
      peel(rewriter, loop, step);
  }
};

} // namespace
