//===- SigAttnTilesToNVVM.cpp - tile ops to tensor-core code -------------===//
//
// convert-sigattn-tiles-to-nvvm: lowers the tile ops of each sigattn kernel
// (a load_tile of Q, ranges of tile_step, a store_tile of O) with the
// tensor-core generation `mma` names: mma.sync (MmaSyncEmitter.cpp) or
// wgmma (WgmmaEmitter.cpp), both built on TileEmitter.h. The loops' bounds
// and their `masked` flags come from the target-independent passes and are
// kept as they are.
//
//===----------------------------------------------------------------------===//

#include "sigattn/Conversion/SigAttnTilesToNVVM/SigAttnTilesToNVVM.h"
#include "TileEmitter.h"
#include "sigattn/Conversion/SigAttnTilesToNVVM/KernelTiles.h"
#include "sigattn/Conversion/SigAttnTilesToNVVM/MmaSyncLayout.h"
#include "sigattn/Conversion/SigAttnTilesToNVVM/ScoreMath.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Matchers.h"
#include "sigattn/Dialect/SigAttn/IR/SigAttnOps.h"
#include "sigattn/Dialect/SigAttn/Transforms/Passes.h"
#include "sigattn/Runtime/KernelABI.h"
#include "llvm/Support/MathExtras.h"

namespace mlir::sigattn {
#define GEN_PASS_DEF_CONVERTSIGATTNTILESTONVVM
#include "sigattn/Conversion/Passes.h.inc"
} // namespace mlir::sigattn

using namespace mlir;
using namespace mlir::sigattn;
namespace abi = ::sigattn::abi;

namespace {

/// Attribute with the description of a lowered kernel, on the kernel and on
/// its launches.
constexpr StringLiteral kKernelInfoAttrName = "sigattn.kernel";

/// The dynamic shared memory array, declared once per gpu.module.
static void declareSharedMemory(gpu::GPUModuleOp module) {
  if (module.lookupSymbol(kSharedMemoryName))
    return;
  OpBuilder b = OpBuilder::atBlockBegin(module.getBody());
  auto type = LLVM::LLVMArrayType::get(b.getI8Type(), 0);
  LLVM::GlobalOp::create(b, module.getLoc(), type, /*isConstant=*/false,
                         LLVM::Linkage::External, kSharedMemoryName,
                         /*value=*/Attribute(), /*alignment=*/1024,
                         /*addrSpace=*/3);
}

} // namespace

/// The chips each lowering supports, with the PTX ISA version each needs
/// (times ten). mma.sync with bf16 and cp.async need sm_80.
static ArrayRef<std::pair<StringLiteral, int>> supportedChips(MmaKind kind) {
  static constexpr std::pair<StringLiteral, int> sync[] = {
      {"sm_80", 70}, {"sm_86", 71}, {"sm_87", 74},
      {"sm_89", 78}, {"sm_90", 78}, {"sm_90a", 80}};
  static constexpr std::pair<StringLiteral, int> wgmma[] = {{"sm_90a", 80}};
  if (kind == MmaKind::Sync)
    return sync;
  return wgmma;
}

std::optional<std::string> mlir::sigattn::checkChip(MmaKind kind,
                                                    StringRef chip) {
  std::string names;
  for (auto [name, ptx] : supportedChips(kind)) {
    if (chip == name)
      return std::nullopt;
    names += (names.empty() ? "" : ", ") + name.str();
  }
  return ("chip='" + chip + "' is not supported by mma=" +
          (kind == MmaKind::Sync ? "sync" : "wgmma") + " (supported: " + names +
          ")")
      .str();
}

std::optional<std::string> mlir::sigattn::checkPTXVersion(StringRef chip,
                                                          int version) {
  static constexpr int kKnown[] = {80, 81, 82, 83, 84, 85, 86, 87, 88, 90};
  if (!llvm::is_contained(kKnown, version))
    return ("PTX ISA version " + Twine(version / 10) + "." +
            Twine(version % 10) +
            " is not one the NVPTX backend and ptxas both accept (+ptx80 .. "
            "+ptx88, +ptx90)")
        .str();
  for (MmaKind kind : {MmaKind::Sync, MmaKind::Wgmma}) {
    for (auto [name, ptx] : supportedChips(kind)) {
      if (chip == name && version < ptx)
        return ("chip='" + chip + "' needs PTX ISA " + Twine(ptx / 10) + "." +
                Twine(ptx % 10) + " or later")
            .str();
    }
  }
  return std::nullopt;
}

std::optional<std::string>
mlir::sigattn::checkTileLoweringOptions(MmaKind kind,
                                        const TileLoweringOptions &options) {
  if (options.polySigmoid < 0 || options.polySigmoid > 8)
    return "poly-sigmoid=" + std::to_string(options.polySigmoid) +
           " is not a number of scores out of 8 (expected 0 .. 8)";
  if (options.pingpong && kind != MmaKind::Wgmma)
    return std::string("pingpong needs mma=wgmma (turns of warpgroups)");
  return std::nullopt;
}

LogicalResult
mlir::sigattn::lowerKernelTiles(gpu::GPUFuncOp kernel, MmaKind kind,
                                const TileLoweringOptions &options) {
  if (std::optional<std::string> error =
          checkTileLoweringOptions(kind, options))
    return kernel.emitOpError() << "convert-sigattn-tiles-to-nvvm: " << *error;
  FailureOr<KernelTiles> tiles = findKernelTiles(kernel);
  if (failed(tiles))
    return failure();
  FailureOr<TileConfig> config = kind == MmaKind::Sync
                                     ? getMmaSyncConfig(kernel, *tiles)
                                     : getWgmmaConfig(kernel, *tiles);
  if (failed(config))
    return failure();
  if (options.pingpong && !config->specialized())
    return kernel.emitOpError()
           << "convert-sigattn-tiles-to-nvvm: pingpong needs a "
              "warp-specialized kernel (sigattn-outline-gpu-kernels"
              "{schedule=specialized})";
  config->pingpong = options.pingpong;
  config->polySigmoid = options.polySigmoid;
  declareSharedMemory(kernel->getParentOfType<gpu::GPUModuleOp>());
  DictionaryAttr info = describeKernel(kernel, *tiles, config->shape,
                                       config->sharedBytes, config->mma);
  std::unique_ptr<TileEmitter> emitter =
      kind == MmaKind::Sync ? createMmaSyncEmitter(kernel, *config)
                            : createWgmmaEmitter(kernel, *config);
  if (failed(emitter->run(*tiles)))
    return failure();
  kernel->setAttr(kKernelInfoAttrName, info);
  // One block per SM is all the kernel asks for (`.minnctapersm 1`): without
  // it ptxas caps the registers of straight-line kernels (static sizes that
  // fold the key/value loop) for occupancy, and spills.
  // A warp-specialized kernel is built for its blocks per SM, at the
  // register count per thread at launch that setmaxnreg redistributes.
  auto i32 = IntegerType::get(kernel.getContext(), 32);
  kernel->setAttr(NVVM::NVVMDialect::getMinctasmAttrName(),
                  IntegerAttr::get(i32, config->blocksPerSM));
  if (config->specialized())
    kernel->setAttr(NVVM::NVVMDialect::getMaxnregAttrName(),
                    IntegerAttr::get(i32, config->launchRegisters));
  return success();
}

namespace {
struct ConvertSigAttnTilesToNVVMPass
    : public mlir::sigattn::impl::ConvertSigAttnTilesToNVVMBase<
          ConvertSigAttnTilesToNVVMPass> {
  using ConvertSigAttnTilesToNVVMBase::ConvertSigAttnTilesToNVVMBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    // Step 1. The options, before anything is changed.
    FailureOr<MmaKind> kind = parseMmaKind(mma);
    if (failed(kind)) {
      mlir::emitError(module.getLoc())
          << "convert-sigattn-tiles-to-nvvm: unknown mma='" << mma
          << "' (expected sync or wgmma)";
      return signalPassFailure();
    }
    if (std::optional<std::string> error = checkChip(*kind, chip)) {
      mlir::emitError(module.getLoc())
          << "convert-sigattn-tiles-to-nvvm: " << *error;
      return signalPassFailure();
    }
    TileLoweringOptions options{pingpong, polySigmoid};
    if (std::optional<std::string> error =
            checkTileLoweringOptions(*kind, options)) {
      mlir::emitError(module.getLoc())
          << "convert-sigattn-tiles-to-nvvm: " << *error;
      return signalPassFailure();
    }

    // Step 2. Every kernel that holds tile ops.
    SmallVector<gpu::GPUFuncOp> kernels;
    module.walk([&](gpu::GPUFuncOp kernel) {
      if (hasTileOps(kernel))
        kernels.push_back(kernel);
    });
    DenseMap<Operation *, DictionaryAttr> lowered;
    for (gpu::GPUFuncOp kernel : kernels) {
      if (failed(lowerKernelTiles(kernel, *kind, options)))
        return signalPassFailure();
      lowered[kernel] =
          kernel->getAttrOfType<DictionaryAttr>(kKernelInfoAttrName);
    }

    // Step 3. The launches of these kernels get the dynamic shared memory
    // their kernel needs, and its description.
    module.walk([&](gpu::LaunchFuncOp launch) {
      auto kernel = SymbolTable::lookupNearestSymbolFrom<gpu::GPUFuncOp>(
          launch, launch.getKernel());
      DictionaryAttr info = kernel ? lowered.lookup(kernel) : DictionaryAttr();
      if (!info)
        return;
      OpBuilder b(launch);
      auto bytes = cast<IntegerAttr>(info.get(kSharedBytesField));
      Value size =
          arith::ConstantIntOp::create(b, launch.getLoc(), bytes.getInt(), 32);
      launch.getDynamicSharedMemorySizeMutable().assign(size);
      launch->setAttr(kKernelInfoAttrName, info);
    });
  }
};
} // namespace
