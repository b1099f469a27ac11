//===- CheckPTXSymbols.cpp - GPU symbol names must be PTX identifiers -----===//

#include "sigattn/Target/Passes.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/IR/SymbolTable.h"
#include "llvm/ADT/StringExtras.h"

namespace mlir::sigattn {
#define GEN_PASS_DEF_SIGATTNCHECKPTXSYMBOLS
#include "sigattn/Target/Passes.h.inc"
} // namespace mlir::sigattn

using namespace mlir;

namespace {

/// [A-Za-z_$][A-Za-z0-9_$]*
static bool isPTXIdentifier(StringRef name) {
  auto isPart = [](char c) { return llvm::isAlnum(c) || c == '_' || c == '$'; };
  return !name.empty() && !llvm::isDigit(name.front()) &&
         llvm::all_of(name, isPart);
}

struct SigAttnCheckPTXSymbolsPass
    : public mlir::sigattn::impl::SigAttnCheckPTXSymbolsBase<
          SigAttnCheckPTXSymbolsPass> {
  void runOnOperation() override {
    bool ok = true;
    getOperation().walk([&](gpu::GPUModuleOp module) {
      module.getBody()->walk([&](SymbolOpInterface symbol) {
        if (isPTXIdentifier(symbol.getName()))
          return;
        symbol->emitOpError()
            << "sigattn-check-ptx-symbols: name '" << symbol.getName()
            << "' is not a PTX identifier ([A-Za-z_$][A-Za-z0-9_$]*)";
        ok = false;
      });
    });
    if (!ok)
      signalPassFailure();
  }
};

} // namespace
