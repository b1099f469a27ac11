//===- Description.cpp - kernel descriptions and argument checks ----------===//
//
// The part of the runtime that needs no GPU: parsing the JSON description of
// kernels and checking call arguments against it. It calls no CUDA function,
// so it links and runs on machines without a driver.
//
//===----------------------------------------------------------------------===//

#include "sigattn/Runtime/Runtime.h"

#include <algorithm>
#include <cctype>
#include <initializer_list>
#include <cstdlib>
#include <limits>
#include <map>

using namespace sigattn;
using namespace sigattn::runtime;

//===----------------------------------------------------------------------===//
// The JSON description
//===----------------------------------------------------------------------===//

namespace {

/// A JSON value of the description: a string or a number.
struct Scalar {
  bool isString = false;
  std::string text;
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
        const char *begin = s.c_str() + pos;
        char *end = nullptr;
        value.number = std::strtod(begin, &end);
        if (end == begin)
          return fail("expected a string or a number for \"" + key + "\"");
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

Status getInt(const Object &object, const std::string &key, int64_t &out,
              int64_t min) {
  double v = 0;
  Status st = getField(object, key, v);
  if (!st.ok())
    return st;
  if (v != static_cast<double>(static_cast<int64_t>(v)) || v < min)
    return Status::error("kernel description: field \"" + key +
                         "\" must be an integer >= " + std::to_string(min));
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
  kernels.clear();
  for (const Object &o : objects) {
    KernelInfo k;
    std::string elementType, alibi;
    double scale = 0, bias = 0;
    struct IntField {
      const char *key;
      int64_t *slot;
      int64_t min;
    } ints[] = {{"head_dim", &k.headDim, 1},
                {"value_dim", &k.valueDim, 1},
                {"num_query_heads", &k.numQueryHeads, 1},
                {"num_kv_heads", &k.numKVHeads, 1},
                {"block_q", &k.blockQ, 1},
                {"block_k", &k.blockK, 1},
                {"num_warps", &k.numWarps, 1},
                {"block_threads", &k.blockThreads, 32},
                {"dynamic_shared_memory", &k.dynamicSharedMemory, 0},
                {"window_left", &k.windowLeft, -1},
                {"window_right", &k.windowRight, -1}};
    for (const IntField &f : ints) {
      if (!(st = getInt(o, f.key, *f.slot, f.min)).ok())
        return st;
    }
    if (!(st = getField(o, "name", k.name)).ok() ||
        !(st = getField(o, "element_type", elementType)).ok() ||
        !(st = getField(o, "alibi", alibi)).ok() ||
        !(st = getField(o, "mma", k.mma)).ok() ||
        !(st = getField(o, "scale", scale)).ok() ||
        !(st = getField(o, "bias", bias)).ok())
      return st;
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
    if (k.numQueryHeads % k.numKVHeads != 0)
      return Status::error("kernel description: num_query_heads is not a "
                           "multiple of num_kv_heads in " +
                           k.name);
    if (k.blockThreads != abi::blockThreads(k.tileShape()))
      return Status::error("kernel description: block_threads is not 32 x "
                           "num_warps in " +
                           k.name);
    kernels.push_back(std::move(k));
  }
  return Status::success();
}

//===----------------------------------------------------------------------===//
// Arguments
//===----------------------------------------------------------------------===//

TensorBytes sigattn::runtime::tensorBytes(const KernelInfo &info,
                                          int64_t batch, int64_t seqQ,
                                          int64_t seqK) {
  auto bytes = [](int64_t a, int64_t b, int64_t c, int64_t d, int64_t e) {
    return static_cast<uint64_t>(a) * static_cast<uint64_t>(b) *
           static_cast<uint64_t>(c) * static_cast<uint64_t>(d) *
           static_cast<uint64_t>(e);
  };
  TensorBytes t;
  t.query = bytes(batch, seqQ, info.numQueryHeads, info.headDim,
                  abi::kElementBytes);
  t.key = bytes(batch, seqK, info.numKVHeads, info.headDim, abi::kElementBytes);
  t.value =
      bytes(batch, seqK, info.numKVHeads, info.valueDim, abi::kElementBytes);
  t.output = bytes(batch, seqQ, info.numQueryHeads, info.valueDim,
                   abi::kElementBytes);
  t.slopes = info.alibi == Alibi::None ? 0
             : info.alibi == Alibi::Head
                 ? bytes(info.numQueryHeads, 4, 1, 1, 1)
                 : bytes(batch, info.numQueryHeads, 4, 1, 1);
  return t;
}

Status sigattn::runtime::validateArguments(const KernelInfo &info,
                                           const AttentionArgs &args) {
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
  struct Size {
    const char *name;
    int64_t value;
  } sizes[] = {{"batch", args.batch}, {"seq_q", args.seqQ}, {"seq_k", args.seqK}};
  for (const Size &s : sizes) {
    if (s.value < 1)
      return Status::error(where + s.name + " must be at least 1, got " +
                           std::to_string(s.value));
  }
  // Grid y and z are at most 65535; x at most 2^31 - 1.
  abi::Grid g = abi::grid(info.tileShape(), args.batch, args.seqQ,
                          info.numQueryHeads);
  if (g.z > 65535)
    return Status::error(where + "batch " + std::to_string(args.batch) +
                         " exceeds the grid limit of 65535");
  if (g.x > std::numeric_limits<int32_t>::max())
    return Status::error(where + "seq_q " + std::to_string(args.seqQ) +
                         " exceeds the grid limit");
  // Element offsets are computed in 64 bits; keep every tensor under 2^62
  // bytes.
  auto tooBig = [](std::initializer_list<int64_t> factors) {
    unsigned __int128 product = abi::kElementBytes;
    for (int64_t f : factors) {
      product *= static_cast<unsigned __int128>(f);
      if (product > (static_cast<unsigned __int128>(1) << 62))
        return true;
    }
    return false;
  };
  if (tooBig({args.batch, args.seqQ, info.numQueryHeads,
              std::max(info.headDim, info.valueDim)}) ||
      tooBig({args.batch, args.seqK, info.numKVHeads,
              std::max(info.headDim, info.valueDim)}))
    return Status::error(where + "tensor sizes overflow");
  struct Pointer {
    const char *name;
    CUdeviceptr ptr;
  } pointers[] = {{"query", args.query},
                  {"key", args.key},
                  {"value", args.value},
                  {"output", args.output}};
  for (const Pointer &p : pointers) {
    if (p.ptr == 0)
      return Status::error(where + p.name + " pointer is null");
    if (p.ptr % abi::kPointerAlignment != 0)
      return Status::error(where + p.name + " pointer is not " +
                           std::to_string(abi::kPointerAlignment) +
                           "-byte aligned");
  }
  if (info.alibi == Alibi::None && args.slopes != 0)
    return Status::error(where + "the kernel has no ALiBi but slopes were "
                                 "given");
  if (info.alibi != Alibi::None) {
    if (args.slopes == 0)
      return Status::error(where + "the kernel uses ALiBi but the slopes "
                                   "pointer is null");
    if (args.slopes % 4 != 0)
      return Status::error(where + "slopes pointer is not 4-byte aligned");
  }
  return Status::success();
}

