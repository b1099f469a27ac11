//===- TensorMapParams.cpp - CUtensorMap arguments as grid constants ------===//
//
// sigattn-tensor-map-params: after convert-gpu-to-nvvm, the CUtensorMap
// arguments a TMA kernel lists in `sigattn.tensor_maps` become by-value
// `.param .align 64 .b8 [128]` grid constants.
//
//===----------------------------------------------------------------------===//

#include "sigattn/Conversion/Passes.h"
#include "sigattn/Dialect/SigAttn/Transforms/Passes.h"
#include "sigattn/Runtime/KernelABI.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"

namespace mlir::sigattn {
#define GEN_PASS_DEF_SIGATTNTENSORMAPPARAMS
#include "sigattn/Conversion/Passes.h.inc"
} // namespace mlir::sigattn

using namespace mlir;
using namespace mlir::sigattn;
namespace abi = ::sigattn::abi;

namespace {

struct SigAttnTensorMapParamsPass
    : public mlir::sigattn::impl::SigAttnTensorMapParamsBase<
          SigAttnTensorMapParamsPass> {
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    Builder b(ctx);
    Type mapType = LLVM::LLVMArrayType::get(IntegerType::get(ctx, 8),
                                            abi::kTensorMapBytes);
    WalkResult result = getOperation().walk([&](Operation *op) {
      auto maps = op->getAttrOfType<DenseI64ArrayAttr>(kTensorMapsAttrName);
      if (!maps)
        return WalkResult::advance();
      auto func = dyn_cast<LLVM::LLVMFuncOp>(op);
      if (!func || !func->hasAttr(NVVM::NVVMDialect::getKernelFuncAttrName())) {
        op->emitOpError() << "sigattn-tensor-map-params: '"
                          << kTensorMapsAttrName
                          << "' on something other than an llvm.func kernel "
                             "(run after convert-gpu-to-nvvm)";
        return WalkResult::interrupt();
      }
      for (int64_t i : maps.asArrayRef()) {
        if (i < 0 || i >= func.getNumArguments() ||
            !isa<LLVM::LLVMPointerType>(func.getArgument(i).getType())) {
          func.emitOpError()
              << "sigattn-tensor-map-params: argument " << i << " named by '"
              << kTensorMapsAttrName << "' is not an !llvm.ptr argument";
          return WalkResult::interrupt();
        }
        func.setArgAttr(i, LLVM::LLVMDialect::getByValAttrName(),
                        TypeAttr::get(mapType));
        func.setArgAttr(i, LLVM::LLVMDialect::getAlignAttrName(),
                        b.getI64IntegerAttr(abi::kTensorMapAlignment));
        func.setArgAttr(i, NVVM::NVVMDialect::getGridConstantAttrName(),
                        UnitAttr::get(ctx));
      }
      func->removeAttr(kTensorMapsAttrName);
      return WalkResult::advance();
    });
    if (result.wasInterrupted())
      signalPassFailure();
  }
};

} // namespace
