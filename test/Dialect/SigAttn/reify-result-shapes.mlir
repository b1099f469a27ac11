// tensor.dim of the results resolves to the sizes of the operands.
// RUN: sigattn-opt %s -resolve-ranked-shaped-type-result-dims | FileCheck %s

// CHECK-LABEL: func.func @result_dims
//  CHECK-SAME:   (%[[Q:[^:]+]]: tensor<?x?x4x16xbf16>
//   CHECK-DAG:   %[[C0:.+]] = arith.constant 0 : index
//   CHECK-DAG:   %[[C1:.+]] = arith.constant 1 : index
//   CHECK-DAG:   %[[B:.+]] = tensor.dim %[[Q]], %[[C0]]
//   CHECK-DAG:   %[[NQ:.+]] = tensor.dim %[[Q]], %[[C1]]
//       CHECK:   return %[[B]], %[[NQ]]
func.func @result_dims(%q: tensor<?x?x4x16xbf16>, %k: tensor<?x?x4x16xbf16>,
                       %v: tensor<?x?x4x8xbf16>) -> (index, index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %o = sigattn.attention %q, %k, %v
      : tensor<?x?x4x16xbf16>, tensor<?x?x4x16xbf16>, tensor<?x?x4x8xbf16>
      -> tensor<?x?x4x8xbf16>
  %b = tensor.dim %o, %c0 : tensor<?x?x4x8xbf16>
  %nq = tensor.dim %o, %c1 : tensor<?x?x4x8xbf16>
  return %b, %nq : index, index
}

// dq, dk, dv of sigattn.attention_grad resolve to the sizes of q, k, v.
// CHECK-LABEL: func.func @grad_result_dims
//  CHECK-SAME:   (%[[Q:[^:]+]]: tensor<?x?x4x16xbf16>, %[[K:[^:]+]]: tensor<?x?x2x16xbf16>, %[[V:[^:]+]]: tensor<?x?x2x8xbf16>
//   CHECK-DAG:   %[[C0:.+]] = arith.constant 0 : index
//   CHECK-DAG:   %[[C1:.+]] = arith.constant 1 : index
//   CHECK-DAG:   %[[NQ:.+]] = tensor.dim %[[Q]], %[[C1]]
//   CHECK-DAG:   %[[NK:.+]] = tensor.dim %[[K]], %[[C1]]
//   CHECK-DAG:   %[[BV:.+]] = tensor.dim %[[V]], %[[C0]]
//       CHECK:   return %[[NQ]], %[[NK]], %[[BV]]
func.func @grad_result_dims(%q: tensor<?x?x4x16xbf16>, %k: tensor<?x?x2x16xbf16>,
                            %v: tensor<?x?x2x8xbf16>, %do: tensor<?x?x4x8xbf16>)
    -> (index, index, index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %dq, %dk, %dv = sigattn.attention_grad %q, %k, %v, %do
      : tensor<?x?x4x16xbf16>, tensor<?x?x2x16xbf16>, tensor<?x?x2x8xbf16>,
        tensor<?x?x4x8xbf16>
      -> tensor<?x?x4x16xbf16>, tensor<?x?x2x16xbf16>, tensor<?x?x2x8xbf16>
  %nq = tensor.dim %dq, %c1 : tensor<?x?x4x16xbf16>
  %nk = tensor.dim %dk, %c1 : tensor<?x?x2x16xbf16>
  %bv = tensor.dim %dv, %c0 : tensor<?x?x2x8xbf16>
  return %nq, %nk, %bv : index, index, index
}
