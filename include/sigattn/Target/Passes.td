//===- Passes.td - sigattn target passes -------------------*- tablegen -*-===//

#ifndef SIGATTN_TARGET_PASSES_TD
#define SIGATTN_TARGET_PASSES_TD

include "mlir/Pass/PassBase.td"

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
