//===- WritePTX.cpp - write sigattn kernels' PTX and description ----------===//

#include "sigattn/Target/Passes.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

namespace mlir::sigattn {
#define GEN_PASS_DEF_SIGATTNWRITEPTX
#include "sigattn/Target/Passes.h.inc"
} // namespace mlir::sigattn

using namespace mlir;

namespace {

/// Writes `attr` as a JSON value (strings, integers, floats, booleans).
static LogicalResult writeJSONValue(llvm::raw_ostream &os, Attribute attr) {
  if (auto s = dyn_cast<StringAttr>(attr)) {
    os << '"';
    os.write_escaped(s.getValue());
    os << '"';
  } else if (auto i = dyn_cast<IntegerAttr>(attr)) {
    os << i.getInt();
  } else if (auto f = dyn_cast<FloatAttr>(attr)) {
    os << llvm::format("%.9g", f.getValueAsDouble());
  } else if (auto b = dyn_cast<BoolAttr>(attr)) {
    os << (b.getValue() ? "true" : "false");
  } else {
    return failure();
  }
  return success();
}

struct SigAttnWritePTXPass
    : public mlir::sigattn::impl::SigAttnWritePTXBase<SigAttnWritePTXPass> {
  using SigAttnWritePTXBase::SigAttnWritePTXBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (output.empty()) {
      mlir::emitError(module.getLoc(),
                      "sigattn-write-ptx: the output option is required");
      return signalPassFailure();
    }

    // Step 1. The PTX of the kernels' binary.
    std::string ptx;
    unsigned numObjects = 0;
    module.walk([&](gpu::BinaryOp binary) {
      for (Attribute a : binary.getObjects()) {
        auto object = dyn_cast<gpu::ObjectAttr>(a);
        if (!object || object.getFormat() != gpu::CompilationTarget::Assembly)
          continue;
        ptx += object.getObject().getValue().str();
        ++numObjects;
      }
    });
    if (numObjects != 1) {
      mlir::emitError(module.getLoc())
          << "sigattn-write-ptx: expected one PTX object "
             "(gpu-module-to-binary with format=isa), found "
          << numObjects;
      return signalPassFailure();
    }

    // Step 2. The kernels' description, from their launches.
    std::string json;
    llvm::raw_string_ostream js(json);
    js << "{\n  \"kernels\": [";
    bool first = true;
    WalkResult walk = module.walk([&](gpu::LaunchFuncOp launch) {
      auto info = launch->getAttrOfType<DictionaryAttr>("sigattn.kernel");
      if (!info)
        return WalkResult::advance();
      js << (first ? "\n    {" : ",\n    {");
      first = false;
      bool firstField = true;
      for (NamedAttribute field : info) {
        js << (firstField ? "" : ", ") << '"' << field.getName().getValue()
           << "\": ";
        firstField = false;
        if (failed(writeJSONValue(js, field.getValue()))) {
          launch.emitOpError() << "sigattn-write-ptx: cannot write field '"
                               << field.getName().getValue() << "' as JSON";
          return WalkResult::interrupt();
        }
      }
      js << "}";
      return WalkResult::advance();
    });
    if (walk.wasInterrupted())
      return signalPassFailure();
    js << "\n  ]\n}\n";

    // Step 3. Both files.
    for (auto [path, text] :
         {std::pair<std::string, const std::string &>{output, ptx},
          {output + ".json", json}}) {
      std::error_code ec;
      llvm::raw_fd_ostream os(path, ec, llvm::sys::fs::OF_Text);
      if (ec) {
        mlir::emitError(module.getLoc()) << "sigattn-write-ptx: cannot write '"
                                         << path << "': " << ec.message();
        return signalPassFailure();
      }
      os << text;
      os.close();
      if (os.has_error()) {
        mlir::emitError(module.getLoc())
            << "sigattn-write-ptx: cannot write '" << path
            << "': " << os.error().message();
        os.clear_error();
        return signalPassFailure();
      }
    }
  }
};

} // namespace
