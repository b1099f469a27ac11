//===- Runtime.cpp - load and launch generated sigattn kernels ------------===//

#include "sigattn/Runtime/Runtime.h"

#include <fstream>
#include <sstream>

using namespace sigattn;
using namespace sigattn::runtime;

std::string sigattn::runtime::describeError(CUresult result,
                                            const std::string &call) {
  // Both leave the string null (and fail) for a code they do not know.
  const char *name = nullptr, *text = nullptr;
  if (cuGetErrorName(result, &name) != CUDA_SUCCESS)
    name = nullptr;
  if (cuGetErrorString(result, &text) != CUDA_SUCCESS)
    text = nullptr;
  std::ostringstream os;
  os << call << ": "
     << (name ? name : "unknown CUDA error " + std::to_string(result)) << " ("
     << (text ? text : "no description") << ")";
  return os.str();
}

#define SIGATTN_CU(call, what)                                                 \
  do {                                                                         \
    CUresult result_ = (call);                                                 \
    if (result_ != CUDA_SUCCESS)                                               \
      return Status::error(describeError(result_, what));                      \
  } while (false)

//===----------------------------------------------------------------------===//
// Module
//===----------------------------------------------------------------------===//

Module::Module(Module &&other) noexcept { *this = std::move(other); }

Module &Module::operator=(Module &&other) noexcept {
  if (this != &other) {
    (void)unload(); // nowhere to report a failure; unload() says it
    module_ = other.module_;
    context_ = other.context_;
    kernels_ = std::move(other.kernels_);
    functions_ = std::move(other.functions_);
    sharedLimitSet_ = std::move(other.sharedLimitSet_);
    other.module_ = nullptr;
    other.context_ = nullptr;
    other.kernels_.clear();
    other.functions_.clear();
    other.sharedLimitSet_.clear();
  }
  return *this;
}

Module::~Module() { (void)unload(); }

Status Module::unload() {
  CUmodule module = module_;
  CUcontext context = context_;
  module_ = nullptr;
  context_ = nullptr;
  kernels_.clear();
  functions_.clear();
  sharedLimitSet_.clear();
  if (!module)
    return Status::success();
  // cuModuleUnload works on the current context: make it the module's.
  SIGATTN_CU(cuCtxPushCurrent(context), "cuCtxPushCurrent (to unload)");
  CUresult unloaded = cuModuleUnload(module);
  CUcontext popped = nullptr;
  CUresult restored = cuCtxPopCurrent(&popped);
  if (unloaded != CUDA_SUCCESS)
    return Status::error(describeError(unloaded, "cuModuleUnload"));
  if (restored != CUDA_SUCCESS)
    return Status::error(describeError(restored, "cuCtxPopCurrent"));
  return Status::success();
}

static Status readFile(const std::string &path, std::string &out) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return Status::error("cannot read '" + path + "'");
  std::ostringstream os;
  os << in.rdbuf();
  out = os.str();
  return Status::success();
}

Status Module::load(const std::string &ptxPath, Module &module) {
  std::string ptx, json;
  Status st = readFile(ptxPath, ptx);
  if (!st.ok())
    return st;
  if (!(st = readFile(ptxPath + ".json", json)).ok())
    return st;
  Module m;
  if (!(st = parseKernelDescription(json, m.kernels_)).ok())
    return Status::error(ptxPath + ".json: " + st.message());

  SIGATTN_CU(cuCtxGetCurrent(&m.context_), "cuCtxGetCurrent");
  if (!m.context_)
    return Status::error("no current CUDA context: create or set one (e.g. "
                         "cudaSetDevice + cudaFree(0)) before loading " +
                         ptxPath);
  // JIT errors land in the log; report them with the load's failure.
  char log[8192] = {0};
  CUjit_option options[] = {CU_JIT_ERROR_LOG_BUFFER,
                            CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES};
  void *values[] = {log, reinterpret_cast<void *>(sizeof(log))};
  CUresult r = cuModuleLoadDataEx(&m.module_, ptx.c_str(), 2, options, values);
  log[sizeof(log) - 1] = '\0';
  if (r != CUDA_SUCCESS)
    return Status::error(describeError(r, "cuModuleLoadDataEx(" + ptxPath +
                                              ")") +
                         (log[0] ? std::string(": ") + log : std::string()));
  for (const KernelInfo &k : m.kernels_) {
    CUfunction f = nullptr;
    SIGATTN_CU(cuModuleGetFunction(&f, m.module_, k.name.c_str()),
               "cuModuleGetFunction(" + k.name + ")");
    m.functions_.push_back(f);
  }
  m.sharedLimitSet_.assign(m.kernels_.size(), false);
  module = std::move(m);
  return Status::success();
}

const KernelInfo *Module::find(const std::string &name) const {
  for (const KernelInfo &k : kernels_) {
    if (k.name == name)
      return &k;
  }
  return nullptr;
}

/// Checks that `ptr` is device memory whose allocation holds `bytes` bytes
/// from `ptr` on, and returns the range it covers.
static Status checkDeviceRange(const std::string &where, const char *name,
                               CUdeviceptr ptr, uint64_t bytes,
                               CUdeviceptr &begin, CUdeviceptr &end) {
  unsigned int memoryType = 0;
  CUresult r = cuPointerGetAttribute(
      &memoryType, CU_POINTER_ATTRIBUTE_MEMORY_TYPE, ptr);
  if (r == CUDA_ERROR_INVALID_VALUE || r == CUDA_ERROR_NOT_INITIALIZED ||
      (r == CUDA_SUCCESS && memoryType != CU_MEMORYTYPE_DEVICE &&
       memoryType != CU_MEMORYTYPE_UNIFIED))
    return Status::error(where + name + " is not a device pointer");
  if (r != CUDA_SUCCESS)
    return Status::error(
        where + describeError(r, std::string("cuPointerGetAttribute(") + name +
                                     ")"));
  CUdeviceptr base = 0;
  size_t size = 0;
  SIGATTN_CU(cuMemGetAddressRange(&base, &size, ptr),
             where + "cuMemGetAddressRange(" + name + ")");
  uint64_t available = static_cast<uint64_t>(base + size - ptr);
  if (bytes > available)
    return Status::error(where + name + " needs " + std::to_string(bytes) +
                         " bytes but its allocation holds only " +
                         std::to_string(available) + " from the pointer on");
  begin = ptr;
  end = ptr + bytes;
  return Status::success();
}

//===----------------------------------------------------------------------===//
// Tensor maps of TMA kernels
//===----------------------------------------------------------------------===//

/// cuTensorMapEncodeTiled for a strided [batch, seq, heads, dim] tensor
/// of 2-byte elements, read in boxes of (64, 1, boxRows, 1) with the
/// 128-byte swizzle and zero fill (abi::TensorMapShape).
static CUresult encodeTiled(CUtensorMap &map, CUdeviceptr base, bool bf16,
                            const abi::TensorMapShape &shape) {
  cuuint64_t dims[4], strides[3];
  cuuint32_t box[4], elementStrides[4] = {1, 1, 1, 1};
  for (int i = 0; i < 4; ++i) {
    dims[i] = shape.dims[i];
    box[i] = shape.box[i];
  }
  for (int i = 0; i < 3; ++i)
    strides[i] = shape.strides[i];
  return cuTensorMapEncodeTiled(
      &map,
      bf16 ? CU_TENSOR_MAP_DATA_TYPE_BFLOAT16 : CU_TENSOR_MAP_DATA_TYPE_FLOAT16,
      4, reinterpret_cast<void *>(base), dims, strides, box, elementStrides,
      CU_TENSOR_MAP_INTERLEAVE_NONE, CU_TENSOR_MAP_SWIZZLE_128B,
      CU_TENSOR_MAP_L2_PROMOTION_L2_128B, CU_TENSOR_MAP_FLOAT_OOB_FILL_NONE);
}

Status sigattn::runtime::encodeTensorMap(const KernelInfo &info,
                                         abi::Tensor role, CUdeviceptr base,
                                         int64_t batch, int64_t seq,
                                         abi::Strides strides,
                                         CUtensorMap &map) {
  const char *name = abi::tensorRoleName(role);
  const std::string where = "sigattn launch of " + info.name + ": ";
  if (base % abi::kPointerAlignment != 0)
    return Status::error(where + name + " is not 16-byte aligned");
  int64_t heads = abi::isKeyTensor(role) ? info.numKVHeads : info.numQueryHeads;
  abi::TensorMapShape shape =
      abi::tensorMapShape(info.tileShape(), role, batch, seq, heads, strides);
  SIGATTN_CU(
      encodeTiled(map, base, info.elementType == ElementType::BF16, shape),
      where + "cuTensorMapEncodeTiled(" + name + ")");
  return Status::success();
}

extern "C" int32_t
sigattn_encode_tensor_map(void *map, uint64_t base, int64_t batch, int64_t seq,
                          int64_t heads, int64_t dim, int64_t strideBatch,
                          int64_t strideRow, int64_t strideHead,
                          int64_t boxRows, int64_t elementType) {
  // The host side of sigattn-outline-gpu-kernels{loads=tma}: the same
  // encoding as Module::launch, from the sizes and strides (elements) the
  // host IR has.
  abi::Strides strides{strideBatch, strideRow, strideHead};
  for (int64_t stride : {strideBatch, strideRow, strideHead}) {
    if (stride < 0 || stride % abi::kStrideAlignment != 0 ||
        static_cast<uint64_t>(stride) >
            abi::kMaxTmaStrideBytes / abi::kElementBytes)
      return static_cast<int32_t>(CUDA_ERROR_INVALID_VALUE);
  }
  if (!map || reinterpret_cast<uintptr_t>(map) % abi::kTensorMapAlignment ||
      base % abi::kPointerAlignment || batch < 1 || seq < 1 || heads < 1 ||
      seq > abi::kMaxTmaRows || dim % abi::kTmaBoxCols != 0 || dim < 1 ||
      boxRows < 1 || boxRows > abi::kMaxTmaBoxRows ||
      (elementType != 0 && elementType != 1))
    return static_cast<int32_t>(CUDA_ERROR_INVALID_VALUE);
  return static_cast<int32_t>(encodeTiled(
      *static_cast<CUtensorMap *>(map), base, elementType == 0,
      abi::tensorMapShape(dim, heads, seq, batch, boxRows, strides)));
}

/// One launch, checked and ready: the kernel and its geometry, and the
/// storage its parameters point into (built by `params`).
struct Module::Prepared {
  size_t index = 0;
  unsigned grid[3] = {1, 1, 1};
  /// The device range of each tensor of the kernel (abi::tensorOf order).
  CUdeviceptr begin[abi::kNumTensorRoles] = {}, end[abi::kNumTensorRoles] = {};
  CUdeviceptr pointers[abi::kNumTensorRoles] = {};
  CUdeviceptr slopes = 0;
  int64_t sizes[abi::kNumSizeParams] = {};
  int64_t strides[abi::numStrideParams(abi::KernelKind::kGradKV)] = {};
  float scale = 0.0f, bias = 0.0f;
  alignas(abi::kTensorMapAlignment) CUtensorMap maps[abi::kNumTensorRoles];
  int numMaps = 0;

  /// The parameters in ABI order: the kernel's tensors [, slopes], B, Nq,
  /// Nk, three strides per tensor, [scale,] [bias,] the tensor maps.
  std::vector<void *> params(const KernelInfo &info) {
    std::vector<void *> p;
    int n = abi::numTensors(info.kind);
    for (int i = 0; i < n; ++i)
      p.push_back(&pointers[i]);
    if (info.alibi != Alibi::None)
      p.push_back(&slopes);
    for (int64_t &size : sizes)
      p.push_back(&size);
    for (int i = 0; i < abi::numStrideParams(info.kind); ++i)
      p.push_back(&strides[i]);
    if (info.scaleParam)
      p.push_back(&scale);
    if (info.biasParam)
      p.push_back(&bias);
    for (int i = 0; i < numMaps; ++i)
      p.push_back(&maps[i]);
    return p;
  }
};

Status Module::indexOf(const std::string &name, size_t &index) const {
  const KernelInfo *info = find(name);
  if (!info)
    return Status::error("sigattn launch: no kernel named '" + name +
                         "' in the module");
  index = static_cast<size_t>(info - kernels_.data());
  return Status::success();
}

Status Module::prepare(size_t index, const KernelArgs &args, Prepared &out) {
  const KernelInfo &info = kernels_[index];
  Status st = validateArguments(info, args);
  if (!st.ok())
    return st;
  const std::string where = "sigattn launch of " + info.name + ": ";
  CUcontext current = nullptr;
  SIGATTN_CU(cuCtxGetCurrent(&current), where + "cuCtxGetCurrent");
  if (current != context_)
    return Status::error(where + "the calling thread's current CUDA context "
                                 "is not the one the module was loaded into");

  // Step 1. Every pointer is device memory large enough for its tensor, and
  // no output overlaps an input or another output.
  out.index = index;
  const int n = abi::numTensors(info.kind), inputs = abi::numInputs(info.kind);
  for (int i = 0; i < n; ++i) {
    abi::Tensor role = abi::tensorOf(info.kind, i);
    if (!(st = checkDeviceRange(where, abi::tensorRoleName(role),
                                args.tensor(role), tensorSpan(info, args, role),
                                out.begin[i], out.end[i]))
             .ok())
      return st;
  }
  CUdeviceptr slopesBegin = 0, slopesEnd = 0;
  if (args.slopes != 0 && !(st = checkDeviceRange(where, "slopes", args.slopes,
                                                  slopesBytes(info, args.batch),
                                                  slopesBegin, slopesEnd))
                               .ok())
    return st;
  for (int o = inputs; o < n; ++o) {
    const char *outName =
        info.kind == abi::KernelKind::kAttention
            ? "output"
            : abi::tensorRoleName(abi::tensorOf(info.kind, o));
    for (int i = 0; i < o; ++i) {
      if (out.begin[i] < out.end[o] && out.begin[o] < out.end[i])
        return Status::error(where + outName + " overlaps " +
                             abi::tensorRoleName(abi::tensorOf(info.kind, i)));
    }
    if (slopesBegin != 0 && slopesBegin < out.end[o] &&
        out.begin[o] < slopesEnd)
      return Status::error(where + outName + " overlaps slopes");
  }

  // Step 2. The parameters: pointers, sizes, strides, scalars, maps.
  out.slopes = args.slopes;
  out.sizes[0] = args.batch;
  out.sizes[1] = args.seqQ;
  out.sizes[2] = args.seqK;
  abi::Strides strides[abi::kNumTensorRoles];
  for (int i = 0; i < n; ++i) {
    abi::Tensor role = abi::tensorOf(info.kind, i);
    out.pointers[i] = args.tensor(role);
    strides[i] = effectiveStrides(info, args, role);
    out.strides[3 * i] = strides[i].batch;
    out.strides[3 * i + 1] = strides[i].row;
    out.strides[3 * i + 2] = strides[i].head;
  }
  out.scale = args.scale.value_or(0.0f);
  out.bias = args.bias.value_or(0.0f);
  // TMA: the inputs' tensor maps (and the outputs', TMA stores), by value
  // (the driver copies them).
  out.numMaps = abi::numTensorMaps(info.tileShape());
  for (int i = 0; i < out.numMaps; ++i) {
    abi::Tensor role = abi::tensorOf(info.kind, i);
    int64_t seq = abi::isKeyTensor(role) ? args.seqK : args.seqQ;
    if (!(st = encodeTensorMap(info, role, out.pointers[i], args.batch, seq,
                               strides[i], out.maps[i]))
             .ok())
      return st;
  }
  abi::Grid g = abi::grid(info.tileShape(), args.batch, args.seqQ,
                          info.numQueryHeads, args.seqK, info.numKVHeads);
  out.grid[0] = static_cast<unsigned>(g.x);
  out.grid[1] = static_cast<unsigned>(g.y);
  out.grid[2] = static_cast<unsigned>(g.z);
  return Status::success();
}

Status Module::launchPrepared(Prepared &p, CUstream stream) {
  const KernelInfo &info = kernels_[p.index];
  const std::string where = "sigattn launch of " + info.name + ": ";
  // Shared memory above 48 KiB needs the kernel's opt-in.
  CUfunction f = functions_[p.index];
  if (!sharedLimitSet_[p.index]) {
    SIGATTN_CU(cuFuncSetAttribute(
                   f, CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES,
                   static_cast<int>(info.dynamicSharedMemory)),
               where + "cuFuncSetAttribute(max dynamic shared memory = " +
                   std::to_string(info.dynamicSharedMemory) + ")");
    sharedLimitSet_[p.index] = true;
  }
  std::vector<void *> params = p.params(info);
  SIGATTN_CU(cuLaunchKernel(f, p.grid[0], p.grid[1], p.grid[2],
                            static_cast<unsigned>(info.blockThreads), 1, 1,
                            static_cast<unsigned>(info.dynamicSharedMemory),
                            stream, params.data(), nullptr),
             where + "cuLaunchKernel");
  return Status::success();
}

Status Module::launch(const std::string &name, const AttentionArgs &args,
                      CUstream stream) {
  size_t index = 0;
  Status st = indexOf(name, index);
  if (!st.ok())
    return st;
  // AttentionArgs hold the forward pass's tensors only; prepare() validates
  // them.
  if (!(st = checkAttentionKind(kernels_[index])).ok())
    return st;
  Prepared p;
  if (!(st = prepare(index, toKernelArgs(args), p)).ok())
    return st;
  return launchPrepared(p, stream);
}

Status Module::launchGrad(const std::string &name,
                          const AttentionGradArgs &args, CUstream stream) {
  size_t first = 0, second = 0;
  Status st = indexOf(name, first);
  if (!st.ok())
    return st;
  const KernelInfo &info = kernels_[first];
  const std::string where = "sigattn launch of " + info.name + ": ";
  if (info.kind == abi::KernelKind::kAttention)
    return Status::error(where + "the kernel computes attention, not a "
                                 "gradient: launch it with launch()");
  if (info.partner.empty())
    return Status::error(where + "the description names no partner kernel");
  if (!indexOf(info.partner, second).ok())
    return Status::error(where + "its partner '" + info.partner +
                         "' is not in the module");
  const KernelInfo &partner = kernels_[second];
  if (partner.kind == info.kind ||
      partner.kind == abi::KernelKind::kAttention ||
      partner.partner != info.name)
    return Status::error(where + "'" + partner.name +
                         "' is not its partner: the pair must be one "
                         "attention_grad_kv and one attention_grad_q "
                         "kernel naming each other");
  // dk/dv first, then dq.
  size_t kv = info.kind == abi::KernelKind::kGradKV ? first : second;
  size_t q = kv == first ? second : first;
  KernelArgs k = toKernelArgs(args);
  Prepared launches[2];
  if (!(st = prepare(kv, k, launches[0])).ok() ||
      !(st = prepare(q, k, launches[1])).ok())
    return st;
  // dq (the dq kernel's last tensor) against dk and dv (the dk/dv kernel's
  // last two): each output is written by one kernel and must not overlap
  // another.
  const int dq = abi::numTensors(abi::KernelKind::kGradQ) - 1;
  for (int o = abi::numInputs(abi::KernelKind::kGradKV);
       o < abi::numTensors(abi::KernelKind::kGradKV); ++o) {
    if (launches[0].begin[o] < launches[1].end[dq] &&
        launches[1].begin[dq] < launches[0].end[o])
      return Status::error(
          "sigattn launch of " + kernels_[q].name + ": query_grad overlaps " +
          abi::tensorRoleName(abi::tensorOf(abi::KernelKind::kGradKV, o)));
  }
  if (!(st = launchPrepared(launches[0], stream)).ok())
    return st;
  return launchPrepared(launches[1], stream);
}
