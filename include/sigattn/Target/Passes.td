//===- Passes.td - sigattn target passes -------------------*- tablegen -*-===//

#ifndef SIGATTN_TARGET_PASSES_TD
#define SIGATTN_TARGET_PASSES_TD

include "mlir/Pass/PassBase.td"

def SigAttnCheckPTXSymbols
    : Pass<"sigattn-check-ptx-symbols", "::mlir::ModuleOp"> {
  let summary = "Reject GPU symbols whose names are not PTX identifiers";
  let description = [{
    Before the kernels are compiled to PTX, checks every symbol (functions,
    globals) inside each `gpu.module`: its name must be a PTX identifier,
    `[A-Za-z_$][A-Za-z0-9_$]*`. A name such as `"a b"` or `"a.b"` is an error
    at the op that defines it, instead of a crash of the NVPTX backend or PTX
    that ptxas rejects. Kernels sigattn outlines are always named validly;
    this guards symbols that came with the input. The IR is not changed.
  }];
}

def SigAttnWritePTX : Pass<"sigattn-write-ptx", "::mlir::ModuleOp"> {
  let summary = "Write the PTX of sigattn kernels and their description to files";
  let description = [{
    After `gpu-module-to-binary{format=isa}`, writes the PTX assembly held by
    the `gpu.binary @sigattn_kernels` to `output`, and a JSON description of
    every kernel it contains (name, launch geometry, the attention options,
    from the `sigattn.kernel` attributes of the launches) to
    `output` + `.json`. The IR is not changed. The runtime loads both.
  }];
  let options = [
    Option<"output", "output", "std::string", /*default=*/"",
           "Path of the .ptx file to write (the description goes to <output>.json)">,
  ];
}

#endif // SIGATTN_TARGET_PASSES_TD
