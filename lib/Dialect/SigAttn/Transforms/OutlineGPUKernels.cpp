//===- OutlineGPUKernels.cpp - tiled grids become GPU kernels -------------===//
//
// The grid scf.forall of sigattn-tile becomes a gpu.func with the pointer
// ABI of sigattn/Runtime/KernelABI.h and a gpu.launch_func in its place.
// The tile ops move into the kernel unchanged: how they are lowered (mma.sync,
// wgmma) is decided later.
//
//===----------------------------------------------------------------------===//

#include "sigattn/Dialect/SigAttn/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Transforms/RegionUtils.h"
#include "sigattn/Dialect/SigAttn/IR/SigAttnOps.h"
#include "sigattn/Runtime/KernelABI.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"

namespace mlir::sigattn {
#define GEN_PASS_DEF_SIGATTNOUTLINEGPUKERNELS
#include "sigattn/Dialect/SigAttn/Transforms/Passes.h.inc"
} // namespace mlir::sigattn

using namespace mlir;
using namespace mlir::sigattn;
namespace abi = ::sigattn::abi;

namespace {

/// Name of the gpu.module that holds every sigattn kernel.
constexpr StringLiteral kKernelModuleName = "sigattn_kernels";

/// The buffers a grid reads and writes, by tensor (abi::Tensor), and what
/// it computes.
struct GridBuffers {
  abi::KernelKind kind = abi::KernelKind::kAttention;
  std::array<Value, 8> tensors;
  Value slopes;
  /// Rows of the block's row tiles and of a column tile.
  int64_t rowBlock = 0, columnBlock = 0;

  Value &operator[](abi::Tensor t) { return tensors[static_cast<int>(t)]; }
  Value operator[](abi::Tensor t) const { return tensors[static_cast<int>(t)]; }
  /// The kernel's tensors in parameter order (abi::tensorOf).
  SmallVector<Value> inOrder() const {
    SmallVector<Value> result;
    for (int i = 0; i < abi::numTensors(kind); ++i)
      result.push_back((*this)[abi::tensorOf(kind, i)]);
    return result;
  }
};

/// True for a grid produced by sigattn-tile: block-mapped, holding tile ops.
static bool isAttentionGrid(scf::ForallOp grid) {
  std::optional<ArrayAttr> mapping = grid.getMapping();
  if (!mapping || mapping->size() != 3 ||
      !llvm::all_of(*mapping, llvm::IsaPred<gpu::GPUBlockMappingAttr>))
    return false;
  return !grid.getBody()->getOps<StoreTileOp>().empty();
}

/// Reads of tensors from outside the grid (canonicalization folds
/// memref.load of bufferization.to_buffer into tensor.extract) become reads
/// of a buffer again: the kernel only takes buffers.
static void readTensorsThroughBuffers(scf::ForallOp grid) {
  SmallVector<tensor::ExtractOp> extracts;
  grid.walk([&](tensor::ExtractOp extract) {
    if (!grid.getRegion().isAncestor(extract.getTensor().getParentRegion()))
      extracts.push_back(extract);
  });
  OpBuilder b(grid);
  DenseMap<Value, Value> buffers;
  for (tensor::ExtractOp extract : extracts) {
    Value tensor = extract.getTensor();
    Value &buffer = buffers[tensor];
    if (!buffer) {
      auto type = cast<RankedTensorType>(tensor.getType());
      buffer = bufferization::ToBufferOp::create(
          b, extract.getLoc(),
          MemRefType::get(type.getShape(), type.getElementType()), tensor,
          /*read_only=*/true);
    }
    OpBuilder inner(extract);
    Value load = memref::LoadOp::create(inner, extract.getLoc(), buffer,
                                        extract.getIndices());
    extract.replaceAllUsesWith(load);
    extract.erase();
  }
}

/// True when the grid's tile steps bound the columns from above in the
/// rows' orientation (for the forward pass and dq, a window with a right
/// side: causal, or a band), so that the work per block grows with the row
/// tile.
static bool growsWithRowTile(scf::ForallOp grid) {
  bool bounded = false;
  grid.walk([&](TileStepInterface step) {
    bounded |= step.getRowRight() != AttentionOp::kUnbounded;
  });
  return bounded;
}

/// The tensors of a kernel of `kind`: its resident row tiles, in the tile
/// steps' order, the column sources, in theirs, and the outputs, in the
/// order of the steps' accumulators.
static SmallVector<abi::Tensor, 2> rowTensors(abi::KernelKind kind) {
  SmallVector<abi::Tensor, 2> result;
  for (int i = 0; i < abi::numRowTensors(kind); ++i)
    result.push_back(abi::rowTensor(kind, i));
  return result;
}
static SmallVector<abi::Tensor, 2> columnTensors(abi::KernelKind kind) {
  return {abi::columnTensor(kind, 0), abi::columnTensor(kind, 1)};
}
static SmallVector<abi::Tensor, 2> outputTensors(abi::KernelKind kind) {
  SmallVector<abi::Tensor, 2> result;
  for (int i = 0; i < abi::numOutputs(kind); ++i)
    result.push_back(abi::outputTensor(kind, i));
  return result;
}

/// Finds what the grid computes and the role of every buffer it uses.
static FailureOr<GridBuffers> findBuffers(scf::ForallOp grid) {
  GridBuffers buffers;
  // Step 1. The kind, from the tile steps (one kind per grid).
  TileStepInterface first;
  WalkResult kinds = grid.walk([&](TileStepInterface step) {
    if (!first)
      first = step;
    if (step->getName() != first->getName()) {
      step.emitOpError() << "sigattn-outline-gpu-kernels: one grid holds "
                         << first->getName() << " and " << step->getName()
                         << "; expected one kind of tile step per grid";
      return WalkResult::interrupt();
    }
    return WalkResult::advance();
  });
  if (kinds.wasInterrupted())
    return failure();
  if (!first)
    return grid.emitOpError("expected tile steps in the grid");
  if (isa<GradKVStepOp>(first))
    buffers.kind = abi::KernelKind::kGradKV;
  else if (isa<GradQStepOp>(first))
    buffers.kind = abi::KernelKind::kGradQ;
  buffers.columnBlock = first.getColumnBlock();

  // Step 2. Each buffer by what reads or writes it.
  auto assign = [&](abi::Tensor t, Value v) -> LogicalResult {
    Value &slot = buffers[t];
    if (slot && slot != v)
      return grid.emitOpError()
             << "uses two different " << abi::tensorRoleName(t)
             << " buffers; expected one per grid";
    slot = v;
    return success();
  };
  SmallVector<abi::Tensor, 2> rows = rowTensors(buffers.kind);
  SmallVector<abi::Tensor, 2> columns = columnTensors(buffers.kind);
  SmallVector<abi::Tensor, 2> outputs = outputTensors(buffers.kind);
  WalkResult result = grid.walk([&](Operation *op) -> WalkResult {
    LogicalResult ok = success();
    if (auto step = dyn_cast<TileStepInterface>(op)) {
      for (auto [j, source] : llvm::enumerate(step.getColumnSources()))
        if (failed(assign(columns[j], source)))
          return WalkResult::interrupt();
      for (auto [i, tile] : llvm::enumerate(step.getRowTiles())) {
        auto load = tile.getDefiningOp<LoadTileOp>();
        if (!load) {
          step.emitOpError("expected its row tiles loaded by "
                           "sigattn.load_tile in the grid");
          return WalkResult::interrupt();
        }
        buffers.rowBlock = load.getType().getDimSize(0);
        if (failed(assign(rows[i], load.getSource())))
          return WalkResult::interrupt();
      }
    } else if (auto store = dyn_cast<StoreTileOp>(op)) {
      // The accumulator a store writes: which result of the steps (or of
      // the loops that carry them) it is.
      auto result = dyn_cast<OpResult>(store.getTile());
      unsigned index = result ? result.getResultNumber() : 0;
      if (index >= outputs.size()) {
        store.emitOpError("expected to store one of the tile steps' "
                          "accumulators");
        return WalkResult::interrupt();
      }
      ok = assign(outputs[index], store.getDest());
    } else if (auto load = dyn_cast<memref::LoadOp>(op)) {
      Value &slot = buffers.slopes;
      if (slot && slot != load.getMemRef()) {
        grid.emitOpError() << "uses two different alibi slope buffers; "
                              "expected one per grid";
        return WalkResult::interrupt();
      }
      slot = load.getMemRef();
    }
    return failed(ok) ? WalkResult::interrupt() : WalkResult::advance();
  });
  if (result.wasInterrupted())
    return failure();
  for (Value buffer : buffers.inOrder())
    if (!buffer)
      return grid.emitOpError("expected row tile loads, tile steps and a "
                              "tile store per accumulator in the grid");
  return buffers;
}

/// Contiguous strides of `shape`, dynamic where they depend on a dynamic
/// size.
static SmallVector<int64_t> contiguousStrides(ArrayRef<int64_t> shape) {
  SmallVector<int64_t> strides(shape.size(), 1);
  for (int64_t i = static_cast<int64_t>(shape.size()) - 2; i >= 0; --i) {
    strides[i] = ShapedType::isDynamic(strides[i + 1]) ||
                         ShapedType::isDynamic(shape[i + 1])
                     ? ShapedType::kDynamic
                     : strides[i + 1] * shape[i + 1];
  }
  return strides;
}

/// Views the pointer `base` (a 0-d memref) as a tensor of `type`'s shape
/// with the given sizes for its dynamic dims, and the given strides, or,
/// without them, contiguous.
static Value viewAs(OpBuilder &b, Location loc, Value base, MemRefType type,
                    ArrayRef<OpFoldResult> sizes,
                    ArrayRef<OpFoldResult> givenStrides = {}) {
  SmallVector<int64_t> staticStrides = contiguousStrides(type.getShape());
  SmallVector<OpFoldResult> strides(sizes.size(), b.getIndexAttr(1));
  if (!givenStrides.empty()) {
    strides.assign(givenStrides.begin(), givenStrides.end());
    for (auto [i, stride] : llvm::enumerate(strides)) {
      std::optional<int64_t> constant = getConstantIntValue(stride);
      staticStrides[i] = constant ? *constant : ShapedType::kDynamic;
    }
  } else {
    for (int64_t i = static_cast<int64_t>(sizes.size()) - 2; i >= 0; --i) {
      if (!ShapedType::isDynamic(staticStrides[i])) {
        strides[i] = b.getIndexAttr(staticStrides[i]);
        continue;
      }
      Value next = getValueOrCreateConstantIndexOp(b, loc, strides[i + 1]);
      Value size = getValueOrCreateConstantIndexOp(b, loc, sizes[i + 1]);
      strides[i] = arith::MulIOp::create(b, loc, next, size).getResult();
    }
  }
  auto layout =
      StridedLayoutAttr::get(b.getContext(), /*offset=*/0, staticStrides);
  auto viewType = MemRefType::get(type.getShape(), type.getElementType(),
                                  layout, type.getMemorySpace());
  return memref::ReinterpretCastOp::create(b, loc, viewType, base,
                                           b.getIndexAttr(0), sizes, strides);
}

/// The buffer the host reads a tensor operand through: for one the tiling
/// read with `bufferization.to_buffer` (an identity layout), a second read
/// with any strides and offset, so that the tensor bufferizes to a cast of
/// whatever view it is (q sliced out of a packed qkv tensor, a [B, H, N, D]
/// tensor transposed) rather than to a copy on the host, which could not
/// read device memory anyway.
static Value hostBuffer(Value buffer) {
  auto toBuffer = buffer.getDefiningOp<bufferization::ToBufferOp>();
  if (!toBuffer)
    return buffer;
  auto type = cast<MemRefType>(buffer.getType());
  SmallVector<int64_t> strides(type.getRank(), ShapedType::kDynamic);
  auto layout =
      StridedLayoutAttr::get(type.getContext(), ShapedType::kDynamic, strides);
  OpBuilder b(toBuffer->getContext());
  b.setInsertionPointAfter(toBuffer);
  return bufferization::ToBufferOp::create(
      b, toBuffer.getLoc(),
      MemRefType::get(type.getShape(), type.getElementType(), layout,
                      type.getMemorySpace()),
      toBuffer.getTensor(), toBuffer.getReadOnly());
}

/// The kernel takes q, k, v and out with any strides and offset but a
/// contiguous last dimension: checks that `buffer`'s layout does not rule
/// one out (a dynamic last stride is checked at run time,
/// assertKernelLayout).
static LogicalResult checkKernelLayout(Value buffer, StringRef role,
                                       Operation *grid) {
  auto type = cast<MemRefType>(buffer.getType());
  SmallVector<int64_t> strides;
  int64_t offset;
  if (failed(type.getStridesAndOffset(strides, offset)) ||
      (strides.back() != 1 && !ShapedType::isDynamic(strides.back())))
    return grid->emitOpError()
           << "sigattn-outline-gpu-kernels: the " << role << " buffer " << type
           << " must have a contiguous last dimension (stride 1)";
  // With an offset, the launch passes the first element's address as a
  // pointer of the buffer's address space.
  if (offset != 0 && type.getMemorySpace() &&
      !isa<IntegerAttr>(type.getMemorySpace()))
    return grid->emitOpError()
           << "sigattn-outline-gpu-kernels: the " << role << " buffer " << type
           << " has an offset and a memory space that is not a number: the "
              "address of its first element cannot be passed";
  return success();
}

/// True when `buffer`'s offset (elements from its aligned pointer to its
/// first element) is 0 by its type.
static bool hasZeroOffset(Value buffer) {
  auto type = cast<MemRefType>(buffer.getType());
  SmallVector<int64_t> strides;
  int64_t offset;
  return succeeded(type.getStridesAndOffset(strides, offset)) && offset == 0;
}

/// What the launch reads off a host buffer, once: its metadata (offset,
/// sizes, strides) and the address of its first element as i64 (the
/// aligned pointer plus the offset in bytes).
struct HostView {
  Value buffer;
  memref::ExtractStridedMetadataOp metadata;
  Value address;
};

static HostView readHostView(OpBuilder &b, Location loc, Value buffer) {
  Value address =
      memref::ExtractAlignedPointerAsIndexOp::create(b, loc, buffer);
  auto metadata = memref::ExtractStridedMetadataOp::create(b, loc, buffer);
  if (!hasZeroOffset(buffer)) {
    auto type = cast<MemRefType>(buffer.getType());
    Value bytes = arith::ConstantIndexOp::create(
        b, loc, type.getElementTypeBitWidth() / 8);
    Value offset =
        arith::MulIOp::create(b, loc, metadata.getOffset(), bytes).getResult();
    address = arith::AddIOp::create(b, loc, address, offset);
  }
  return {buffer, metadata,
          arith::IndexCastOp::create(b, loc, b.getI64Type(), address)};
}

/// The strides (i64 elements) of a [B, N, H, dim] host buffer that the
/// kernel takes: batch, row, head.
static SmallVector<Value, 3> hostStrides(OpBuilder &b, Location loc,
                                         HostView view) {
  memref::ExtractStridedMetadataOp metadata = view.metadata;
  SmallVector<Value, 3> result;
  for (int64_t d = 0; d < 3; ++d)
    result.push_back(arith::IndexCastOp::create(b, loc, b.getI64Type(),
                                                metadata.getStrides()[d]));
  return result;
}

/// Run-time checks on the host of what the kernel assumes of a buffer and
/// its type does not show (the runtime's launch checks the same,
/// docs/KernelABI.md): a contiguous last dimension; strides (i64 `strides`:
/// batch, row, head) that are multiples of kStrideAlignment elements, not
/// negative, rows less than kMaxRowStride apart; a 16-byte aligned first
/// element. Checks that hold by the type fold away.
static void assertKernelLayout(OpBuilder &b, Location loc, HostView view,
                               ArrayRef<Value> strides, StringRef role) {
  auto constant = [&](int64_t v) -> Value {
    return arith::ConstantIntOp::create(b, loc, v, 64);
  };
  using P = arith::CmpIPredicate;
  Value zero = constant(0);
  Value lastStride = arith::IndexCastOp::create(b, loc, b.getI64Type(),
                                                view.metadata.getStrides()[3]);
  cf::AssertOp::create(
      b, loc, arith::CmpIOp::create(b, loc, P::eq, lastStride, constant(1)),
      (Twine("sigattn launch: the ") + role +
       " must have a contiguous last dimension (stride 1)")
          .str());
  Value any = arith::OrIOp::create(
      b, loc, arith::OrIOp::create(b, loc, strides[0], strides[1]), strides[2]);
  Value ok = arith::CmpIOp::create(
      b, loc, P::eq,
      arith::AndIOp::create(b, loc, any, constant(abi::kStrideAlignment - 1)),
      zero);
  for (Value stride : strides)
    ok = arith::AndIOp::create(
        b, loc, ok, arith::CmpIOp::create(b, loc, P::sge, stride, zero));
  ok = arith::AndIOp::create(
      b, loc, ok,
      arith::CmpIOp::create(b, loc, P::slt, strides[1],
                            constant(abi::kMaxRowStride)));
  cf::AssertOp::create(
      b, loc, ok,
      (Twine("sigattn launch: the ") + role +
       " strides (batch, row, head) must be multiples of " +
       Twine(abi::kStrideAlignment) +
       " elements, not negative, rows less than 2^21 elements apart")
          .str());
  Value misaligned = arith::AndIOp::create(
      b, loc, view.address, constant(abi::kPointerAlignment - 1));
  cf::AssertOp::create(
      b, loc, arith::CmpIOp::create(b, loc, P::eq, misaligned, zero),
      (Twine("sigattn launch: the ") + role + " pointer is not " +
       Twine(abi::kPointerAlignment) + "-byte aligned")
          .str());
}

/// The 0-d memref a host buffer is passed as: one bare pointer, the launch's
/// aligned pointer. With offset 0 that is the buffer's own; otherwise a
/// descriptor whose pointers are the first element's address (the bare
/// pointer convention passes no offset), built in the LLVM dialect and cast
/// back to the memref type, which the host's lowering to LLVM reconciles.
static Value asPointer(OpBuilder &b, Location loc, HostView view) {
  Value buffer = view.buffer;
  auto type = cast<MemRefType>(buffer.getType());
  auto pointerType =
      MemRefType::get({}, type.getElementType(), MemRefLayoutAttrInterface(),
                      type.getMemorySpace());
  if (hasZeroOffset(buffer))
    return memref::ReinterpretCastOp::create(
        b, loc, pointerType, buffer, b.getIndexAttr(0),
        ArrayRef<OpFoldResult>{}, ArrayRef<OpFoldResult>{});
  // checkKernelLayout: the memory space is a number, or none.
  auto space = dyn_cast_if_present<IntegerAttr>(type.getMemorySpace());
  unsigned addressSpace = space ? space.getInt() : 0;
  MLIRContext *ctx = b.getContext();
  auto ptrType = LLVM::LLVMPointerType::get(ctx, addressSpace);
  Type i64 = b.getI64Type();
  Value pointer = LLVM::IntToPtrOp::create(b, loc, ptrType, view.address);
  auto descriptorType =
      LLVM::LLVMStructType::getLiteral(ctx, {ptrType, ptrType, i64});
  Value descriptor = LLVM::PoisonOp::create(b, loc, descriptorType);
  auto insert = [&](Value field, int64_t position) {
    descriptor = LLVM::InsertValueOp::create(b, loc, descriptor, field,
                                             ArrayRef<int64_t>{position});
  };
  insert(pointer, 0);                                  // allocated
  insert(pointer, 1);                                  // aligned
  insert(LLVM::ConstantOp::create(b, loc, i64, 0), 2); // offset
  return UnrealizedConversionCastOp::create(b, loc, pointerType, descriptor)
      .getResult(0);
}

class Outliner {
public:
  Outliner(ModuleOp module, int64_t numWarps, LoadKind loads, StoreKind stores,
           ScheduleKind schedule, int64_t kvStages)
      : module(module), numWarps(numWarps), loads(loads), stores(stores),
        schedule(schedule), kvStages(kvStages) {}

  /// Outlines `grid`, whose buffers `buffers` names, as kernel `name`.
  FailureOr<gpu::GPUFuncOp> outline(scf::ForallOp grid,
                                    const GridBuffers &buffers, StringRef name);

private:
  gpu::GPUModuleOp getKernelModule();
  /// The in-kernel equivalent of `v`, a value the grid uses from outside.
  FailureOr<Value> recompute(OpBuilder &b, Value v, IRMapping &mapping);

  /// The host's encoding of the CUtensorMap of `view`'s buffer ([B, N, H, dim]
  /// with `strides`, i64 elements between batches, rows and heads) for TMA
  /// boxes of `boxRows` rows: a 64-byte aligned stack slot filled by
  /// sigattn_encode_tensor_map.
  Value encodeTensorMap(OpBuilder &b, Location loc, HostView view,
                        ArrayRef<Value> strides, int64_t boxRows);

  /// Threads per block: the computing warps and the producer's.
  int64_t blockThreads() const {
    return 32 *
           (numWarps +
            (schedule == ScheduleKind::Specialized ? abi::kProducerWarps : 0));
  }

  ModuleOp module;
  int64_t numWarps;
  LoadKind loads;
  StoreKind stores;
  ScheduleKind schedule;
  int64_t kvStages;
  gpu::GPUModuleOp kernelModule;
};

Value Outliner::encodeTensorMap(OpBuilder &b, Location loc, HostView view,
                                ArrayRef<Value> strides, int64_t boxRows) {
  MLIRContext *ctx = b.getContext();
  Type i64 = b.getI64Type();
  auto ptrType = LLVM::LLVMPointerType::get(ctx);
  SmallVector<Type> params = {ptrType};
  params.append(10, i64);
  auto fnType = FunctionType::get(ctx, params, {b.getI32Type()});
  if (!module.lookupSymbol<func::FuncOp>(kEncodeTensorMapName)) {
    OpBuilder mb = OpBuilder::atBlockBegin(module.getBody());
    auto decl = func::FuncOp::create(mb, loc, kEncodeTensorMapName, fnType);
    decl.setPrivate();
  }
  Value buffer = view.buffer;
  auto type = cast<MemRefType>(buffer.getType());
  Value one = arith::ConstantIntOp::create(b, loc, 1, 64);
  Value map = LLVM::AllocaOp::create(
      b, loc, ptrType, LLVM::LLVMArrayType::get(i64, abi::kTensorMapBytes / 8),
      one, abi::kTensorMapAlignment);
  auto toI64 = [&](Value index) -> Value {
    return arith::IndexCastOp::create(b, loc, i64, index);
  };
  SmallVector<Value> args = {map, view.address};
  for (int64_t d = 0; d < 4; ++d)
    args.push_back(toI64(memref::DimOp::create(b, loc, buffer, d)));
  llvm::append_range(args, strides);
  args.push_back(arith::ConstantIntOp::create(b, loc, boxRows, 64));
  args.push_back(arith::ConstantIntOp::create(
      b, loc, type.getElementType().isBF16() ? 0 : 1, 64));
  Value status =
      func::CallOp::create(b, loc, kEncodeTensorMapName, b.getI32Type(), args)
          .getResult(0);
  Value zero = arith::ConstantIntOp::create(b, loc, 0, 32);
  cf::AssertOp::create(
      b, loc,
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, status, zero),
      (Twine("sigattn launch: ") + kEncodeTensorMapName +
       " refused a tensor map (strides or sizes beyond what TMA takes)")
          .str());
  return map;
}

gpu::GPUModuleOp Outliner::getKernelModule() {
  if (kernelModule)
    return kernelModule;
  kernelModule = module.lookupSymbol<gpu::GPUModuleOp>(kKernelModuleName);
  if (!kernelModule) {
    OpBuilder b = OpBuilder::atBlockEnd(module.getBody());
    kernelModule =
        gpu::GPUModuleOp::create(b, module.getLoc(), kKernelModuleName);
  }
  module->setAttr(gpu::GPUDialect::getContainerModuleAttrName(),
                  UnitAttr::get(module.getContext()));
  return kernelModule;
}

FailureOr<Value> Outliner::recompute(OpBuilder &b, Value v,
                                     IRMapping &mapping) {
  if (Value mapped = mapping.lookupOrNull(v))
    return mapped;
  Operation *def = v.getDefiningOp();
  if (auto dim = dyn_cast_if_present<memref::DimOp>(def)) {
    Value source = mapping.lookupOrNull(dim.getSource());
    std::optional<int64_t> index = dim.getConstantIndex();
    if (source && index) {
      Value inner = memref::DimOp::create(b, def->getLoc(), source, *index);
      mapping.map(v, inner);
      return inner;
    }
  }
  // A size of a tensor read through one of the buffers (canonicalization
  // folds memref.dim of bufferization.to_buffer into tensor.dim).
  if (auto dim = dyn_cast_if_present<tensor::DimOp>(def)) {
    std::optional<int64_t> index = dim.getConstantIndex();
    for (Operation *user : dim.getSource().getUsers()) {
      auto toBuffer = dyn_cast<bufferization::ToBufferOp>(user);
      Value source =
          toBuffer ? mapping.lookupOrNull(toBuffer.getResult()) : Value();
      if (source && index) {
        Value inner = memref::DimOp::create(b, def->getLoc(), source, *index);
        mapping.map(v, inner);
        return inner;
      }
    }
  }
  // Constants and arithmetic on recomputable values are cloned.
  if (def && (isa<arith::ConstantOp>(def) ||
              def->getDialect() ==
                  def->getContext()->getLoadedDialect<arith::ArithDialect>())) {
    for (Value operand : def->getOperands()) {
      if (failed(recompute(b, operand, mapping)))
        return failure();
    }
    Operation *clone = b.clone(*def, mapping);
    return clone->getResult(cast<OpResult>(v).getResultNumber());
  }
  return emitError(v.getLoc())
         << "sigattn-outline-gpu-kernels: cannot recompute a value the grid "
            "uses inside the kernel";
}

/// Checks the grid sizes known at compile time against CUDA's launch limits:
/// x (query tiles) <= 2^31 - 1, y (query heads) and z (batches) <= 65535.
/// They are read off the buffers' static sizes and the query tile's rows,
/// whatever canonicalization has folded.
static LogicalResult checkLaunchLimits(scf::ForallOp grid,
                                       const GridBuffers &buffers) {
  // The grid goes over the row tensor's tiles and heads.
  auto rowType =
      cast<MemRefType>(buffers[rowTensors(buffers.kind).front()].getType());
  bool keys = buffers.kind == abi::KernelKind::kGradKV;
  int64_t rows = buffers.rowBlock;
  auto tiles = [&](int64_t n) -> std::optional<int64_t> {
    if (ShapedType::isDynamic(n) || rows <= 0)
      return std::nullopt;
    return n / rows + (n % rows != 0);
  };
  auto size = [](int64_t n) -> std::optional<int64_t> {
    return ShapedType::isDynamic(n) ? std::nullopt : std::optional(n);
  };
  struct Limit {
    StringRef dim, what;
    std::optional<int64_t> size;
    int64_t max;
  } limits[] = {{"x", keys ? "key tiles" : "query tiles",
                 tiles(rowType.getDimSize(1)), abi::kMaxGridX},
                {"y", keys ? "kv heads" : "query heads",
                 size(rowType.getDimSize(2)), abi::kMaxGridYZ},
                {"z", "batches", size(rowType.getDimSize(0)), abi::kMaxGridYZ}};
  for (const Limit &limit : limits) {
    if (limit.size && *limit.size > limit.max)
      return grid.emitOpError()
             << "sigattn-outline-gpu-kernels: the grid has " << *limit.size
             << " " << limit.what << " (grid " << limit.dim
             << "), more than a launch allows (" << limit.max << ")";
  }
  return success();
}

FailureOr<gpu::GPUFuncOp> Outliner::outline(scf::ForallOp grid,
                                            const GridBuffers &gridBuffers,
                                            StringRef name) {
  const GridBuffers *buffers = &gridBuffers;
  if (failed(checkLaunchLimits(grid, *buffers)))
    return failure();
  MLIRContext *ctx = grid.getContext();
  Location loc = grid.getLoc();
  abi::KernelKind kind = buffers->kind;
  bool forward = kind == abi::KernelKind::kAttention;
  // TMA stores stage each warpgroup's rows of O where its rows of Q were.
  int64_t headDim =
      cast<MemRefType>((*buffers)[abi::Tensor::kQuery].getType()).getDimSize(3);
  int64_t valueDim =
      cast<MemRefType>((*buffers)[abi::Tensor::kValue].getType()).getDimSize(3);
  bool fits = forward && !ShapedType::isDynamic(headDim) &&
              !ShapedType::isDynamic(valueDim) && valueDim <= headDim;
  bool tmaStores = false;
  if (stores == StoreKind::Tma && !forward)
    return grid.emitOpError()
           << "sigattn-outline-gpu-kernels: stores=tma is not supported for "
              "the backward kernels yet (kind "
           << abi::kindName(kind) << "): use stores=direct or auto";
  if (stores == StoreKind::Tma) {
    if (!fits)
      return grid.emitOpError()
             << "sigattn-outline-gpu-kernels: stores=tma stages O where Q "
                "was and needs Dv <= D (Dv = "
             << valueDim << ", D = " << headDim << "): use stores=direct";
    tmaStores = true;
  } else if (stores == StoreKind::Auto) {
    tmaStores = loads == LoadKind::Tma && fits;
  }

  // Step 1. The kernel signature: pointers (abi::tensorOf order), then B,
  // Nq, Nk and the strides of each tensor as i64.
  SmallVector<Value> pointers = buffers->inOrder();
  int numTensors = abi::numTensors(kind);
  SmallVector<StringRef> roles;
  for (int i = 0; i < numTensors; ++i)
    roles.push_back(abi::tensorRoleName(abi::tensorOf(kind, i)));
  SmallVector<Value> hostPointers;
  for (auto [buffer, role] : llvm::zip(pointers, roles)) {
    hostPointers.push_back(hostBuffer(buffer));
    if (failed(checkKernelLayout(hostPointers.back(), role, grid)))
      return failure();
  }
  if (buffers->slopes)
    pointers.push_back(buffers->slopes);
  SmallVector<Type> argTypes;
  for (Value p : pointers) {
    auto type = cast<MemRefType>(p.getType());
    argTypes.push_back(MemRefType::get({}, type.getElementType(),
                                       MemRefLayoutAttrInterface(),
                                       type.getMemorySpace()));
  }
  Type i64 = IntegerType::get(ctx, 64);
  argTypes.append(abi::kNumSizeParams, i64);
  // The strides of each tensor (batch, row, head; elements).
  unsigned firstStride = argTypes.size();
  argTypes.append(abi::numStrideParams(kind), i64);
  // A run-time scale and bias (f32 operands of the tile steps) follow the
  // sizes, in that order.
  Value scaleValue, biasValue;
  WalkResult scalarWalk = grid.walk([&](TileStepInterface step) {
    if (!scaleValue && !biasValue) {
      scaleValue = step.getScaleValue();
      biasValue = step.getBiasValue();
    }
    if (step.getScaleValue() != scaleValue || step.getBiasValue() != biasValue)
      return WalkResult::interrupt();
    return WalkResult::advance();
  });
  if (scalarWalk.wasInterrupted())
    return grid.emitOpError()
           << "sigattn-outline-gpu-kernels: the tile steps of one grid must "
              "share one run-time scale and one run-time bias";
  SmallVector<Value, 2> scalars;
  for (Value v : {scaleValue, biasValue})
    if (v)
      scalars.push_back(v);
  unsigned firstScalar = argTypes.size();
  argTypes.append(scalars.size(), Float32Type::get(ctx));
  // TMA loads: the CUtensorMaps of the inputs (and the outputs', TMA
  // stores).
  unsigned firstMap = argTypes.size();
  int numMaps = tmaStores ? numTensors : abi::numInputs(kind);
  if (loads == LoadKind::Tma)
    argTypes.append(numMaps, LLVM::LLVMPointerType::get(ctx));

  gpu::GPUModuleOp gpuModule = getKernelModule();
  OpBuilder kb = OpBuilder::atBlockEnd(gpuModule.getBody());
  auto kernel = gpu::GPUFuncOp::create(kb, loc, name,
                                       FunctionType::get(ctx, argTypes, {}));
  kernel->setAttr(gpu::GPUDialect::getKernelFuncAttrName(), UnitAttr::get(ctx));
  kernel.setKnownBlockSizeAttr(DenseI32ArrayAttr::get(
      ctx, {static_cast<int32_t>(blockThreads()), 1, 1}));
  if (schedule == ScheduleKind::Specialized) {
    kernel->setAttr(kProducerWarpsAttrName,
                    IntegerAttr::get(i64, abi::kProducerWarps));
    kernel->setAttr(kKVStagesAttrName, IntegerAttr::get(i64, kvStages));
  }
  for (unsigned i = 0; i < pointers.size(); ++i) {
    kernel.setArgAttr(i, "llvm.noalias", UnitAttr::get(ctx));
    kernel.setArgAttr(i, "llvm.align",
                      IntegerAttr::get(i64, abi::kPointerAlignment));
  }
  if (loads == LoadKind::Tma) {
    SmallVector<int64_t> maps;
    for (unsigned i = firstMap; i < argTypes.size(); ++i) {
      kernel.setArgAttr(i, "llvm.align",
                        IntegerAttr::get(i64, abi::kTensorMapAlignment));
      maps.push_back(i);
    }
    kernel->setAttr(kTensorMapsAttrName, DenseI64ArrayAttr::get(ctx, maps));
  }
  SymbolTable(gpuModule).insert(kernel);

  // Step 2. Inside: sizes, [B, N, H, D] views, grid position.
  Block &entry = kernel.getBody().front();
  OpBuilder b = OpBuilder::atBlockBegin(&entry);
  auto arg = [&](unsigned i) { return entry.getArgument(i); };
  unsigned sizeArg = pointers.size();
  auto toIndex = [&](Value v) -> Value {
    return arith::IndexCastOp::create(b, loc, b.getIndexType(), v);
  };
  Value batch = toIndex(arg(sizeArg)), seqQ = toIndex(arg(sizeArg + 1)),
        seqK = toIndex(arg(sizeArg + 2));

  IRMapping mapping;
  for (auto [i, v] : llvm::enumerate(scalars))
    if (!mapping.contains(v)) // one value for both maps to the first
      mapping.map(v, arg(firstScalar + i));
  auto sizesOf = [&](Value buffer, Value seq) {
    auto type = cast<MemRefType>(buffer.getType());
    SmallVector<OpFoldResult> sizes;
    for (int64_t i = 0; i < type.getRank(); ++i) {
      if (!type.isDynamicDim(i))
        sizes.push_back(b.getIndexAttr(type.getDimSize(i)));
      else
        sizes.push_back(i == 0 ? batch : seq);
    }
    return sizes;
  };
  for (auto [i, buffer] :
       llvm::enumerate(ArrayRef(pointers).take_front(numTensors))) {
    auto type = cast<MemRefType>(buffer.getType());
    SmallVector<OpFoldResult> strides;
    for (unsigned d = 0; d < 3; ++d)
      strides.push_back(toIndex(arg(firstStride + 3 * i + d)));
    strides.push_back(b.getIndexAttr(1));
    Value seq = abi::isKeyTensor(abi::tensorOf(kind, i)) ? seqK : seqQ;
    mapping.map(buffer,
                viewAs(b, loc, arg(i), type, sizesOf(buffer, seq), strides));
  }
  if (buffers->slopes) {
    // [Hq] or [B, Hq]: only the batch can be dynamic.
    auto type = cast<MemRefType>(buffers->slopes.getType());
    SmallVector<OpFoldResult> sizes;
    for (int64_t i = 0; i < type.getRank(); ++i)
      sizes.push_back(type.isDynamicDim(i)
                          ? OpFoldResult(batch)
                          : OpFoldResult(b.getIndexAttr(type.getDimSize(i))));
    mapping.map(buffers->slopes, viewAs(b, loc, arg(numTensors), type, sizes));
  }
  // Where the mask bounds the columns from above in the rows' orientation
  // (causal, or a window's right side, for query rows), later row tiles see
  // more columns: the blocks take the row tiles from the last, so that the
  // heaviest blocks start first and the lightest fill the grid's last wave
  // (blocks start in blockIdx.x order). Causal key rows see fewer queries
  // the later they are: ascending is already heaviest first.
  bool descending = growsWithRowTile(grid);
  gpu::Dimension dims[] = {gpu::Dimension::x, gpu::Dimension::y,
                           gpu::Dimension::z};
  for (auto [iv, dim] : llvm::zip_equal(grid.getInductionVars(), dims)) {
    Value id = gpu::BlockIdOp::create(b, loc, dim);
    if (dim == gpu::Dimension::x && descending) {
      Value last = arith::SubIOp::create(
          b, loc, gpu::GridDimOp::create(b, loc, dim),
          arith::ConstantIndexOp::create(b, loc, 1));
      id = arith::SubIOp::create(b, loc, last, id);
    }
    mapping.map(iv, id);
  }

  // The host's sizes of the buffers it allocated (the output of an earlier
  // op, read here as q, k or v) are the sizes of the kernel's views.
  for (Value buffer : pointers) {
    auto alloc = buffer.getDefiningOp<memref::AllocOp>();
    if (!alloc)
      continue;
    MemRefType type = alloc.getType();
    unsigned next = 0;
    for (int64_t d = 0; d < type.getRank(); ++d) {
      if (!type.isDynamicDim(d))
        continue;
      Value size = alloc.getDynamicSizes()[next++];
      if (!mapping.contains(size))
        mapping.map(size,
                    memref::DimOp::create(b, loc, mapping.lookup(buffer), d)
                        .getResult());
    }
  }

  // Values the grid takes from outside (sizes, constants) are recomputed.
  SetVector<Value> usedAbove;
  getUsedValuesDefinedAbove(grid.getRegion(), usedAbove);
  for (Value v : usedAbove) {
    if (isa<MemRefType>(v.getType()))
      continue; // the buffers, already mapped
    if (failed(recompute(b, v, mapping)))
      return failure();
  }
  for (Operation &op : grid.getBody()->without_terminator())
    b.clone(op, mapping);
  gpu::ReturnOp::create(b, loc);

  // Step 3. The launch replaces the grid on the host.
  OpBuilder hb(grid);
  if (buffers->slopes)
    hostPointers.push_back(buffers->slopes);
  SmallVector<HostView> views;
  SmallVector<Value> operands;
  for (Value p : hostPointers) {
    views.push_back(readHostView(hb, loc, p));
    operands.push_back(asPointer(hb, loc, views.back()));
  }
  auto hostSize = [&](Value buffer, int64_t dim) -> Value {
    Value size = memref::DimOp::create(hb, loc, buffer, dim);
    return arith::IndexCastOp::create(hb, loc, i64, size);
  };
  operands.push_back(hostSize((*buffers)[abi::Tensor::kQuery], 0));
  operands.push_back(hostSize((*buffers)[abi::Tensor::kQuery], 1));
  operands.push_back(hostSize((*buffers)[abi::Tensor::kKey], 1));
  SmallVector<SmallVector<Value, 3>, 6> strides;
  for (auto [view, role] :
       llvm::zip(ArrayRef(views).take_front(numTensors), roles)) {
    strides.push_back(hostStrides(hb, loc, view));
    assertKernelLayout(hb, loc, view, strides.back(), role);
    llvm::append_range(operands, strides.back());
  }
  llvm::append_range(operands, scalars);
  if (loads == LoadKind::Tma) {
    for (int i = 0; i < numMaps; ++i)
      operands.push_back(encodeTensorMap(
          hb, loc, views[i], strides[i],
          abi::tmaBoxRows(abi::tensorOf(kind, i), buffers->columnBlock, kind)));
  }
  SmallVector<Value> gridSize =
      getValueOrCreateConstantIndexOp(hb, loc, grid.getMixedUpperBound());
  Value one = arith::ConstantIndexOp::create(hb, loc, 1);
  Value threads = arith::ConstantIndexOp::create(hb, loc, blockThreads());
  Value smem = arith::ConstantIntOp::create(hb, loc, 0, 32);
  gpu::LaunchFuncOp::create(
      hb, loc, kernel, gpu::KernelDim3{gridSize[0], gridSize[1], gridSize[2]},
      gpu::KernelDim3{threads, one, one}, smem, operands);
  grid.erase();
  // The tiling's reads of the inputs, now used by nothing.
  // (One op where two inputs are one tensor: each is erased once.)
  llvm::SetVector<Operation *> reads;
  for (Value buffer : ArrayRef(pointers).take_front(abi::numInputs(kind)))
    if (auto toBuffer = buffer.getDefiningOp<bufferization::ToBufferOp>())
      reads.insert(toBuffer);
  for (Operation *read : reads)
    if (read->use_empty())
      read->erase();
  return kernel;
}

/// A PTX identifier for the kernel of a function named `func`, unique among
/// `taken`: `<func>_sigattn[_N]`, with every character PTX does not allow
/// in a name replaced by '_' and a leading '_' before a digit.
static std::string kernelName(StringRef func, abi::KernelKind kind,
                              llvm::StringSet<> &taken) {
  // Long function names are cut: the name stays readable in profiles.
  constexpr size_t kMaxBaseLength = 200;
  std::string base;
  for (char c : func.take_front(kMaxBaseLength))
    base += llvm::isAlnum(c) || c == '_' ? c : '_';
  if (base.empty() || llvm::isDigit(base.front()))
    base.insert(base.begin(), '_');
  base += "_sigattn";
  if (kind == abi::KernelKind::kGradKV)
    base += "_grad_kv";
  else if (kind == abi::KernelKind::kGradQ)
    base += "_grad_q";
  std::string name = base;
  for (unsigned n = 1; taken.contains(name); ++n)
    name = base + "_" + std::to_string(n);
  taken.insert(name);
  return name;
}

} // namespace

/// kv-stages=0: 2 without a producer; with one, 3 (a tile being computed,
/// the next one whose S runs under it, and one loading) when the shared
/// memory holds them, else 2.
static int64_t defaultKVStages(const GridBuffers &buffers,
                               ScheduleKind schedule) {
  if (schedule != ScheduleKind::Specialized)
    return abi::kMinKVStages;
  abi::TileShape shape{};
  shape.kind = buffers.kind;
  bool keys = buffers.kind == abi::KernelKind::kGradKV;
  shape.blockQ = keys ? buffers.columnBlock : buffers.rowBlock;
  shape.blockK = keys ? buffers.rowBlock : buffers.columnBlock;
  shape.headDim =
      cast<MemRefType>(buffers[abi::Tensor::kQuery].getType()).getDimSize(3);
  shape.valueDim =
      cast<MemRefType>(buffers[abi::Tensor::kValue].getType()).getDimSize(3);
  shape.tmaLoads = true;
  shape.producerWarps = abi::kProducerWarps;
  shape.kvStages = 3;
  return abi::dynamicSharedBytes(shape) <= abi::kMaxDynamicSharedBytes ? 3 : 2;
}

std::optional<std::string> mlir::sigattn::checkNumWarpsOption(int64_t value) {
  if (value >= 0 && value <= kMaxWarps)
    return std::nullopt;
  return ("num-warps=" + Twine(value) +
          " is out of range (0 for the default, or 1 .. " + Twine(kMaxWarps) +
          ")")
      .str();
}

namespace {

struct SigAttnOutlineGPUKernelsPass
    : public mlir::sigattn::impl::SigAttnOutlineGPUKernelsBase<
          SigAttnOutlineGPUKernelsPass> {
  using SigAttnOutlineGPUKernelsBase::SigAttnOutlineGPUKernelsBase;

  void runOnOperation() override {
    int64_t warps = numWarps;
    if (std::optional<std::string> error = checkNumWarpsOption(warps)) {
      mlir::emitError(getOperation().getLoc())
          << "sigattn-outline-gpu-kernels: " << *error;
      return signalPassFailure();
    }
    FailureOr<MmaKind> kind = parseMmaKind(mma);
    if (failed(kind)) {
      mlir::emitError(getOperation().getLoc())
          << "sigattn-outline-gpu-kernels: unknown mma='" << mma
          << "' (expected sync or wgmma)";
      return signalPassFailure();
    }
    FailureOr<LoadKind> loadKind = parseLoadKind(loads);
    if (failed(loadKind)) {
      mlir::emitError(getOperation().getLoc())
          << "sigattn-outline-gpu-kernels: unknown loads='" << loads
          << "' (expected cp.async or tma)";
      return signalPassFailure();
    }
    FailureOr<StoreKind> storeKind = parseStoreKind(stores);
    if (failed(storeKind)) {
      mlir::emitError(getOperation().getLoc())
          << "sigattn-outline-gpu-kernels: unknown stores='" << stores
          << "' (expected direct, tma or auto)";
      return signalPassFailure();
    }
    if (*storeKind == StoreKind::Tma && *loadKind != LoadKind::Tma) {
      mlir::emitError(getOperation().getLoc())
          << "sigattn-outline-gpu-kernels: stores=tma needs loads=tma (O is "
             "staged in TMA's shared-memory layout)";
      return signalPassFailure();
    }
    if (*loadKind == LoadKind::Tma && *kind != MmaKind::Wgmma) {
      mlir::emitError(getOperation().getLoc())
          << "sigattn-outline-gpu-kernels: loads=tma needs mma=wgmma (the "
             "mma.sync shared-memory layout is not TMA's)";
      return signalPassFailure();
    }
    FailureOr<ScheduleKind> scheduleKind = parseScheduleKind(schedule);
    if (failed(scheduleKind)) {
      mlir::emitError(getOperation().getLoc())
          << "sigattn-outline-gpu-kernels: unknown schedule='" << schedule
          << "' (expected cooperative or specialized)";
      return signalPassFailure();
    }
    if (*scheduleKind == ScheduleKind::Specialized) {
      std::optional<std::string> problem;
      if (*loadKind != LoadKind::Tma)
        problem = "schedule=specialized needs loads=tma (the producer "
                  "issues TMA loads)";
      else if (warps > kMaxWarps - abi::kProducerWarps)
        problem = ("schedule=specialized adds 4 producer warps: num-warps=" +
                   Twine(warps) + " must be at most " +
                   Twine(kMaxWarps - abi::kProducerWarps))
                      .str();
      if (problem) {
        mlir::emitError(getOperation().getLoc())
            << "sigattn-outline-gpu-kernels: " << *problem;
        return signalPassFailure();
      }
    }
    if (std::optional<std::string> error =
            checkKVStagesOption(kvStages, *scheduleKind)) {
      mlir::emitError(getOperation().getLoc())
          << "sigattn-outline-gpu-kernels: " << *error;
      return signalPassFailure();
    }
    ModuleOp module = getOperation();
    // sigattn-tile{dq=reduce} adds dq partials into an f32 buffer: no GPU
    // lowering takes them yet (issue 11).
    WalkResult reduce = module.walk([](GradKVStepOp step) {
      if (!step.getDqAccum())
        return WalkResult::advance();
      step.emitOpError() << "sigattn-outline-gpu-kernels: the dq partial "
                            "sums of sigattn-tile{dq=reduce} have no GPU "
                            "kernel lowering yet; tile with dq=separate";
      return WalkResult::interrupt();
    });
    if (reduce.wasInterrupted())
      return signalPassFailure();
    // Step 1. Every grid's kind and buffers, and its kernel's name.
    struct Planned {
      scf::ForallOp grid;
      GridBuffers buffers;
      std::string name;
      std::optional<size_t> partner;
    };
    SmallVector<Planned> planned;
    llvm::StringSet<> taken;
    SmallVector<scf::ForallOp> grids;
    module.walk([&](scf::ForallOp grid) {
      if (isAttentionGrid(grid))
        grids.push_back(grid);
    });
    for (scf::ForallOp grid : grids) {
      readTensorsThroughBuffers(grid);
      FailureOr<GridBuffers> buffers = findBuffers(grid);
      if (failed(buffers))
        return signalPassFailure();
      auto func = grid->getParentOfType<FunctionOpInterface>();
      planned.push_back(
          {grid, *buffers,
           kernelName(func ? func.getName() : "kernel", buffers->kind, taken),
           std::nullopt});
    }
    // Step 2. The two kernels of one sigattn.attention_grad: a dk/dv grid
    // and the next dq grid that reads the same q, k, v and dO.
    for (size_t i = 0; i < planned.size(); ++i) {
      if (planned[i].buffers.kind != abi::KernelKind::kGradKV)
        continue;
      for (size_t j = i + 1; j < planned.size(); ++j) {
        const GridBuffers &a = planned[i].buffers, &q = planned[j].buffers;
        bool same = llvm::all_of(
            ArrayRef<abi::Tensor>{abi::Tensor::kQuery, abi::Tensor::kKey,
                                  abi::Tensor::kValue,
                                  abi::Tensor::kGradOutput},
            [&](abi::Tensor t) { return a[t] == q[t]; });
        if (q.kind == abi::KernelKind::kGradQ && !planned[j].partner && same) {
          planned[i].partner = j;
          planned[j].partner = i;
          break;
        }
      }
    }
    // Step 3. Each grid becomes a kernel and its launch.
    for (Planned &plan : planned) {
      scf::ForallOp grid = plan.grid;
      // 0: the generation's default for this grid's row tile.
      int64_t gridWarps = warps;
      if (gridWarps == 0)
        gridWarps = getDefaultNumWarps(*kind, plan.buffers.rowBlock);
      if (*scheduleKind == ScheduleKind::Specialized &&
          gridWarps > kMaxWarps - abi::kProducerWarps) {
        grid.emitOpError() << "sigattn-outline-gpu-kernels: "
                              "schedule=specialized adds 4 producer warps "
                              "to the default num-warps="
                           << gridWarps << ": lower block-q";
        return signalPassFailure();
      }
      int64_t gridStages = kvStages;
      if (gridStages == 0)
        gridStages = defaultKVStages(plan.buffers, *scheduleKind);
      Outliner outliner(module, gridWarps, *loadKind, *storeKind, *scheduleKind,
                        gridStages);
      FailureOr<gpu::GPUFuncOp> kernel =
          outliner.outline(grid, plan.buffers, plan.name);
      if (failed(kernel))
        return signalPassFailure();
      if (plan.partner)
        (*kernel)->setAttr(
            kPartnerAttrName,
            StringAttr::get(kernel->getContext(), planned[*plan.partner].name));
    }
  }
};

} // namespace
