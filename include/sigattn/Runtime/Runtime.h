//===- Runtime.h - load and launch generated sigattn kernels ----*- C++ -*-===//
//
// A host runtime on the CUDA driver API, with no MLIR dependency: it loads
// the PTX written by sigattn-opt and its JSON description, checks every
// argument against the kernel ABI (docs/KernelABI.md) and launches.
// Every failure comes back as a Status naming what failed; nothing throws.
//
//===----------------------------------------------------------------------===//

#ifndef SIGATTN_RUNTIME_RUNTIME_H
#define SIGATTN_RUNTIME_RUNTIME_H

#include "sigattn/Runtime/KernelABI.h"

#include <cuda.h>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sigattn {
namespace runtime {

/// The outcome of a runtime call: success, or a message saying what failed.
class Status {
public:
  static Status success() { return Status(); }
  static Status error(std::string message) {
    Status s;
    s.message_ = std::move(message);
    s.failed_ = true;
    return s;
  }
  bool ok() const { return !failed_; }
  const std::string &message() const { return message_; }

private:
  std::string message_;
  bool failed_ = false;
};

enum class ElementType { BF16, F16 };
enum class Alibi { None, Head, BatchHead };

/// What a kernel computes and how it is launched (one entry of the JSON
/// description written by sigattn-write-ptx).
struct KernelInfo {
  std::string name;
  /// "kind": what the kernel computes, and so its parameters (ABI 3).
  abi::KernelKind kind = abi::KernelKind::kAttention;
  /// "partner": for a backward kind, the name of the other kernel of its
  /// sigattn.attention_grad (optional; empty when absent).
  std::string partner;
  ElementType elementType = ElementType::BF16;
  int64_t headDim = 0, valueDim = 0;
  int64_t numQueryHeads = 0, numKVHeads = 0;
  int64_t blockQ = 0, blockK = 0, numWarps = 0, blockThreads = 0;
  int64_t dynamicSharedMemory = 0;
  int64_t windowLeft = -1, windowRight = -1;
  float scale = 0.0f, bias = 0.0f;
  /// "scale": "param" / "bias": "param": the kernel takes the value as an
  /// f32 parameter after the sizes (scale first); `scale` / `bias` above
  /// are then unused.
  bool scaleParam = false, biasParam = false;
  Alibi alibi = Alibi::None;
  std::string mma;
  /// "loads": "tma" (three CUtensorMap parameters after the sizes, which
  /// Module::launch encodes) or "cp.async".
  bool tmaLoads = false;
  /// "stores": "tma" (a fourth CUtensorMap, out's; needs TMA loads) or
  /// "direct" (also when the field is absent).
  bool tmaStores = false;
  /// "producer_warps": warps that only load (0, or 4 for a producer
  /// warpgroup); "kv_stages": stages of the K/V ring. Both are part of the
  /// shape the shared memory and block size follow.
  int64_t producerWarps = 0, kvStages = abi::TileShape::kDefaultKVStages;
  /// B, Nq and Nk the kernel was compiled for ("batch", "seq_q", "seq_k"):
  /// a static size is baked into the kernel, which ignores the matching
  /// parameter, so a launch must pass exactly that size;
  /// abi::kDynamicSize (-1) when the size is a run-time parameter.
  int64_t staticBatch = abi::kDynamicSize;
  int64_t staticSeqQ = abi::kDynamicSize;
  int64_t staticSeqK = abi::kDynamicSize;

  abi::TileShape tileShape() const {
    return {blockQ,   blockK,        numWarps, headDim,   valueDim,
            tmaLoads, producerWarps, kvStages, tmaStores, kind};
  }
};

/// Parses a description `{"kernels": [{...}, ...]}`; checks that every field
/// is there, has the right type and a consistent value (integers exact and
/// in range; "batch", "seq_q", "seq_k" -1 or at least 1; num_warps at most
/// 32, block_threads 32 x (num_warps + producer_warps); producer_warps 0,
/// or 4 with TMA loads; dynamic_shared_memory what abi::dynamicSharedBytes
/// gives for the tile shape; kv_stages 2 .. 4, more than 2 only with
/// a producer; dynamic_shared_memory below 2^31; scale
/// and bias finite f32; kernel names distinct). `kernels` is replaced only
/// on success.
Status parseKernelDescription(const std::string &json,
                              std::vector<KernelInfo> &kernels);

/// What every call gives besides its tensors: the sizes, the ALiBi slopes,
/// the run-time scalars, and what the caller's tensors are (checked against
/// the kernel when given: not 0 / not unset).
struct CallParams {
  CUdeviceptr slopes = 0; ///< only for kernels with ALiBi
  int64_t batch = 0, seqQ = 0, seqK = 0;
  /// Scale and bias: required by a kernel that takes them at run time
  /// (finite); for one that has them compiled in, checked equal when given.
  std::optional<float> scale, bias;
  /// What the caller's tensors hold; checked against the kernel when set.
  std::optional<ElementType> elementType;
  int64_t numQueryHeads = 0, numKVHeads = 0, headDim = 0, valueDim = 0;
};

/// The device buffers and sizes of one forward call (a kernel of kind
/// "attention"). The tensors' element type and static sizes, when given,
/// must be the kernel's.
struct AttentionArgs : CallParams {
  CUdeviceptr query = 0, key = 0, value = 0, output = 0;
  /// The layout of q, k, v and out: strides in elements between batches,
  /// rows and heads of the [B, N, H, dim] tensor (the last dimension is
  /// contiguous); unset: contiguous. A PyTorch tensor's strides(0..2).
  std::optional<abi::Strides> queryStrides, keyStrides, valueStrides,
      outputStrides;
};

/// The device buffers and sizes of one sigattn.attention_grad call: its
/// two kernels (attention_grad_kv, then attention_grad_q) read q, k, v and
/// dO and write dk, dv and dq. Strides as in AttentionArgs.
struct AttentionGradArgs : CallParams {
  CUdeviceptr query = 0, key = 0, value = 0, gradOutput = 0;
  CUdeviceptr gradQuery = 0, gradKey = 0, gradValue = 0;
  std::optional<abi::Strides> queryStrides, keyStrides, valueStrides,
      gradOutputStrides, gradQueryStrides, gradKeyStrides, gradValueStrides;
};

/// The arguments of one kernel launch of any kind: every tensor by
/// abi::Tensor (those the kernel does not take are ignored).
struct KernelArgs : CallParams {
  std::array<CUdeviceptr, abi::kNumTensorRoles> tensors{};
  std::array<std::optional<abi::Strides>, abi::kNumTensorRoles> strides{};
  CUdeviceptr tensor(abi::Tensor t) const {
    return tensors[static_cast<int>(t)];
  }
};
KernelArgs toKernelArgs(const AttentionArgs &args);
KernelArgs toKernelArgs(const AttentionGradArgs &args);

/// The strides a launch passes for tensor `role` of a call: the given
/// ones, or contiguous; a dimension of size 1 gets the contiguous stride
/// whatever was given (it is never stepped).
abi::Strides effectiveStrides(const KernelInfo &info, const KernelArgs &args,
                              abi::Tensor role);
abi::Strides effectiveStrides(const KernelInfo &info, const AttentionArgs &args,
                              abi::Tensor role);

/// Bytes of tensor `role` of a call with these sizes, contiguous.
/// Meaningful for sizes validateSizes accepts; a negative size counts as 0
/// and a product beyond 2^64 - 1 saturates to UINT64_MAX.
uint64_t tensorBytes(const KernelInfo &info, abi::Tensor role, int64_t batch,
                     int64_t seqQ, int64_t seqK);
/// Bytes from tensor `role`'s pointer to one past its last element with the
/// call's strides (effectiveStrides): what its allocation must hold. The
/// same as tensorBytes for contiguous tensors; saturating likewise.
uint64_t tensorSpan(const KernelInfo &info, const KernelArgs &args,
                    abi::Tensor role);
/// Bytes of the ALiBi slopes of a call (0 without ALiBi).
uint64_t slopesBytes(const KernelInfo &info, int64_t batch);

/// The forward pass's tensors at once (tensorBytes / tensorSpan of q, k,
/// v, out, and the slopes).
struct TensorBytes {
  uint64_t query, key, value, output, slopes;
};
TensorBytes tensorBytes(const KernelInfo &info, int64_t batch, int64_t seqQ,
                        int64_t seqK);
TensorBytes tensorSpans(const KernelInfo &info, const AttentionArgs &args);

/// Checks B, Nq, Nk of a call against `info` and the ABI: each at least 1,
/// equal to the kernel's static size where it has one, within the grid
/// limits (x = ceil(Nq / block_q), or ceil(Nk / block_k) for
/// attention_grad_kv, <= 2^31 - 1; y = Hq, or Hkv, and B <= 65535), and every
/// tensor's size in bytes at most 2^62 (the kernel's 64-bit offsets); for
/// TMA kernels also Nq, Nk < 2^31 (TMA's signed 32-bit coordinates) and
/// each batch of a tensor below 2^40 bytes (a tensor map's stride limit).
Status validateSizes(const KernelInfo &info, int64_t batch, int64_t seqQ,
                     int64_t seqK);

/// Checks `args` against `info` and the ABI without touching the GPU: element
/// type and head counts/dims (when given) those the kernel was compiled for,
/// the sizes (validateSizes), pointers (slopes included) non-null and 16-byte
/// aligned, slopes given exactly when the kernel uses ALiBi, scale and bias
/// given (finite) when the kernel takes them at run time, and equal to the
/// compiled-in values when given for a kernel that has them compiled in;
/// strides (effectiveStrides) at least 0 and multiples of 8 elements, each
/// tensor's span at most 2^62 bytes, the output's elements at distinct
/// addresses, and for TMA kernels every stride below 2^40 bytes.
/// Every tensor of the kernel's kind is checked (abi::tensorOf), each output
/// for distinct elements. The AttentionArgs form refuses a kernel of
/// another kind than "attention".
Status validateArguments(const KernelInfo &info, const KernelArgs &args);
Status validateArguments(const KernelInfo &info, const AttentionArgs &args);

/// Refuses a kernel of another kind than "attention": AttentionArgs hold
/// only the forward pass's tensors.
Status checkAttentionKind(const KernelInfo &info);

/// Fills `map` (128 bytes, 64-byte aligned) with the CUtensorMap a TMA
/// kernel of `info` reads `role` through (abi::tensorMapShape) for a
/// [batch, seq, heads, dim] tensor at `base` with `strides`. Checks the
/// base's 16-byte alignment and cuTensorMapEncodeTiled's result.
Status encodeTensorMap(const KernelInfo &info, abi::Tensor role,
                       CUdeviceptr base, int64_t batch, int64_t seq,
                       abi::Strides strides, CUtensorMap &map);

/// A loaded PTX module with its kernels.
class Module {
public:
  Module() = default;
  Module(const Module &) = delete;
  Module &operator=(const Module &) = delete;
  Module(Module &&other) noexcept;
  Module &operator=(Module &&other) noexcept;
  ~Module();

  /// Loads `ptxPath` and its description `ptxPath + ".json"` into the
  /// calling thread's current CUDA context.
  static Status load(const std::string &ptxPath, Module &module);

  const std::vector<KernelInfo> &kernels() const { return kernels_; }

  /// Unloads the module (from the context it was loaded into) and empties
  /// this object; success when nothing is loaded. The destructor does the
  /// same but cannot report a failure: call this to see it.
  Status unload();

  /// The kernel called `name`, or nullptr.
  const KernelInfo *find(const std::string &name) const;

  /// Checks every argument (validateArguments, then: each pointer is device
  /// memory whose allocation holds the whole tensor (tensorSpans), the
  /// output's span overlaps no input's), sets the kernel's dynamic shared
  /// memory limit, and launches it on `stream`. On any failure nothing is
  /// launched.
  Status launch(const std::string &name, const AttentionArgs &args,
                CUstream stream = nullptr);

  /// Launches the two kernels of one sigattn.attention_grad on `stream`:
  /// `name` is either of them, the other its "partner". Both are checked as
  /// `launch` checks one (validateArguments, device ranges, each output
  /// overlapping no input), and dq, dk, dv must not overlap each other;
  /// then attention_grad_kv is launched, and attention_grad_q after it. On
  /// any failure nothing is launched.
  Status launchGrad(const std::string &name, const AttentionGradArgs &args,
                    CUstream stream = nullptr);

private:
  struct Prepared;
  /// Everything `launch` checks for kernel `index`, and the launch's
  /// parameters; nothing is launched.
  Status prepare(size_t index, const KernelArgs &args, Prepared &out);
  Status launchPrepared(Prepared &p, CUstream stream);
  /// The index of kernel `name`, or an error naming it.
  Status indexOf(const std::string &name, size_t &index) const;

  CUmodule module_ = nullptr;
  CUcontext context_ = nullptr; ///< the context module_ was loaded into
  std::vector<KernelInfo> kernels_;
  std::vector<CUfunction> functions_;
  std::vector<bool> sharedLimitSet_;
};

/// "cuCall(what): CUDA_ERROR_NAME (description)" for a failed driver call.
std::string describeError(CUresult result, const std::string &call);

} // namespace runtime
} // namespace sigattn

#endif // SIGATTN_RUNTIME_RUNTIME_H
