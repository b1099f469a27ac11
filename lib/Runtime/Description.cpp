//===- Description.cpp - kernel descriptions and argument checks ----------===//
//
// The part of the runtime that needs no GPU: parsing the JSON description of
// kernels and checking call arguments against it. It calls no CUDA function,
// so it links and runs on machines without a driver.
//
//===----------------------------------------------------------------------===//

#include "sigattn/Runtime/Runtime.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <initializer_list>
#include <limits>
#include <map>
#include <system_error>

using namespace sigattn;
using namespace sigattn::runtime;

//===----------------------------------------------------------------------===//
// The JSON description
//===----------------------------------------------------------------------===//

namespace {

/// A JSON value of the description: a string or a number.
struct Scalar {
  bool isString = false;
  std::string text; ///< the string, or the number as written
  double number = 0.0;
};
using Object = std::map<std::string, Scalar>;

/// A parser for the subset sigattn-write-ptx writes: one object holding
/// "kernels", an array of flat objects of strings and numbers.
class Parser {
public:
  explicit Parser(const std::string &text) : s(text) {}

  Status parse(std::vector<Object> &objects) {
    if (!expect('{'))
      return fail("expected '{'");
    std::string key;
    if (!parseString(key) || key != "kernels")
      return fail("expected the key \"kernels\"");
    if (!expect(':') || !expect('['))
      return fail("expected ': [' after \"kernels\"");
    skipSpace();
    if (peek() == ']') {
      ++pos;
    } else {
      do {
        Object object;
        Status st = parseObject(object);
        if (!st.ok())
          return st;
        objects.push_back(std::move(object));
      } while (expect(','));
      if (!expect(']'))
        return fail("expected ',' or ']' in the kernel list");
    }
    if (!expect('}'))
      return fail("expected '}' at the end");
    skipSpace();
    if (pos != s.size())
      return fail("unexpected text after the description");
    return Status::success();
  }

private:
  Status parseObject(Object &object) {
    if (!expect('{'))
      return fail("expected '{' to start a kernel");
    skipSpace();
    if (peek() == '}') {
      ++pos;
      return Status::success();
    }
    do {
      std::string key;
      if (!parseString(key))
        return fail("expected a field name");
      if (!expect(':'))
        return fail("expected ':' after \"" + key + "\"");
      Scalar value;
      skipSpace();
      if (peek() == '"') {
        value.isString = true;
        if (!parseString(value.text))
          return fail("unterminated string for \"" + key + "\"");
      } else {
        // A JSON number: '-'? digit ... (no "nan", "inf", hex or '+'),
        // parsed whatever the C locale's decimal point, and finite.
        const char *begin = s.c_str() + pos, *last = s.c_str() + s.size();
        const char *digit = begin + (peek() == '-' ? 1 : 0);
        if (digit >= last || !std::isdigit(static_cast<unsigned char>(*digit)))
          return fail("expected a string or a number for \"" + key + "\"");
        auto [end, ec] = std::from_chars(begin, last, value.number);
        if (ec != std::errc() || !std::isfinite(value.number))
          return fail("number out of range for \"" + key + "\"");
        value.text.assign(begin, end); // as written, for messages
        pos += static_cast<size_t>(end - begin);
      }
      if (object.count(key))
        return fail("field \"" + key + "\" appears twice");
      object[key] = value;
    } while (expect(','));
    if (!expect('}'))
      return fail("expected ',' or '}' in a kernel");
    return Status::success();
  }

  bool parseString(std::string &out) {
    skipSpace();
    if (peek() != '"')
      return false;
    ++pos;
    out.clear();
    while (pos < s.size() && s[pos] != '"') {
      if (s[pos] == '\\' && pos + 1 < s.size())
        ++pos;
      out += s[pos++];
    }
    if (pos >= s.size())
      return false;
    ++pos;
    return true;
  }

  void skipSpace() {
    while (pos < s.size() && std::isspace(static_cast<unsigned char>(s[pos])))
      ++pos;
  }
  char peek() const { return pos < s.size() ? s[pos] : '\0'; }
  bool expect(char c) {
    skipSpace();
    if (peek() != c)
      return false;
    ++pos;
    return true;
  }
  Status fail(const std::string &what) const {
    return Status::error("kernel description: " + what + " at offset " +
                         std::to_string(pos));
  }

  const std::string &s;
  size_t pos = 0;
};

/// Reads field `key` of `object` into `out`.
Status getField(const Object &object, const std::string &key,
                std::string &out) {
  auto it = object.find(key);
  if (it == object.end() || !it->second.isString)
    return Status::error("kernel description: missing string field \"" + key +
                         "\"");
  out = it->second.text;
  return Status::success();
}

Status getField(const Object &object, const std::string &key, double &out) {
  auto it = object.find(key);
  if (it == object.end() || it->second.isString)
    return Status::error("kernel description: missing number field \"" + key +
                         "\"");
  out = it->second.number;
  return Status::success();
}

/// Integers must be exact in a double: at most 2^53 in magnitude.
constexpr double kMaxExactInteger = 9007199254740992.0;

Status getInt(const Object &object, const std::string &key, int64_t &out,
              int64_t min, int64_t max = static_cast<int64_t>(kMaxExactInteger)) {
  double v = 0;
  Status st = getField(object, key, v);
  if (!st.ok())
    return st;
  // Range first: converting a double outside int64's range is undefined.
  if (!(v >= static_cast<double>(min)) || v != std::trunc(v))
    return Status::error("kernel description: field \"" + key +
                         "\" must be an integer >= " + std::to_string(min));
  if (!(v <= static_cast<double>(max)))
    return Status::error("kernel description: field \"" + key +
                         "\" must be at most " + std::to_string(max) +
                         ", got " + object.at(key).text);
  out = static_cast<int64_t>(v);
  return Status::success();
}

/// A static size field: abi::kDynamicSize (-1) or a size of at least 1.
Status getStaticSize(const Object &object, const std::string &key,
                     int64_t &out) {
  auto it = object.find(key);
  if (it == object.end() || it->second.isString)
    return Status::error("kernel description: missing number field \"" + key +
                         "\"");
  double v = it->second.number;
  if (!(v == static_cast<double>(abi::kDynamicSize) ||
        (v >= 1 && v <= kMaxExactInteger && v == std::trunc(v))))
    return Status::error("kernel description: field \"" + key +
                         "\" must be -1 (dynamic) or a static size >= 1, got " +
                         it->second.text);
  out = static_cast<int64_t>(v);
  return Status::success();
}

} // namespace

Status sigattn::runtime::parseKernelDescription(
    const std::string &json, std::vector<KernelInfo> &kernels) {
  std::vector<Object> objects;
  Status st = Parser(json).parse(objects);
  if (!st.ok())
    return st;
  // Filled here, handed over only when every kernel is valid.
  std::vector<KernelInfo> parsed;
  for (const Object &o : objects) {
    KernelInfo k;
    // The parameter list depends on the ABI: a kernel of another version
    // would read its arguments from the wrong places.
    int64_t version = 0;
    if (!o.count("abi_version"))
      return Status::error("kernel description: no \"abi_version\" (a "
                           "kernel from before ABI 2): recompile it");
    if (!(st = getInt(o, "abi_version", version, 1, kMaxExactInteger)).ok())
      return st;
    if (version != abi::kAbiVersion)
      return Status::error("kernel description: abi_version " +
                           std::to_string(version) + " is not this runtime's " +
                           std::to_string(abi::kAbiVersion) +
                           ": recompile the kernel");
    // What the kernel computes fixes its parameters: required since ABI 3.
    std::string kind;
    if (!(st = getField(o, "kind", kind)).ok())
      return st;
    bool known = false;
    for (abi::KernelKind candidate :
         {abi::KernelKind::kAttention, abi::KernelKind::kGradKV,
          abi::KernelKind::kGradQ}) {
      if (kind == abi::kindName(candidate)) {
        k.kind = candidate;
        known = true;
      }
    }
    if (!known)
      return Status::error("kernel description: kind \"" + kind +
                           "\" is not attention, attention_grad_kv or "
                           "attention_grad_q");
    if (o.count("partner") && !(st = getField(o, "partner", k.partner)).ok())
      return st;
    std::string elementType, alibi, loads;
    double scale = 0, bias = 0;
    constexpr int64_t kMax = static_cast<int64_t>(kMaxExactInteger);
    struct IntField {
      const char *key;
      int64_t *slot;
      int64_t min, max;
    } ints[] = {{"head_dim", &k.headDim, 1, kMax},
                {"value_dim", &k.valueDim, 1, kMax},
                {"num_query_heads", &k.numQueryHeads, 1, kMax},
                {"num_kv_heads", &k.numKVHeads, 1, kMax},
                {"block_q", &k.blockQ, 1, kMax},
                {"block_k", &k.blockK, 1, kMax},
                {"num_warps", &k.numWarps, 1, 32},
                // CUDA's limit on threads per block.
                {"block_threads", &k.blockThreads, 32, 1024},
                // Passed to the driver as an int.
                {"dynamic_shared_memory", &k.dynamicSharedMemory, 0,
                 std::numeric_limits<int32_t>::max()},
                {"producer_warps", &k.producerWarps, 0, 32},
                {"kv_stages", &k.kvStages, abi::kMinKVStages,
                 abi::kMaxKVStages},
                {"window_left", &k.windowLeft, -1, kMax},
                {"window_right", &k.windowRight, -1, kMax}};
    for (const IntField &f : ints) {
      if (!(st = getInt(o, f.key, *f.slot, f.min, f.max)).ok())
        return st;
    }
    struct SizeField {
      const char *key;
      int64_t *slot;
    } sizes[] = {{"batch", &k.staticBatch},
                 {"seq_q", &k.staticSeqQ},
                 {"seq_k", &k.staticSeqK}};
    for (const SizeField &f : sizes) {
      if (!(st = getStaticSize(o, f.key, *f.slot)).ok())
        return st;
    }
    if (!(st = getField(o, "name", k.name)).ok() ||
        !(st = getField(o, "element_type", elementType)).ok() ||
        !(st = getField(o, "alibi", alibi)).ok() ||
        !(st = getField(o, "mma", k.mma)).ok() ||
        !(st = getField(o, "loads", loads)).ok())
      return st;
    // "scale" and "bias": a number compiled into the kernel, or "param"
    // for an f32 kernel parameter.
    struct Scalar {
      const char *key;
      double *value;
      bool *param;
    } scalars[] = {{"scale", &scale, &k.scaleParam},
                   {"bias", &bias, &k.biasParam}};
    for (const Scalar &f : scalars) {
      auto it = o.find(f.key);
      if (it != o.end() && it->second.isString) {
        if (it->second.text != "param")
          return Status::error(std::string("kernel description: \"") + f.key +
                               "\" must be a number or \"param\" in " + k.name);
        *f.param = true;
        continue;
      }
      if (!(st = getField(o, f.key, *f.value)).ok())
        return st;
    }
    constexpr double kMaxFloat = std::numeric_limits<float>::max();
    if (!(std::fabs(scale) <= kMaxFloat) || !(std::fabs(bias) <= kMaxFloat))
      return Status::error("kernel description: scale or bias out of f32 "
                           "range in " +
                           k.name);
    k.scale = static_cast<float>(scale);
    k.bias = static_cast<float>(bias);
    if (elementType == "bf16")
      k.elementType = ElementType::BF16;
    else if (elementType == "f16")
      k.elementType = ElementType::F16;
    else
      return Status::error("kernel description: element_type \"" +
                           elementType + "\" is not bf16 or f16");
    if (alibi == "none")
      k.alibi = Alibi::None;
    else if (alibi == "head")
      k.alibi = Alibi::Head;
    else if (alibi == "batch_head")
      k.alibi = Alibi::BatchHead;
    else
      return Status::error("kernel description: alibi \"" + alibi +
                           "\" is not none, head or batch_head");
    // Both generations launch the same way; another would have its own ABI.
    if (k.mma != "sync" && k.mma != "wgmma")
      return Status::error("kernel description: mma \"" + k.mma +
                           "\" is not sync or wgmma");
    if (loads != "cp.async" && loads != "tma")
      return Status::error("kernel description: loads \"" + loads +
                           "\" is not cp.async or tma");
    k.tmaLoads = loads == "tma";
    if (k.tmaLoads && k.mma != "wgmma")
      return Status::error("kernel description: loads \"tma\" needs mma "
                           "\"wgmma\" in " +
                           k.name);
    // "stores" came with TMA stores; a description without it stores
    // directly.
    std::string stores = "direct";
    if (o.count("stores") && !(st = getField(o, "stores", stores)).ok())
      return st;
    if (stores != "direct" && stores != "tma")
      return Status::error("kernel description: stores \"" + stores +
                           "\" is not direct or tma");
    k.tmaStores = stores == "tma";
    if (k.tmaStores && (!k.tmaLoads || k.valueDim > k.headDim))
      return Status::error("kernel description: stores \"tma\" needs loads "
                           "\"tma\" and value_dim <= head_dim in " +
                           k.name);
    // A producer is one warpgroup feeding TMA loads to the other warps;
    // without one, every warp loads two stages ahead of itself.
    if (k.producerWarps != 0 &&
        (k.producerWarps != abi::kProducerWarps || !k.tmaLoads))
      return Status::error("kernel description: producer_warps must be 0, "
                           "or 4 with loads \"tma\", in " +
                           k.name);
    if (k.producerWarps == 0 && k.kvStages != abi::kMinKVStages)
      return Status::error("kernel description: kv_stages must be 2 without "
                           "producer warps in " +
                           k.name);
    if (k.numQueryHeads % k.numKVHeads != 0)
      return Status::error("kernel description: num_query_heads is not a "
                           "multiple of num_kv_heads in " +
                           k.name);
    // The kernel uses exactly this much: a launch with less would let it
    // read and write past its shared memory. (Tile sizes past 2^20 could
    // not fit any block; bounding them first keeps the product in range.)
    constexpr int64_t kMaxTileDim = int64_t(1) << 20;
    if (k.blockQ > kMaxTileDim || k.blockK > kMaxTileDim ||
        k.headDim > kMaxTileDim || k.valueDim > kMaxTileDim)
      return Status::error("kernel description: block_q, block_k, head_dim "
                           "and value_dim must be at most 2^20 in " +
                           k.name);
    if (k.dynamicSharedMemory != abi::dynamicSharedBytes(k.tileShape()))
      return Status::error(
          "kernel description: dynamic_shared_memory = " +
          std::to_string(k.dynamicSharedMemory) + " is not the " +
          std::to_string(abi::dynamicSharedBytes(k.tileShape())) +
          " bytes the tiles and mbarriers take in " + k.name);
    if (k.blockThreads != abi::blockThreads(k.tileShape()))
      return Status::error("kernel description: block_threads is not 32 x "
                           "(num_warps + producer_warps) in " +
                           k.name);
    for (const KernelInfo &other : parsed) {
      if (other.name == k.name)
        return Status::error("kernel description: two kernels are named " +
                             k.name);
    }
    parsed.push_back(std::move(k));
  }
  kernels = std::move(parsed);
  return Status::success();
}

//===----------------------------------------------------------------------===//
// Arguments
//===----------------------------------------------------------------------===//

namespace {
/// One tensor of a call: its role, pointer and strides.
struct TensorArg {
  abi::Tensor role;
  CUdeviceptr ptr;
  const std::optional<abi::Strides> &strides;
};
KernelArgs makeKernelArgs(const CallParams &params,
                          std::initializer_list<TensorArg> tensors) {
  KernelArgs k;
  static_cast<CallParams &>(k) = params;
  for (const TensorArg &t : tensors) {
    k.tensors[static_cast<int>(t.role)] = t.ptr;
    k.strides[static_cast<int>(t.role)] = t.strides;
  }
  return k;
}
} // namespace

KernelArgs sigattn::runtime::toKernelArgs(const AttentionArgs &args) {
  using abi::Tensor;
  return makeKernelArgs(args,
                        {{Tensor::kQuery, args.query, args.queryStrides},
                         {Tensor::kKey, args.key, args.keyStrides},
                         {Tensor::kValue, args.value, args.valueStrides},
                         {Tensor::kOutput, args.output, args.outputStrides}});
}

KernelArgs sigattn::runtime::toKernelArgs(const AttentionGradArgs &args) {
  using abi::Tensor;
  return makeKernelArgs(
      args, {{Tensor::kQuery, args.query, args.queryStrides},
             {Tensor::kKey, args.key, args.keyStrides},
             {Tensor::kValue, args.value, args.valueStrides},
             {Tensor::kGradOutput, args.gradOutput, args.gradOutputStrides},
             {Tensor::kGradQuery, args.gradQuery, args.gradQueryStrides},
             {Tensor::kGradKey, args.gradKey, args.gradKeyStrides},
             {Tensor::kGradValue, args.gradValue, args.gradValueStrides}});
}

namespace {
/// The product of `factors`, saturating: a factor below 1 gives 0, a
/// product past 2^64 - 1 gives UINT64_MAX (never a wrapped, too small size).
uint64_t saturatingProduct(std::initializer_list<int64_t> factors) {
  constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();
  unsigned __int128 product = 1;
  for (int64_t f : factors) {
    if (f <= 0)
      return 0;
    product *= static_cast<unsigned __int128>(f);
    if (product > kMax)
      product = kMax; // stays >= kMax: factors are >= 1
  }
  return static_cast<uint64_t>(product);
}

/// The rows, heads and columns of tensor `role` of a call.
struct Extent {
  int64_t seq, heads, dim;
};
Extent extentOf(const KernelInfo &info, abi::Tensor role, int64_t seqQ,
                int64_t seqK) {
  bool keys = abi::isKeyTensor(role);
  return {keys ? seqK : seqQ, keys ? info.numKVHeads : info.numQueryHeads,
          abi::isValueWidth(role) ? info.valueDim : info.headDim};
}
} // namespace

uint64_t sigattn::runtime::tensorBytes(const KernelInfo &info, abi::Tensor role,
                                       int64_t batch, int64_t seqQ,
                                       int64_t seqK) {
  Extent e = extentOf(info, role, seqQ, seqK);
  return saturatingProduct({batch, e.seq, e.heads, e.dim, abi::kElementBytes});
}

uint64_t sigattn::runtime::slopesBytes(const KernelInfo &info, int64_t batch) {
  return info.alibi == Alibi::None ? 0
         : info.alibi == Alibi::Head
             ? saturatingProduct({info.numQueryHeads, 4})
             : saturatingProduct({batch, info.numQueryHeads, 4});
}

TensorBytes sigattn::runtime::tensorBytes(const KernelInfo &info,
                                          int64_t batch, int64_t seqQ,
                                          int64_t seqK) {
  auto bytes = [&](abi::Tensor t) {
    return tensorBytes(info, t, batch, seqQ, seqK);
  };
  return {bytes(abi::Tensor::kQuery), bytes(abi::Tensor::kKey),
          bytes(abi::Tensor::kValue), bytes(abi::Tensor::kOutput),
          slopesBytes(info, batch)};
}

abi::Strides sigattn::runtime::effectiveStrides(const KernelInfo &info,
                                                const KernelArgs &args,
                                                abi::Tensor role) {
  Extent e = extentOf(info, role, args.seqQ, args.seqK);
  abi::Strides contiguous = abi::contiguousStrides(e.seq, e.heads, e.dim);
  abi::Strides s = args.strides[static_cast<int>(role)].value_or(contiguous);
  // A dimension of size 1 is never stepped: its stride does not matter.
  if (args.batch == 1)
    s.batch = contiguous.batch;
  if (e.seq == 1)
    s.row = contiguous.row;
  if (e.heads == 1)
    s.head = contiguous.head;
  return s;
}

abi::Strides sigattn::runtime::effectiveStrides(const KernelInfo &info,
                                                const AttentionArgs &args,
                                                abi::Tensor role) {
  return effectiveStrides(info, toKernelArgs(args), role);
}

namespace {
/// One dimension of a strided tensor: its size and stride (elements).
struct Dim {
  int64_t size, stride;
};
/// The dimensions of tensor `role` of a call, innermost (contiguous) first.
std::array<Dim, 4> dimsOf(const KernelInfo &info, const KernelArgs &args,
                          abi::Tensor role) {
  Extent e = extentOf(info, role, args.seqQ, args.seqK);
  abi::Strides s = effectiveStrides(info, args, role);
  return {Dim{e.dim, 1}, Dim{e.heads, s.head}, Dim{e.seq, s.row},
          Dim{args.batch, s.batch}};
}
/// 2 bytes times one past the largest element offset (saturating at
/// UINT64_MAX; 0 when a size is below 1 or a stride negative).
uint64_t spanBytes(const std::array<Dim, 4> &dims) {
  unsigned __int128 last = 0;
  for (const Dim &d : dims) {
    if (d.size < 1 || d.stride < 0)
      return 0;
    last += static_cast<unsigned __int128>(d.size - 1) *
            static_cast<unsigned __int128>(d.stride);
  }
  unsigned __int128 bytes = (last + 1) * abi::kElementBytes;
  constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();
  return bytes > kMax ? kMax : static_cast<uint64_t>(bytes);
}
/// True when no two elements of the tensor share an address: sorted by
/// stride, each dimension that is stepped (size > 1) strides past
/// everything the dimensions inside it reach.
bool elementsDistinct(std::array<Dim, 4> dims) {
  std::sort(dims.begin(), dims.end(),
            [](const Dim &a, const Dim &b) { return a.stride < b.stride; });
  unsigned __int128 reach = 0; // largest offset of the inner dimensions
  for (const Dim &d : dims) {
    if (d.size <= 1)
      continue;
    if (static_cast<unsigned __int128>(d.stride) <= reach)
      return false;
    reach += static_cast<unsigned __int128>(d.size - 1) *
             static_cast<unsigned __int128>(d.stride);
  }
  return true;
}
} // namespace

uint64_t sigattn::runtime::tensorSpan(const KernelInfo &info,
                                      const KernelArgs &args,
                                      abi::Tensor role) {
  return spanBytes(dimsOf(info, args, role));
}

TensorBytes sigattn::runtime::tensorSpans(const KernelInfo &info,
                                          const AttentionArgs &args) {
  KernelArgs k = toKernelArgs(args);
  return {tensorSpan(info, k, abi::Tensor::kQuery),
          tensorSpan(info, k, abi::Tensor::kKey),
          tensorSpan(info, k, abi::Tensor::kValue),
          tensorSpan(info, k, abi::Tensor::kOutput),
          slopesBytes(info, args.batch)};
}

Status sigattn::runtime::validateSizes(const KernelInfo &info, int64_t batch,
                                       int64_t seqQ, int64_t seqK) {
  const std::string where = "sigattn launch of " + info.name + ": ";
  if (info.blockQ < 1)
    return Status::error(where + "the kernel's block_q must be at least 1, "
                                 "got " +
                         std::to_string(info.blockQ));
  struct Size {
    const char *name, *abiName;
    int64_t value, compiled;
  } sizes[] = {{"batch", "B", batch, info.staticBatch},
               {"seq_q", "Nq", seqQ, info.staticSeqQ},
               {"seq_k", "Nk", seqK, info.staticSeqK}};
  for (const Size &s : sizes) {
    if (s.value < 1)
      return Status::error(where + s.name + " must be at least 1, got " +
                           std::to_string(s.value));
  }
  // A static size is baked into the kernel, which ignores the parameter.
  for (const Size &s : sizes) {
    if (s.compiled != abi::kDynamicSize && s.value != s.compiled)
      return Status::error(where + "kernel " + info.name +
                           " was compiled for " + s.abiName + " = " +
                           std::to_string(s.compiled) + ", got " +
                           std::to_string(s.value));
  }
  // Grid: x = ceil(Nq / block_q) (ceil(Nk / block_k) for dk, dv) at most
  // 2^31 - 1, y = Hq (Hkv) and z = B at most 65535.
  bool keyGrid = info.kind == abi::KernelKind::kGradKV;
  abi::Grid g = abi::grid(info.tileShape(), batch, seqQ, info.numQueryHeads,
                          seqK, info.numKVHeads);
  if (g.z > abi::kMaxGridYZ)
    return Status::error(where + "batch " + std::to_string(batch) +
                         " exceeds the grid limit of " +
                         std::to_string(abi::kMaxGridYZ));
  if (g.y > abi::kMaxGridYZ)
    return Status::error(where +
                         (keyGrid ? "num_kv_heads " : "num_query_heads ") +
                         std::to_string(g.y) + " exceeds the grid limit of " +
                         std::to_string(abi::kMaxGridYZ));
  if (g.x > abi::kMaxGridX)
    return Status::error(
        where + (keyGrid ? "seq_k " : "seq_q ") +
        std::to_string(keyGrid ? seqK : seqQ) + " needs " +
        std::to_string(g.x) + (keyGrid ? " key tiles" : " query tiles") +
        ", beyond the grid limit of " + std::to_string(abi::kMaxGridX));
  // True when 2 bytes times `factors` is more than `limit` bytes.
  auto bytesAbove = [](unsigned __int128 limit,
                       std::initializer_list<int64_t> factors) {
    unsigned __int128 product = abi::kElementBytes;
    for (int64_t f : factors) {
      product *= static_cast<unsigned __int128>(f);
      if (product > limit)
        return true;
    }
    return false;
  };
  // The kernel computes element and byte offsets in 64 bits: keep every
  // tensor, B * N * H * max(D, Dv) * 2 bytes, at most 2^62 bytes.
  const unsigned __int128 maxTensorBytes = static_cast<unsigned __int128>(1)
                                           << 62;
  int64_t dim = std::max(info.headDim, info.valueDim);
  if (bytesAbove(maxTensorBytes, {batch, seqQ, info.numQueryHeads, dim}))
    return Status::error(where + "query/output tensors of B = " +
                         std::to_string(batch) + ", Nq = " +
                         std::to_string(seqQ) + " exceed 2^62 bytes");
  if (bytesAbove(maxTensorBytes, {batch, seqK, info.numKVHeads, dim}))
    return Status::error(where + "key/value tensors of B = " +
                         std::to_string(batch) + ", Nk = " +
                         std::to_string(seqK) + " exceed 2^62 bytes");
  if (info.tmaLoads) {
    // TMA coordinates are signed 32-bit; a tensor map's strides (one batch
    // of a tensor) are below 2^40 bytes.
    for (const Size &s : {sizes[1], sizes[2]}) {
      if (s.value > abi::kMaxTmaRows)
        return Status::error(where + s.name + " " + std::to_string(s.value) +
                             " is more than a TMA kernel's 2^31 - 1 rows");
    }
    const unsigned __int128 maxStrideBytes = (uint64_t{1} << 40) - 1;
    if (bytesAbove(maxStrideBytes, {seqQ, info.numQueryHeads, dim}) ||
        bytesAbove(maxStrideBytes, {seqK, info.numKVHeads, dim}))
      return Status::error(where + "one batch of a tensor is 2^40 bytes or "
                                   "more, beyond a TMA tensor map's strides");
  }
  return Status::success();
}

Status sigattn::runtime::checkAttentionKind(const KernelInfo &info) {
  // Another kind takes other tensors: launching it with these would pass
  // its parameters in the wrong places.
  if (info.kind != abi::KernelKind::kAttention)
    return Status::error("sigattn launch of " + info.name +
                         ": the kernel computes " + abi::kindName(info.kind) +
                         ", not attention: it takes other tensors and is "
                         "not launched with AttentionArgs (use launchGrad)");
  return Status::success();
}

Status sigattn::runtime::validateArguments(const KernelInfo &info,
                                           const AttentionArgs &args) {
  Status st = checkAttentionKind(info);
  if (!st.ok())
    return st;
  return validateArguments(info, toKernelArgs(args));
}

Status sigattn::runtime::validateArguments(const KernelInfo &info,
                                           const KernelArgs &args) {
  const std::string where = "sigattn launch of " + info.name + ": ";
  auto typeName = [](ElementType t) {
    return t == ElementType::BF16 ? "bf16" : "f16";
  };
  if (args.elementType && *args.elementType != info.elementType)
    return Status::error(where + "the kernel computes " +
                         typeName(info.elementType) +
                         " but the tensors hold " +
                         typeName(*args.elementType));
  struct Static {
    const char *name;
    int64_t given, compiled;
  } statics[] = {{"Hq", args.numQueryHeads, info.numQueryHeads},
                 {"Hkv", args.numKVHeads, info.numKVHeads},
                 {"D", args.headDim, info.headDim},
                 {"Dv", args.valueDim, info.valueDim}};
  for (const Static &st : statics) {
    if (st.given != 0 && st.given != st.compiled)
      return Status::error(where + "the kernel was compiled for " + st.name +
                           " = " + std::to_string(st.compiled) +
                           " but the tensors have " + st.name + " = " +
                           std::to_string(st.given));
  }
  Status st = validateSizes(info, args.batch, args.seqQ, args.seqK);
  if (!st.ok())
    return st;
  struct Scalar {
    const char *name;
    const std::optional<float> &given;
    bool param;
    float compiled;
  } scalars[] = {{"scale", args.scale, info.scaleParam, info.scale},
                 {"bias", args.bias, info.biasParam, info.bias}};
  for (const Scalar &sc : scalars) {
    if (sc.param && !sc.given)
      return Status::error(where + "the kernel takes the " + sc.name +
                           " at run time but none was given");
    if (sc.param && !std::isfinite(*sc.given))
      return Status::error(where + "the " + sc.name + " must be finite");
    if (!sc.param && sc.given && *sc.given != sc.compiled)
      return Status::error(where + "the kernel has " + sc.name + " = " +
                           std::to_string(sc.compiled) +
                           " compiled in but the call gives " +
                           std::to_string(*sc.given));
  }
  // Strides: at least 0, multiples of 16 bytes, spans within the kernel's
  // 64-bit offsets, the outputs' elements distinct, TMA's stride limit.
  for (int i = 0; i < abi::numTensors(info.kind); ++i) {
    abi::Tensor role = abi::tensorOf(info.kind, i);
    const char *name = abi::tensorRoleName(role);
    abi::Strides s = effectiveStrides(info, args, role);
    struct Field {
      const char *name;
      int64_t value;
    } fields[] = {{"batch", s.batch}, {"row", s.row}, {"head", s.head}};
    for (const Field &f : fields) {
      if (f.value < 0)
        return Status::error(where + name + " " + f.name +
                             " stride is negative (" + std::to_string(f.value) +
                             ")");
      if (f.value % abi::kStrideAlignment != 0)
        return Status::error(
            where + name + " " + f.name + " stride " + std::to_string(f.value) +
            " is not a multiple of " + std::to_string(abi::kStrideAlignment) +
            " elements (16 bytes): copy the tensor to a contiguous one");
      if (info.tmaLoads && static_cast<uint64_t>(f.value) >
                               abi::kMaxTmaStrideBytes / abi::kElementBytes)
        return Status::error(where + name + " " + f.name + " stride " +
                             std::to_string(f.value) +
                             " is 2^40 bytes or more, beyond a TMA tensor "
                             "map's strides");
    }
    if (s.row >= abi::kMaxRowStride)
      return Status::error(where + name + " row stride " +
                           std::to_string(s.row) +
                           " is not below 2^21 elements (4 MiB), the "
                           "kernels' limit");
    std::array<Dim, 4> dims = dimsOf(info, args, role);
    if (spanBytes(dims) > (uint64_t{1} << 62))
      return Status::error(where + name +
                           " spans more than 2^62 bytes with its strides");
    if (i >= abi::numInputs(info.kind) && !elementsDistinct(dims))
      return Status::error(where + "the " +
                           (role == abi::Tensor::kOutput
                                ? std::string("output's")
                                : std::string(name) + "'s") +
                           " strides put two elements at one address");
  }
  if (info.alibi == Alibi::None && args.slopes != 0)
    return Status::error(where + "the kernel has no ALiBi but slopes were "
                                 "given");
  if (info.alibi != Alibi::None && args.slopes == 0)
    return Status::error(where + "the kernel uses ALiBi but the slopes "
                                 "pointer is null");
  // Every pointer parameter, slopes included, is `.align 16` in the PTX.
  auto checkPointer = [&](const char *name, CUdeviceptr ptr) {
    if (ptr == 0)
      return Status::error(where + name + " pointer is null");
    if (ptr % abi::kPointerAlignment != 0)
      return Status::error(where + name + " pointer is not " +
                           std::to_string(abi::kPointerAlignment) +
                           "-byte aligned");
    return Status::success();
  };
  for (int i = 0; i < abi::numTensors(info.kind); ++i) {
    abi::Tensor role = abi::tensorOf(info.kind, i);
    if (!(st = checkPointer(abi::tensorRoleName(role), args.tensor(role))).ok())
      return st;
  }
  if (info.alibi != Alibi::None &&
      !(st = checkPointer("slopes", args.slopes)).ok())
    return st;
  return Status::success();
}
