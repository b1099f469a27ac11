//===- SigAttnBase.td - sigattn dialect definition ---------*- tablegen -*-===//
//
// The sigattn dialect: sigmoid attention as one op, and the passes that lower
// it to fused GPU kernels.
//
//===----------------------------------------------------------------------===//

#ifndef SIGATTN_DIALECT_SIGATTN_IR_SIGATTNBASE_TD
#define SIGATTN_DIALECT_SIGATTN_IR_SIGATTNBASE_TD

include "mlir/IR/OpBase.td"

def SigAttn_Dialect : Dialect {
  let name = "sigattn";
  let cppNamespace = "::mlir::sigattn";
  let summary = "Sigmoid attention and its lowering to fused GPU kernels";
  let description = [{
    The `sigattn` dialect holds one high-level operation, `sigattn.attention`,
    which computes sigmoid attention

    ```
    out = sigmoid(scale * q . k^T + bias [- alibi]) . v
    ```

    with causal, sliding-window and ALiBi masking and grouped-query heads.
    Unlike softmax attention, every score is independent: there is no row
    maximum, no row sum and no rescaling. The dialect's passes lower the op
    either to a reference expansion in linalg (the executable specification)
    or, through tiling, to one fused GPU kernel.
  }];
  let dependentDialects = ["::mlir::tensor::TensorDialect"];
  let hasCanonicalizer = 0;
}

class SigAttn_Op<string mnemonic, list<Trait> traits = []>
    : Op<SigAttn_Dialect, mnemonic, traits>;

#endif // SIGATTN_DIALECT_SIGATTN_IR_SIGATTNBASE_TD
