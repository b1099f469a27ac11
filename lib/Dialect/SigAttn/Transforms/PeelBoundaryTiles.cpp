//===- PeelBoundaryTiles.cpp - element masks on boundary tiles only -------===//
//
// A loop over column tiles whose body is a masked tile step (the forward
// sigattn.tile_step, the backward grad_q_step and grad_kv_step: any
// TileStepInterface) is split into [lo, a) masked, [a, c) unmasked and
// [c, hi) masked, where every tile of [a, c) is inside the column sequence
// and visible to every valid row of the block's tile. Target independent:
// it only moves loop bounds and the `masked` flag.
//
//===----------------------------------------------------------------------===//

#include "sigattn/Dialect/SigAttn/Transforms/Passes.h"

#include "Band.h"

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

/// The masked tile step a loop over column tiles is made of, if `loop` is
/// such a loop: unit step, one tile step, indexed by the induction
/// variable, with its rows and columns defined outside the loop.
static TileStepInterface getPeelableStep(scf::ForOp loop) {
  if (!matchPattern(loop.getStep(), m_One()))
    return {};
  auto steps = loop.getBody()->getOps<TileStepInterface>();
  if (!llvm::hasSingleElement(steps))
    return {};
  TileStepInterface step = *steps.begin();
  if (!step.isMasked() || step.getColumnTile() != loop.getInductionVar())
    return {};
  for (Value v :
       {step.getRowStart(), step.getRowCount(), step.getColumnSource()}) {
    if (!loop.isDefinedOutsideOfLoop(v))
      return {};
  }
  return step;
}

/// Splits `loop` into masked / unmasked / masked ranges.
static void peel(RewriterBase &rewriter, scf::ForOp loop,
                 TileStepInterface step) {
  Location loc = loop.getLoc();
  rewriter.setInsertionPoint(loop);
  Value lo = loop.getLowerBound(), hi = loop.getUpperBound();
  Value colCount =
      memref::DimOp::create(rewriter, loc, step.getColumnSource(), 1);
  auto [a, c] = unmaskedColumnTiles(
      rewriter, loc,
      {step.getRowStart(), step.getRowBlock(), step.getRowCount(), colCount,
       step.getColumnBlock(), step.getRowLeft(), step.getRowRight()},
      lo, hi);

  // [lo, a) masked, [a, c) unmasked, [c, hi) masked.
  auto leftLoop = cast<scf::ForOp>(rewriter.clone(*loop));
  auto interior = cast<scf::ForOp>(rewriter.clone(*loop));
  leftLoop.setUpperBound(a);
  interior.setLowerBound(a);
  interior.setUpperBound(c);
  interior.getInitArgsMutable().assign(leftLoop.getResults());
  for (auto s : interior.getBody()->getOps<TileStepInterface>())
    s.setMaskedFlag(false);
  rewriter.modifyOpInPlace(loop, [&] {
    loop.setLowerBound(c);
    loop.getInitArgsMutable().assign(interior.getResults());
  });
}

struct SigAttnPeelBoundaryTilesPass
    : public sigattn::impl::SigAttnPeelBoundaryTilesBase<
          SigAttnPeelBoundaryTilesPass> {
  void runOnOperation() override {
    SmallVector<std::pair<scf::ForOp, TileStepInterface>> work;
    getOperation()->walk([&](scf::ForOp loop) {
      if (TileStepInterface step = getPeelableStep(loop))
        work.push_back({loop, step});
    });
    IRRewriter rewriter(&getContext());
    for (auto [loop, step] : work)
      peel(rewriter, loop, step);
  }
};

} // namespace
