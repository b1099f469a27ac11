//===- ModuleTest.cpp - Module against a mock CUDA driver -----------------===//
//
// lib/Runtime/Runtime.cpp is compiled into this test and linked against the
// driver functions defined here instead of libcuda, so loading, launching
// and unloading run without a GPU or a driver: each case checks that the
// runtime checks the driver's answers, refuses bad arguments before any
// launch, and launches with the ABI's grid, block and parameters.
//
//===----------------------------------------------------------------------===//

#include "Expect.h"

#include "sigattn/Runtime/Runtime.h"

#include <cuda.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <fstream>
#include <string>
#include <unistd.h>
#include <vector>

using namespace sigattn::runtime;
using sigattn_test::check;
using sigattn_test::expect;

//===----------------------------------------------------------------------===//
// The mock driver
//===----------------------------------------------------------------------===//

namespace {

CUcontext fakeContext(uintptr_t id) { return reinterpret_cast<CUcontext>(id); }

struct Allocation {
  CUdeviceptr base;
  size_t size;
  unsigned memoryType; // CU_MEMORYTYPE_*
};

struct Launch {
  unsigned grid[3], block[3], sharedBytes;
  CUstream stream;
  std::vector<uint64_t> params; // every parameter is 8 bytes
};

/// What the mock driver holds, and what the test makes it answer.
struct Driver {
  CUcontext current = fakeContext(0xC0);
  std::vector<CUcontext> stack;
  std::vector<Allocation> allocations;
  // Answers (CUDA_SUCCESS unless a case sets one).
  CUresult getCurrentResult = CUDA_SUCCESS, loadResult = CUDA_SUCCESS,
           unloadResult = CUDA_SUCCESS, pushResult = CUDA_SUCCESS,
           pointerResult = CUDA_SUCCESS, rangeResult = CUDA_SUCCESS,
           setAttributeResult = CUDA_SUCCESS, launchResult = CUDA_SUCCESS;
  std::string jitLog;
  std::string missingFunction; ///< cuModuleGetFunction fails for it
  // What happened.
  int loads = 0, unloads = 0, setAttributeCalls = 0, lastSharedLimit = -1;
  CUcontext unloadedIn = nullptr;
  std::vector<std::string> functionNames; ///< CUfunction = index + 1
  size_t paramsToRead = 0; ///< how many parameters a launch records
  std::vector<Launch> launches;
  /// cuTensorMapEncodeTiled's arguments, call by call.
  struct Encode {
    CUtensorMapDataType type;
    cuuint32_t rank;
    uint64_t base;
    cuuint64_t dims[4], strides[3];
    cuuint32_t box[4], elementStrides[4];
    CUtensorMapInterleave interleave;
    CUtensorMapSwizzle swizzle;
    CUtensorMapFloatOOBfill fill;
  };
  std::vector<Encode> encodes;
  CUresult encodeResult = CUDA_SUCCESS;

  const Allocation *find(CUdeviceptr p) const {
    for (const Allocation &a : allocations) {
      if (p >= a.base && p < a.base + a.size)
        return &a;
    }
    return nullptr;
  }
};

Driver driver;

CUmodule kModule = reinterpret_cast<CUmodule>(uintptr_t(0x30D));

} // namespace

extern "C" {

CUresult CUDAAPI cuGetErrorName(CUresult error, const char **pStr) {
  switch (error) {
  case CUDA_ERROR_INVALID_VALUE:
    *pStr = "CUDA_ERROR_INVALID_VALUE";
    return CUDA_SUCCESS;
  case CUDA_ERROR_INVALID_CONTEXT:
    *pStr = "CUDA_ERROR_INVALID_CONTEXT";
    return CUDA_SUCCESS;
  case CUDA_ERROR_NOT_FOUND:
    *pStr = "CUDA_ERROR_NOT_FOUND";
    return CUDA_SUCCESS;
  case CUDA_ERROR_INVALID_PTX:
    *pStr = "CUDA_ERROR_INVALID_PTX";
    return CUDA_SUCCESS;
  case CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES:
    *pStr = "CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES";
    return CUDA_SUCCESS;
  case CUDA_ERROR_CONTEXT_IS_DESTROYED:
    *pStr = "CUDA_ERROR_CONTEXT_IS_DESTROYED";
    return CUDA_SUCCESS;
  default:
    *pStr = nullptr;
    return CUDA_ERROR_INVALID_VALUE;
  }
}

CUresult CUDAAPI cuGetErrorString(CUresult error, const char **pStr) {
  const char *name = nullptr;
  if (cuGetErrorName(error, &name) != CUDA_SUCCESS) {
    *pStr = nullptr;
    return CUDA_ERROR_INVALID_VALUE;
  }
  *pStr = "mock description";
  return CUDA_SUCCESS;
}

CUresult CUDAAPI cuCtxGetCurrent(CUcontext *pctx) {
  if (driver.getCurrentResult != CUDA_SUCCESS)
    return driver.getCurrentResult;
  *pctx = driver.current;
  return CUDA_SUCCESS;
}

CUresult CUDAAPI cuCtxPushCurrent(CUcontext ctx) {
  if (driver.pushResult != CUDA_SUCCESS)
    return driver.pushResult;
  driver.stack.push_back(driver.current);
  driver.current = ctx;
  return CUDA_SUCCESS;
}

CUresult CUDAAPI cuCtxPopCurrent(CUcontext *pctx) {
  if (driver.stack.empty())
    return CUDA_ERROR_INVALID_CONTEXT;
  *pctx = driver.current;
  driver.current = driver.stack.back();
  driver.stack.pop_back();
  return CUDA_SUCCESS;
}

CUresult CUDAAPI cuModuleLoadDataEx(CUmodule *module, const void *,
                                    unsigned int numOptions,
                                    CUjit_option *options,
                                    void **optionValues) {
  if (driver.loadResult != CUDA_SUCCESS) {
    for (unsigned i = 0; i < numOptions; ++i) {
      if (options[i] == CU_JIT_ERROR_LOG_BUFFER)
        std::strcpy(static_cast<char *>(optionValues[i]),
                    driver.jitLog.c_str());
    }
    return driver.loadResult;
  }
  ++driver.loads;
  *module = kModule;
  return CUDA_SUCCESS;
}

CUresult CUDAAPI cuModuleGetFunction(CUfunction *hfunc, CUmodule,
                                     const char *name) {
  if (driver.missingFunction == name)
    return CUDA_ERROR_NOT_FOUND;
  driver.functionNames.push_back(name);
  *hfunc = reinterpret_cast<CUfunction>(driver.functionNames.size());
  return CUDA_SUCCESS;
}

CUresult CUDAAPI cuModuleUnload(CUmodule) {
  ++driver.unloads;
  driver.unloadedIn = driver.current;
  return driver.unloadResult;
}

CUresult CUDAAPI cuPointerGetAttribute(void *data,
                                       CUpointer_attribute attribute,
                                       CUdeviceptr ptr) {
  if (driver.pointerResult != CUDA_SUCCESS)
    return driver.pointerResult;
  const Allocation *a = driver.find(ptr);
  if (!a || attribute != CU_POINTER_ATTRIBUTE_MEMORY_TYPE)
    return CUDA_ERROR_INVALID_VALUE;
  *static_cast<unsigned *>(data) = a->memoryType;
  return CUDA_SUCCESS;
}

CUresult CUDAAPI cuMemGetAddressRange(CUdeviceptr *pbase, size_t *psize,
                                      CUdeviceptr dptr) {
  if (driver.rangeResult != CUDA_SUCCESS)
    return driver.rangeResult;
  const Allocation *a = driver.find(dptr);
  if (!a)
    return CUDA_ERROR_NOT_FOUND;
  *pbase = a->base;
  *psize = a->size;
  return CUDA_SUCCESS;
}

CUresult CUDAAPI cuFuncSetAttribute(CUfunction, CUfunction_attribute attrib,
                                    int value) {
  ++driver.setAttributeCalls;
  if (attrib == CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES)
    driver.lastSharedLimit = value;
  return driver.setAttributeResult;
}

CUresult CUDAAPI cuLaunchKernel(CUfunction, unsigned int gridDimX,
                                unsigned int gridDimY, unsigned int gridDimZ,
                                unsigned int blockDimX, unsigned int blockDimY,
                                unsigned int blockDimZ,
                                unsigned int sharedMemBytes, CUstream hStream,
                                void **kernelParams, void **) {
  if (driver.launchResult != CUDA_SUCCESS)
    return driver.launchResult;
  Launch l{{gridDimX, gridDimY, gridDimZ},
           {blockDimX, blockDimY, blockDimZ},
           sharedMemBytes,
           hStream,
           {}};
  for (size_t i = 0; i < driver.paramsToRead; ++i) {
    uint64_t v = 0;
    std::memcpy(&v, kernelParams[i], sizeof(v));
    l.params.push_back(v);
  }
  driver.launches.push_back(l);
  return CUDA_SUCCESS;
}

CUresult CUDAAPI cuTensorMapEncodeTiled(
    CUtensorMap *map, CUtensorMapDataType type, cuuint32_t rank,
    void *globalAddress, const cuuint64_t *globalDim,
    const cuuint64_t *globalStrides, const cuuint32_t *boxDim,
    const cuuint32_t *elementStrides, CUtensorMapInterleave interleave,
    CUtensorMapSwizzle swizzle, CUtensorMapL2promotion,
    CUtensorMapFloatOOBfill oobFill) {
  if (driver.encodeResult != CUDA_SUCCESS)
    return driver.encodeResult;
  Driver::Encode e{};
  e.type = type;
  e.rank = rank;
  e.base = reinterpret_cast<uintptr_t>(globalAddress);
  for (cuuint32_t i = 0; i < rank && i < 4; ++i) {
    e.dims[i] = globalDim[i];
    e.box[i] = boxDim[i];
    e.elementStrides[i] = elementStrides[i];
    if (i + 1 < rank)
      e.strides[i] = globalStrides[i];
  }
  e.interleave = interleave;
  e.swizzle = swizzle;
  e.fill = oobFill;
  driver.encodes.push_back(e);
  // The map's first 8 bytes hold the base: a launch that passes the map by
  // value shows it as that parameter.
  std::memset(map, 0, sizeof(*map));
  std::memcpy(map, &e.base, sizeof(e.base));
  return CUDA_SUCCESS;
}

} // extern "C"

//===----------------------------------------------------------------------===//
// The cases
//===----------------------------------------------------------------------===//

namespace {

// Two kernels: ALiBi per head with dynamic sizes, and one without ALiBi
// compiled for B = 2, Nq = 113, Nk = 203.
const char *kDescription = R"({"kernels": [
  {"alibi": "head", "batch": -1, "bias": -1.0, "block_k": 32, "block_q": 128, "block_threads": 128, "dynamic_shared_memory": 32768, "element_type": "bf16", "head_dim": 64, "kind": "attention", "kv_stages": 2, "loads": "cp.async", "mma": "sync", "name": "dyn_sigattn", "num_kv_heads": 2, "num_query_heads": 6, "num_warps": 4, "producer_warps": 0, "scale": 0.125, "seq_k": -1, "seq_q": -1, "value_dim": 64, "window_left": -1, "window_right": -1, "abi_version": 3},
  {"alibi": "none", "batch": 2, "bias": -1.0, "block_k": 96, "block_q": 128, "block_threads": 128, "dynamic_shared_memory": 65536, "element_type": "bf16", "head_dim": 64, "kind": "attention", "kv_stages": 2, "loads": "cp.async", "mma": "sync", "name": "static_sigattn", "num_kv_heads": 2, "num_query_heads": 6, "num_warps": 4, "producer_warps": 0, "scale": 0.125, "seq_k": 203, "seq_q": 113, "value_dim": 64, "window_left": -1, "window_right": 0, "abi_version": 3}
]})";

// A TMA kernel (wgmma, D = 128, Dv = 64, Hq = 6, Hkv = 2, 64 x 48 tiles).
const char *kTmaDescription = R"({"kernels": [
  {"alibi": "none", "batch": -1, "bias": -1.0, "block_k": 48, "block_q": 64, "block_threads": 128, "dynamic_shared_memory": 53272, "element_type": "f16", "head_dim": 128, "kind": "attention", "kv_stages": 2, "loads": "tma", "mma": "wgmma", "name": "tma_sigattn", "num_kv_heads": 2, "num_query_heads": 6, "num_warps": 4, "producer_warps": 0, "scale": 0.125, "seq_k": -1, "seq_q": -1, "value_dim": 64, "window_left": -1, "window_right": -1, "abi_version": 3},
  {"alibi": "none", "batch": -1, "bias": -1.0, "block_k": 48, "block_q": 64, "block_threads": 128, "dynamic_shared_memory": 53272, "element_type": "f16", "head_dim": 128, "kind": "attention", "kv_stages": 2, "loads": "tma", "stores": "tma", "mma": "wgmma", "name": "tma_store_sigattn", "num_kv_heads": 2, "num_query_heads": 6, "num_warps": 4, "producer_warps": 0, "scale": 0.125, "seq_k": -1, "seq_q": -1, "value_dim": 64, "window_left": -1, "window_right": -1, "abi_version": 3}
]})";

// The two kernels of one sigattn.attention_grad (wgmma, TMA loads, ALiBi
// per head, D = Dv = 128, Hq = 6, Hkv = 2, 64 x 64 tiles), and a dk/dv
// kernel whose description names no partner.
const char *kGradDescription = R"({"kernels": [
  {"abi_version": 3, "alibi": "head", "batch": -1, "bias": -2, "block_k": 64, "block_q": 64, "block_threads": 128, "dynamic_shared_memory": 98328, "element_type": "bf16", "head_dim": 128, "kind": "attention_grad_kv", "kv_stages": 2, "loads": "tma", "mma": "wgmma", "name": "g_grad_kv", "num_kv_heads": 2, "num_query_heads": 6, "num_warps": 4, "partner": "g_grad_q", "producer_warps": 0, "scale": 0.0883883461, "seq_k": -1, "seq_q": -1, "stores": "direct", "value_dim": 128, "window_left": -1, "window_right": 0},
  {"abi_version": 3, "alibi": "head", "batch": -1, "bias": -2, "block_k": 64, "block_q": 64, "block_threads": 128, "dynamic_shared_memory": 98328, "element_type": "bf16", "head_dim": 128, "kind": "attention_grad_q", "kv_stages": 2, "loads": "tma", "mma": "wgmma", "name": "g_grad_q", "num_kv_heads": 2, "num_query_heads": 6, "num_warps": 4, "partner": "g_grad_kv", "producer_warps": 0, "scale": 0.0883883461, "seq_k": -1, "seq_q": -1, "stores": "direct", "value_dim": 128, "window_left": -1, "window_right": 0},
  {"abi_version": 3, "alibi": "head", "batch": -1, "bias": -2, "block_k": 64, "block_q": 64, "block_threads": 128, "dynamic_shared_memory": 98328, "element_type": "bf16", "head_dim": 128, "kind": "attention_grad_kv", "kv_stages": 2, "loads": "tma", "mma": "wgmma", "name": "lone_grad_kv", "num_kv_heads": 2, "num_query_heads": 6, "num_warps": 4, "producer_warps": 0, "scale": 0.0883883461, "seq_k": -1, "seq_q": -1, "stores": "direct", "value_dim": 128, "window_left": -1, "window_right": 0}
]})";

std::string writeFiles(const std::string &dir, const std::string &json,
                       const std::string &file = "k.ptx") {
  std::string ptx = dir + "/" + file;
  std::ofstream(ptx) << "// mock PTX\n";
  std::ofstream(ptx + ".json") << json;
  return ptx;
}

/// Allocates mock device memory, each allocation exactly the bytes asked
/// for, 1 MiB apart; constructing one forgets the previous allocations.
struct Allocator {
  CUdeviceptr next = 0x100000;
  Allocator() { driver.allocations.clear(); }
  CUdeviceptr operator()(uint64_t bytes) {
    CUdeviceptr p = next;
    driver.allocations.push_back({p, bytes, CU_MEMORYTYPE_DEVICE});
    next += (bytes + 0xFFFFF) & ~uint64_t(0xFFFFF);
    return p;
  }
};

/// Device allocations for a dynamic-kernel call at B = 2, Nq = 113,
/// Nk = 203 (and the static kernel's), each exactly its tensor's size.
AttentionArgs allocate(const KernelInfo &info, int64_t b, int64_t nq,
                       int64_t nk) {
  TensorBytes t = tensorBytes(info, b, nq, nk);
  Allocator alloc;
  AttentionArgs a;
  a.query = alloc(t.query);
  a.key = alloc(t.key);
  a.value = alloc(t.value);
  a.output = alloc(t.output);
  if (info.alibi != Alibi::None)
    a.slopes = alloc(t.slopes);
  a.batch = b;
  a.seqQ = nq;
  a.seqK = nk;
  return a;
}

/// Device allocations for a call of an attention_grad pair, each exactly
/// its tensor's size.
AttentionGradArgs allocateGrad(const KernelInfo &info, int64_t b, int64_t nq,
                               int64_t nk) {
  using sigattn::abi::Tensor;
  Allocator alloc;
  auto tensor = [&](Tensor t) {
    return alloc(tensorBytes(info, t, b, nq, nk));
  };
  AttentionGradArgs a;
  a.query = tensor(Tensor::kQuery);
  a.key = tensor(Tensor::kKey);
  a.value = tensor(Tensor::kValue);
  a.gradOutput = tensor(Tensor::kGradOutput);
  a.gradQuery = tensor(Tensor::kGradQuery);
  a.gradKey = tensor(Tensor::kGradKey);
  a.gradValue = tensor(Tensor::kGradValue);
  if (info.alibi != Alibi::None)
    a.slopes = alloc(slopesBytes(info, b));
  a.batch = b;
  a.seqQ = nq;
  a.seqK = nk;
  return a;
}

/// Unloads `m` (expecting success) and removes its PTX and JSON.
void unloadAndRemove(Module &m, const std::string &ptx, const char *what) {
  expect(what, m.unload(), true);
  std::remove((ptx + ".json").c_str());
  std::remove(ptx.c_str());
}

std::string describeLaunch(const Launch &l) {
  std::string s = "grid " + std::to_string(l.grid[0]) + "x" +
                  std::to_string(l.grid[1]) + "x" + std::to_string(l.grid[2]) +
                  " block " + std::to_string(l.block[0]) + "x" +
                  std::to_string(l.block[1]) + "x" +
                  std::to_string(l.block[2]) + " smem " +
                  std::to_string(l.sharedBytes) + " params";
  for (uint64_t p : l.params)
    s += " " + std::to_string(p);
  return s;
}

} // namespace

void sigattn_test::runModuleTests() {
  const char *tmp = std::getenv("TMPDIR");
  std::string dirTemplate =
      std::string(tmp && *tmp ? tmp : "/tmp") + "/sigattn-runtime-tests.XXXXXX";
  const char *dir = mkdtemp(dirTemplate.data());
  if (!dir) {
    check("temporary directory", false, "mkdtemp failed");
    return;
  }
  std::string ptx = writeFiles(dir, kDescription);

  // Step 1. Errors name the call and the driver's error, also for a code the
  // driver does not know.
  std::printf("describe: %s\n",
              describeError(CUDA_ERROR_INVALID_VALUE, "cuX").c_str());
  std::printf("describe unknown: %s\n",
              describeError(static_cast<CUresult>(12345), "cuX").c_str());

  // Step 2. Loading.
  {
    Module m;
    driver.current = nullptr;
    expect("load without a context", Module::load(ptx, m), false);
    driver.current = fakeContext(0xC0);
    driver.getCurrentResult = CUDA_ERROR_INVALID_CONTEXT;
    expect("load when cuCtxGetCurrent fails", Module::load(ptx, m), false);
    driver.getCurrentResult = CUDA_SUCCESS;
    driver.loadResult = CUDA_ERROR_INVALID_PTX;
    driver.jitLog = "ptxas fatal: mock";
    expect("load of bad PTX", Module::load(ptx, m), false);
    driver.loadResult = CUDA_SUCCESS;
    driver.missingFunction = "static_sigattn";
    int unloads = driver.unloads;
    expect("load of a module lacking a kernel", Module::load(ptx, m), false);
    check("module lacking a kernel unloaded", driver.unloads == unloads + 1,
          std::to_string(driver.unloads - unloads) + " unload");
    driver.missingFunction.clear();
    std::string badJson = std::string(dir) + "/bad.ptx";
    std::ofstream(badJson) << "// mock PTX\n";
    std::ofstream(badJson + ".json")
        << "{\"kernels\": [{\"name\": \"x\", \"abi_version\": 3, \"kind\": "
           "\"attention\"}]}";
    expect("load with a bad description", Module::load(badJson, m), false);
    expect("load of a missing file",
           Module::load(std::string(dir) + "/none.ptx", m), false);
    check("failed loads leave the module empty", m.kernels().empty(),
          std::to_string(m.kernels().size()) + " kernels");
  }

  Module module;
  expect("load", Module::load(ptx, module), true);
  check("kernels loaded",
        module.kernels().size() == 2 && module.find("dyn_sigattn") &&
            module.find("static_sigattn") && !module.find("other"),
        std::to_string(module.kernels().size()) + " kernels");
  const KernelInfo &dyn = *module.find("dyn_sigattn");
  const KernelInfo &stat = *module.find("static_sigattn");

  // Step 3. A launch with the ABI's geometry and parameters: q, k, v, out,
  // slopes, B, Nq, Nk, then the strides of q, k, v, out (contiguous here:
  // D = Dv = 64, Hq = 6, Hkv = 2).
  AttentionArgs args = allocate(dyn, 2, 113, 203);
  driver.paramsToRead = 20;
  expect("launch", module.launch("dyn_sigattn", args), true);
  if (driver.launches.size() == 1) {
    const Launch &l = driver.launches[0];
    const uint64_t strides[] = {113 * 384, 384, 64, 203 * 128, 128, 64,
                                203 * 128, 128, 64, 113 * 384, 384, 64};
    bool right = l.grid[0] == 1 && l.grid[1] == 6 && l.grid[2] == 2 &&
                 l.block[0] == 128 && l.block[1] == 1 && l.block[2] == 1 &&
                 l.sharedBytes == 32768 && l.params.size() == 20 &&
                 l.params[0] == args.query && l.params[1] == args.key &&
                 l.params[2] == args.value && l.params[3] == args.output &&
                 l.params[4] == args.slopes && l.params[5] == 2 &&
                 l.params[6] == 113 && l.params[7] == 203;
    for (int i = 0; i < 12; ++i)
      right = right && l.params[8 + i] == strides[i];
    check("launch geometry and parameters", right, describeLaunch(l));
  } else {
    check("launch geometry and parameters", false,
          std::to_string(driver.launches.size()) + " launches");
  }
  check("shared memory limit set once", driver.setAttributeCalls == 1 &&
                                            driver.lastSharedLimit == 32768,
        std::to_string(driver.setAttributeCalls) + " calls, limit " +
            std::to_string(driver.lastSharedLimit));
  expect("second launch", module.launch("dyn_sigattn", args), true);
  check("shared memory limit not set again", driver.setAttributeCalls == 1,
        std::to_string(driver.setAttributeCalls) + " calls");
  expect("launchGrad of a forward kernel",
         module.launchGrad("dyn_sigattn", AttentionGradArgs()), false);

  // Strided tensors: q and out as PyTorch's [B, H, N, D] transposed, the
  // launch passes the call's strides.
  {
    AttentionArgs t = args;
    t.queryStrides = sigattn::abi::Strides{6 * 113 * 64, 64, 113 * 64};
    t.outputStrides = t.queryStrides;
    size_t before = driver.launches.size();
    expect("launch with transposed q and out", module.launch("dyn_sigattn", t),
           true);
    bool right = driver.launches.size() == before + 1;
    if (right) {
      const Launch &l = driver.launches.back();
      right = l.params[8] == 6 * 113 * 64 && l.params[9] == 64 &&
              l.params[10] == 113 * 64 && l.params[11] == 203 * 128 &&
              l.params[17] == 6 * 113 * 64 && l.params[18] == 64 &&
              l.params[19] == 113 * 64;
    }
    check("strides passed after the sizes", right,
          std::to_string(driver.launches.size() - before) + " launches");
  }

  // Step 4. Refused launches: nothing reaches cuLaunchKernel.
  size_t launched = driver.launches.size();
  auto refused = [&](const char *name, const std::string &kernel,
                     const AttentionArgs &a) {
    expect(name, module.launch(kernel, a), false);
  };
  refused("launch of an unknown kernel", "other", args);
  {
    AttentionArgs a = args;
    a.slopes += 4; // 4-byte aligned, not 16
    refused("launch with 4-byte aligned slopes", "dyn_sigattn", a);
    // Rows padded to 72 elements: the output spans more than its
    // allocation of contiguous rows.
    a = args;
    a.outputStrides = sigattn::abi::Strides{113 * 6 * 72, 6 * 72, 72};
    refused("launch with an output spanning past its allocation", "dyn_sigattn",
            a);
    // The key's rows strided over the value's allocation as well.
    a = args;
    a.keyStrides = sigattn::abi::Strides{203 * 128 * 64, 128, 64};
    refused("launch with a key spanning past its allocation", "dyn_sigattn", a);
    a = args;
    a.value = 0x7000000000; // no allocation there: a host pointer
    refused("launch with a host pointer", "dyn_sigattn", a);
    a = args;
    driver.allocations.push_back({0x8000000000, 1 << 20, CU_MEMORYTYPE_HOST});
    a.key = 0x8000000000;
    refused("launch with pinned host memory", "dyn_sigattn", a);
    driver.allocations.pop_back();
    a = args;
    a.seqK = 204; // one row more than the allocations hold
    refused("launch past the key allocation", "dyn_sigattn", a);
    // The output's allocation holds the key and the slopes too.
    a = args;
    a.key = args.output + 16;
    refused("launch with key inside the output", "dyn_sigattn", a);
    a = args;
    a.slopes = args.output + 173568 - 32;
    refused("launch with slopes overlapping the output", "dyn_sigattn", a);
  }
  driver.getCurrentResult = CUDA_ERROR_INVALID_CONTEXT;
  refused("launch when cuCtxGetCurrent fails", "dyn_sigattn", args);
  driver.getCurrentResult = CUDA_SUCCESS;
  driver.pointerResult = CUDA_ERROR_CONTEXT_IS_DESTROYED;
  refused("launch when cuPointerGetAttribute fails", "dyn_sigattn", args);
  driver.pointerResult = CUDA_SUCCESS;
  driver.rangeResult = CUDA_ERROR_INVALID_CONTEXT;
  refused("launch when cuMemGetAddressRange fails", "dyn_sigattn", args);
  driver.rangeResult = CUDA_SUCCESS;
  driver.current = fakeContext(0xC1);
  refused("launch from another context", "dyn_sigattn", args);
  driver.current = fakeContext(0xC0);

  // The static kernel: exactly its sizes.
  AttentionArgs sargs = allocate(stat, 2, 113, 203);
  AttentionArgs wrongNq = sargs;
  wrongNq.seqQ = 100; // fits in the buffers, but the kernel runs 113
  refused("launch of the static kernel at Nq = 100", "static_sigattn",
          wrongNq);
  AttentionArgs wrongB = sargs;
  wrongB.batch = 1;
  refused("launch of the static kernel at B = 1", "static_sigattn", wrongB);
  driver.setAttributeResult = CUDA_ERROR_INVALID_VALUE;
  refused("launch when cuFuncSetAttribute fails", "static_sigattn", sargs);
  driver.setAttributeResult = CUDA_SUCCESS;
  check("nothing launched by refused calls",
        driver.launches.size() == launched,
        std::to_string(driver.launches.size() - launched) + " launches");
  driver.launchResult = CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES;
  expect("launch when cuLaunchKernel fails",
         module.launch("static_sigattn", sargs), false);
  driver.launchResult = CUDA_SUCCESS;
  driver.paramsToRead = 7;
  expect("launch of the static kernel", module.launch("static_sigattn", sargs),
         true);
  if (driver.launches.size() == launched + 1) {
    const Launch &l = driver.launches.back();
    check("static launch parameters",
          l.params.size() == 7 && l.params[3] == sargs.output &&
              l.params[4] == 2 && l.params[5] == 113 && l.params[6] == 203 &&
              l.sharedBytes == 65536,
          describeLaunch(l));
  }

  // Step 5. Unloading: in the module's context, failures reported.
  driver.current = fakeContext(0xC1);
  int unloads = driver.unloads;
  expect("unload", module.unload(), true);
  check("unloaded in the module's context",
        driver.unloads == unloads + 1 && driver.unloadedIn == fakeContext(0xC0) &&
            driver.current == fakeContext(0xC1) && driver.stack.empty(),
        std::to_string(driver.unloads - unloads) + " unload");
  expect("unload of an empty module", module.unload(), true);
  refused("launch after unload", "dyn_sigattn", args);
  driver.current = fakeContext(0xC0);
  expect("reload", Module::load(ptx, module), true);
  driver.unloadResult = CUDA_ERROR_INVALID_CONTEXT;
  expect("unload when cuModuleUnload fails", module.unload(), false);
  driver.unloadResult = CUDA_SUCCESS;
  expect("reload", Module::load(ptx, module), true);
  driver.pushResult = CUDA_ERROR_CONTEXT_IS_DESTROYED;
  expect("unload when the context is gone", module.unload(), false);
  driver.pushResult = CUDA_SUCCESS;
  {
    Module scoped;
    expect("load for the destructor", Module::load(ptx, scoped), true);
    Module moved = std::move(scoped);
    unloads = driver.unloads;
    check("moved-from module is empty", scoped.kernels().empty(),
          std::to_string(scoped.kernels().size()) + " kernels");
  }
  check("destructor unloads once", driver.unloads == unloads + 1,
        std::to_string(driver.unloads - unloads) + " unloads");

  // Step 6. A TMA kernel: q, k, v's tensor maps after the sizes, by value,
  // encoded as abi::tensorMapShape says for the call's sizes.
  {
    std::string tmaPtx = writeFiles(dir, kTmaDescription, "tma.ptx");
    Module tma;
    expect("load of a TMA kernel", Module::load(tmaPtx, tma), true);
    const KernelInfo *info = tma.find("tma_sigattn");
    if (info) {
      AttentionArgs a = allocate(*info, 2, 113, 203);
      driver.paramsToRead = 22;
      driver.encodes.clear();
      size_t before = driver.launches.size();
      expect("launch of a TMA kernel", tma.launch("tma_sigattn", a), true);
      bool launched = driver.launches.size() == before + 1;
      if (launched) {
        const Launch &l = driver.launches.back();
        check("TMA launch parameters: maps after the sizes and strides, by "
              "value",
              l.params.size() == 22 && l.params[4] == 2 && l.params[5] == 113 &&
                  l.params[6] == 203 && l.params[7] == 113 * 6 * 128 &&
                  l.params[19] == a.query && l.params[20] == a.key &&
                  l.params[21] == a.value && l.sharedBytes == 53272,
              describeLaunch(l));
      } else {
        check("TMA launch parameters", false, "no launch");
      }
      // [B, N, H, dim] f16: dims (dim, H, N, B), byte strides of a head, a
      // row and a batch, boxes of 64 columns and 64 (q) or block_k rows.
      struct Want {
        const char *name;
        uint64_t base, dims[4], strides[3];
        uint32_t box[4];
      } want[] = {
          {"q",
           a.query,
           {128, 6, 113, 2},
           {256, 1536, 1536 * 113},
           {64, 1, 64, 1}},
          {"k", a.key, {128, 2, 203, 2}, {256, 512, 512 * 203}, {64, 1, 48, 1}},
          {"v",
           a.value,
           {64, 2, 203, 2},
           {128, 256, 256 * 203},
           {64, 1, 48, 1}}};
      bool encoded = driver.encodes.size() == 3;
      for (int i = 0; encoded && i < 3; ++i) {
        const Driver::Encode &e = driver.encodes[i];
        bool same = e.type == CU_TENSOR_MAP_DATA_TYPE_FLOAT16 && e.rank == 4 &&
                    e.base == want[i].base &&
                    e.interleave == CU_TENSOR_MAP_INTERLEAVE_NONE &&
                    e.swizzle == CU_TENSOR_MAP_SWIZZLE_128B &&
                    e.fill == CU_TENSOR_MAP_FLOAT_OOB_FILL_NONE;
        for (int d = 0; d < 4; ++d)
          same = same && e.dims[d] == want[i].dims[d] &&
                 e.box[d] == want[i].box[d] && e.elementStrides[d] == 1;
        for (int d = 0; d < 3; ++d)
          same = same && e.strides[d] == want[i].strides[d];
        std::string what = std::string("tensor map of ") + want[i].name;
        check(what.c_str(), same,
              "dims " + std::to_string(e.dims[0]) + "," +
                  std::to_string(e.dims[1]) + "," + std::to_string(e.dims[2]) +
                  "," + std::to_string(e.dims[3]) + " box rows " +
                  std::to_string(e.box[2]));
      }
      if (!encoded)
        check("three tensor maps encoded", false,
              std::to_string(driver.encodes.size()) + " encodes");
      // TMA stores: out's map after v's ([B, Nq, Hq, Dv], 64-row boxes).
      driver.paramsToRead = 23;
      driver.encodes.clear();
      before = driver.launches.size();
      expect("launch of a kernel with TMA stores",
             tma.launch("tma_store_sigattn", a), true);
      bool stored = driver.launches.size() == before + 1 &&
                    driver.launches.back().params.size() == 23 &&
                    driver.launches.back().params[22] == a.output &&
                    driver.encodes.size() == 4;
      if (stored) {
        const Driver::Encode &e = driver.encodes[3];
        stored = e.base == a.output && e.dims[0] == 64 && e.dims[1] == 6 &&
                 e.dims[2] == 113 && e.dims[3] == 2 && e.strides[0] == 128 &&
                 e.strides[1] == 768 && e.strides[2] == 768 * 113 &&
                 e.box[0] == 64 && e.box[2] == 64 &&
                 e.swizzle == CU_TENSOR_MAP_SWIZZLE_128B;
      }
      check("TMA stores: out's tensor map fourth, over [B, Nq, Hq, Dv]", stored,
            std::to_string(driver.encodes.size()) + " encodes");
      // Strided: k sliced from a packed [B, Nk, 2, Hkv, D] tensor (rows of
      // 2 x 2 x 128 elements), out transposed ([B, Hq, Nq, Dv]): the maps
      // take those strides, in bytes.
      AttentionArgs packed = allocate(*info, 2, 113, 203);
      driver.allocations[1].size *= 2; // k's allocation holds k and v
      packed.keyStrides = sigattn::abi::Strides{203 * 512, 512, 128};
      packed.outputStrides = sigattn::abi::Strides{6 * 113 * 64, 64, 113 * 64};
      driver.encodes.clear();
      expect("launch of a TMA kernel with strided k and out",
             tma.launch("tma_store_sigattn", packed), true);
      bool strided = driver.encodes.size() == 4;
      if (strided) {
        const Driver::Encode &k = driver.encodes[1], &o = driver.encodes[3];
        strided = k.strides[0] == 256 && k.strides[1] == 1024 &&
                  k.strides[2] == 1024 * 203 && o.strides[0] == 113 * 128 &&
                  o.strides[1] == 128 && o.strides[2] == 6 * 113 * 128;
      }
      check("TMA maps of strided tensors", strided,
            std::to_string(driver.encodes.size()) + " encodes");
      before = driver.launches.size();
      driver.encodeResult = CUDA_ERROR_INVALID_VALUE;
      expect("TMA launch when cuTensorMapEncodeTiled fails",
             tma.launch("tma_sigattn", a), false);
      driver.encodeResult = CUDA_SUCCESS;
      AttentionArgs big = a;
      big.seqK = int64_t{1} << 31;
      expect("TMA launch with Nk = 2^31", tma.launch("tma_sigattn", big),
             false);
      check("nothing launched by refused TMA calls",
            driver.launches.size() == before,
            std::to_string(driver.launches.size() - before) + " launches");
    }
    unloadAndRemove(tma, tmaPtx, "unload of the TMA module");
  }

  // Step 7. The two kernels of sigattn.attention_grad: launchGrad, by
  // either name, launches dk/dv (grid over key tiles and kv heads) and
  // then dq, each with its kind's tensors, strides and maps.
  {
    std::string gradPtx = writeFiles(dir, kGradDescription, "grad.ptx");
    Module grad;
    expect("load of an attention_grad pair", Module::load(gradPtx, grad), true);
    const KernelInfo *kv = grad.find("g_grad_kv");
    if (kv) {
      AttentionGradArgs a = allocateGrad(*kv, 2, 113, 203);
      const uint64_t qRow = 6 * 128, kRow = 2 * 128;
      // Both launches record the dq kernel's 28 parameters (dk/dv has 32:
      // its maps, 28 .. 31, are checked through the encodes below).
      driver.paramsToRead = 28;
      driver.encodes.clear();
      size_t before = driver.launches.size();
      expect("launchGrad by the dq kernel's name",
             grad.launchGrad("g_grad_q", a), true);
      bool two = driver.launches.size() == before + 2;
      if (two) {
        // dk/dv: q, k, v, dO, dk, dv, slopes, B, Nq, Nk, 18 strides (then
        // the maps of q, k, v, dO).
        const Launch &l = driver.launches[before];
        const uint64_t strides[] = {
            113 * qRow, qRow, 128, 203 * kRow, kRow, 128,
            203 * kRow, kRow, 128, 113 * qRow, qRow, 128,
            203 * kRow, kRow, 128, 203 * kRow, kRow, 128};
        bool right = l.grid[0] == 4 && l.grid[1] == 2 && l.grid[2] == 2 &&
                     l.block[0] == 128 && l.sharedBytes == 98328 &&
                     l.params[0] == a.query && l.params[1] == a.key &&
                     l.params[2] == a.value && l.params[3] == a.gradOutput &&
                     l.params[4] == a.gradKey && l.params[5] == a.gradValue &&
                     l.params[6] == a.slopes && l.params[7] == 2 &&
                     l.params[8] == 113 && l.params[9] == 203;
        for (int i = 0; i < 18; ++i)
          right = right && l.params[10 + i] == strides[i];
        check("dk/dv launched first, over key tiles and kv heads", right,
              describeLaunch(l));
        // dq: q, k, v, dO, dq, slopes, B, Nq, Nk, 15 strides, 4 maps.
        const Launch &m = driver.launches[before + 1];
        right = m.grid[0] == 2 && m.grid[1] == 6 && m.grid[2] == 2 &&
                m.params[3] == a.gradOutput && m.params[4] == a.gradQuery &&
                m.params[5] == a.slopes && m.params[6] == 2 &&
                m.params[9] == 113 * qRow && m.params[21] == 113 * qRow &&
                m.params[23] == 128 && m.params[24] == a.query &&
                m.params[27] == a.gradOutput;
        check("dq launched second, over query tiles and query heads", right,
              describeLaunch(m));
      } else {
        check("launchGrad launches two kernels", false,
              std::to_string(driver.launches.size() - before) + " launches");
      }
      // The maps: dk/dv's q and dO are read in column tiles of block_q
      // rows, k and v as resident tiles of 64 rows; [B, N, H, 128] bf16.
      bool maps = driver.encodes.size() == 8;
      for (int i = 0; maps && i < 8; ++i) {
        const Driver::Encode &e = driver.encodes[i];
        CUdeviceptr bases[] = {a.query, a.key, a.value, a.gradOutput};
        bool keys = i % 4 == 1 || i % 4 == 2;
        maps = e.base == bases[i % 4] &&
               e.type == CU_TENSOR_MAP_DATA_TYPE_BFLOAT16 && e.dims[0] == 128 &&
               e.dims[1] == (keys ? 2u : 6u) &&
               e.dims[2] == (keys ? 203u : 113u) && e.box[2] == 64;
      }
      check("tensor maps of q, k, v, dO for each kernel", maps,
            std::to_string(driver.encodes.size()) + " encodes");

      // Refused: nothing launched, by either kernel.
      before = driver.launches.size();
      auto refusedGrad = [&](const char *what, const std::string &name,
                             const AttentionGradArgs &args) {
        expect(what, grad.launchGrad(name, args), false);
      };
      AttentionGradArgs b = a;
      b.gradKey = a.gradQuery; // dq's allocation holds dk too
      refusedGrad("launchGrad with dk on dq", "g_grad_kv", b);
      b = a;
      b.gradValue = a.value;
      refusedGrad("launchGrad with dv on v", "g_grad_kv", b);
      b = a;
      b.gradOutput = 0;
      refusedGrad("launchGrad without dO", "g_grad_kv", b);
      b = a;
      b.gradKeyStrides = sigattn::abi::Strides{203 * kRow, 0, 128};
      refusedGrad("launchGrad with dk rows on one address", "g_grad_kv", b);
      b = a;
      b.numKVHeads = 3;
      refusedGrad("launchGrad with other kv heads", "g_grad_q", b);
      refusedGrad("launchGrad of a kernel naming no partner", "lone_grad_kv",
                  a);
      refusedGrad("launchGrad of an unknown kernel", "none", a);
      AttentionArgs fwd;
      fwd.query = a.query;
      fwd.key = a.key;
      fwd.value = a.value;
      fwd.output = a.gradQuery;
      fwd.slopes = a.slopes;
      fwd.batch = 2;
      fwd.seqQ = 113;
      fwd.seqK = 203;
      expect("launch() of a dk/dv kernel", grad.launch("g_grad_kv", fwd),
             false);
      check("nothing launched by refused gradient calls",
            driver.launches.size() == before,
            std::to_string(driver.launches.size() - before) + " launches");
    }
    unloadAndRemove(grad, gradPtx, "unload of the attention_grad module");
  }
  std::remove((std::string(dir) + "/bad.ptx.json").c_str());
  std::remove((std::string(dir) + "/bad.ptx").c_str());
  std::remove((ptx + ".json").c_str());
  std::remove(ptx.c_str());
  rmdir(dir);
}
