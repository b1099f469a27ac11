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
  static const char *const names[] = {"query", "key", "value", "output"};
  const char *name = names[static_cast<int>(role)];
  const std::string where = "sigattn launch of " + info.name + ": ";
  if (base % abi::kPointerAlignment != 0)
    return Status::error(where + name + " is not 16-byte aligned");
  int64_t heads = role == abi::Tensor::kQuery || role == abi::Tensor::kOutput
                      ? info.numQueryHeads
                      : info.numKVHeads;
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

Status Module::launch(const std::string &name, const AttentionArgs &args,
                      CUstream stream) {
  size_t index = 0;
  while (index < kernels_.size() && kernels_[index].name != name)
    ++index;
  if (index == kernels_.size())
    return Status::error("sigattn launch: no kernel named '" + name +
                         "' in the module");
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
  // the output overlaps no input.
  TensorBytes t = tensorSpans(info, args);
  struct Range {
    const char *name;
    CUdeviceptr ptr;
    uint64_t bytes;
    CUdeviceptr begin = 0, end = 0;
  } ranges[] = {{"query", args.query, t.query},
                {"key", args.key, t.key},
                {"value", args.value, t.value},
                {"slopes", args.slopes, t.slopes},
                {"output", args.output, t.output}};
  for (Range &r : ranges) {
    if (r.ptr == 0)
      continue; // slopes of a kernel without ALiBi (validated above)
    if (!(st = checkDeviceRange(where, r.name, r.ptr, r.bytes, r.begin, r.end))
             .ok())
      return st;
  }
  const Range &out = ranges[4];
  for (int i = 0; i < 4; ++i) {
    const Range &in = ranges[i];
    if (in.ptr != 0 && in.begin < out.end && out.begin < in.end)
      return Status::error(where + "output overlaps " + in.name);
  }

  // Step 2. Shared memory above 48 KiB needs the kernel's opt-in.
  CUfunction f = functions_[index];
  if (!sharedLimitSet_[index]) {
    SIGATTN_CU(cuFuncSetAttribute(
                   f, CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES,
                   static_cast<int>(info.dynamicSharedMemory)),
               where + "cuFuncSetAttribute(max dynamic shared memory = " +
                   std::to_string(info.dynamicSharedMemory) + ")");
    sharedLimitSet_[index] = true;
  }

  // Step 3. Launch: q, k, v, out [, slopes], B, Nq, Nk, the strides.
  CUdeviceptr q = args.query, k = args.key, v = args.value, o = args.output,
              s = args.slopes;
  int64_t batch = args.batch, seqQ = args.seqQ, seqK = args.seqK;
  std::vector<void *> params = {&q, &k, &v, &o};
  if (info.alibi != Alibi::None)
    params.push_back(&s);
  params.push_back(&batch);
  params.push_back(&seqQ);
  params.push_back(&seqK);
  // The strides of q, k, v and out (elements), after the sizes.
  abi::Strides strides[4];
  int64_t strideParams[abi::kNumStrideParams];
  for (int i = 0; i < 4; ++i) {
    strides[i] = effectiveStrides(info, args, static_cast<abi::Tensor>(i));
    strideParams[3 * i] = strides[i].batch;
    strideParams[3 * i + 1] = strides[i].row;
    strideParams[3 * i + 2] = strides[i].head;
  }
  for (int64_t &stride : strideParams)
    params.push_back(&stride);
  // Run-time scale and bias (f32), after the strides.
  float scale = args.scale.value_or(0.0f), bias = args.bias.value_or(0.0f);
  if (info.scaleParam)
    params.push_back(&scale);
  if (info.biasParam)
    params.push_back(&bias);
  // TMA loads: q, k, v's tensor maps (and out's, TMA stores), by value
  // (the driver copies them).
  alignas(abi::kTensorMapAlignment)
      CUtensorMap maps[abi::kNumTensorMapsWithStore];
  if (info.tmaLoads) {
    CUdeviceptr bases[] = {q, k, v, o};
    int64_t seqs[] = {seqQ, seqK, seqK, seqQ};
    for (int i = 0; i < abi::numTensorMaps(info.tileShape()); ++i) {
      if (!(st = encodeTensorMap(info, static_cast<abi::Tensor>(i), bases[i],
                                 batch, seqs[i], strides[i], maps[i]))
               .ok())
        return st;
      params.push_back(&maps[i]);
    }
  }
  abi::Grid g = abi::grid(info.tileShape(), batch, seqQ, info.numQueryHeads);
  SIGATTN_CU(cuLaunchKernel(f, static_cast<unsigned>(g.x),
                            static_cast<unsigned>(g.y),
                            static_cast<unsigned>(g.z),
                            static_cast<unsigned>(info.blockThreads), 1, 1,
                            static_cast<unsigned>(info.dynamicSharedMemory),
                            stream, params.data(), nullptr),
             where + "cuLaunchKernel");
  return Status::success();
}
