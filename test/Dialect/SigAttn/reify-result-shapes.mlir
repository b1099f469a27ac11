// tensor.dim of the result resolves to the query's B and Nq.
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
