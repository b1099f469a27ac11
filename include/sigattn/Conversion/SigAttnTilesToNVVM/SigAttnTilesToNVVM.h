//===- SigAttnTilesToNVVM.h - tensor-core lowering of tile ops --*- C++ -*-===//

#ifndef SIGATTN_CONVERSION_SIGATTNTILESTONVVM_SIGATTNTILESTONVVM_H
#define SIGATTN_CONVERSION_SIGATTNTILESTONVVM_SIGATTNTILESTONVVM_H

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Pass/Pass.h"
#include "sigattn/Dialect/SigAttn/Transforms/Passes.h"

#include <optional>
#include <string>

namespace mlir {
namespace sigattn {

#define GEN_PASS_DECL_CONVERTSIGATTNTILESTONVVM
#define GEN_PASS_DECL_SIGATTNTENSORMAPPARAMS
#include "sigattn/Conversion/Passes.h.inc"

/// An error naming `chip` and the chips the `kind` lowering supports, or
/// nothing when it supports `chip`.
std::optional<std::string> checkChip(MmaKind kind, StringRef chip);

/// An error when PTX ISA `version` (times ten: 80 is 8.0) is not one the
/// toolchain accepts or is too old for `chip`; nothing otherwise.
std::optional<std::string> checkPTXVersion(StringRef chip, int version);

/// Choices of the tensor-core lowering that leave the kernel's ABI alone.
struct TileLoweringOptions {
  /// The computing warpgroups of a warp-specialized kernel take turns
  /// issuing their tensor-core work (named barriers).
  bool pingpong = false;
  /// How many of every 8 scores take the sigmoid on the FMA pipe (0 .. 8).
  int64_t polySigmoid = 0;
};

/// An error naming the option when `options` are not valid for `kind`;
/// nothing otherwise.
std::optional<std::string>
checkTileLoweringOptions(MmaKind kind, const TileLoweringOptions &options);

/// Lowers the tile ops of `kernel` with `kind`; emits an error naming the
/// unsupported option and fails when the kernel's configuration is not
/// supported.
LogicalResult lowerKernelTiles(gpu::GPUFuncOp kernel, MmaKind kind,
                               const TileLoweringOptions &options = {});

} // namespace sigattn
} // namespace mlir

#endif // SIGATTN_CONVERSION_SIGATTNTILESTONVVM_SIGATTNTILESTONVVM_H
