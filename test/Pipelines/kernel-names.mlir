// Kernels are named after their function, made a valid PTX identifier
// whatever the function is called, and unique; the JSON names them exactly
// as the PTX does.
// RUN: sigattn-opt %s --sigattn-gpu-pipeline="ptx-output=%t.ptx" -o /dev/null
// RUN: FileCheck %s --input-file=%t.ptx
// RUN: FileCheck %s --check-prefix=JSON --input-file=%t.ptx.json
// RUN: %if ptxas %{ %ptxas -arch=sm_90a %t.ptx -o /dev/null %}

// CHECK-DAG: .entry a_b_sigattn(
// CHECK-DAG: .entry a_b_sigattn_1(
// CHECK-DAG: .entry _1a_sigattn(
// CHECK-DAG: .entry q___sigattn(
// JSON-DAG: "name": "a_b_sigattn"
// JSON-DAG: "name": "a_b_sigattn_1"
// JSON-DAG: "name": "_1a_sigattn"
// JSON-DAG: "name": "q___sigattn"

func.func @"a-b"(%q: tensor<?x?x2x64xbf16>, %k: tensor<?x?x2x64xbf16>, %v: tensor<?x?x2x64xbf16>) -> tensor<?x?x2x64xbf16> {
  %o = sigattn.attention %q, %k, %v : tensor<?x?x2x64xbf16>, tensor<?x?x2x64xbf16>, tensor<?x?x2x64xbf16> -> tensor<?x?x2x64xbf16>
  return %o : tensor<?x?x2x64xbf16>
}
func.func @"a.b"(%q: tensor<?x?x2x64xbf16>, %k: tensor<?x?x2x64xbf16>, %v: tensor<?x?x2x64xbf16>) -> tensor<?x?x2x64xbf16> {
  %o = sigattn.attention %q, %k, %v causal : tensor<?x?x2x64xbf16>, tensor<?x?x2x64xbf16>, tensor<?x?x2x64xbf16> -> tensor<?x?x2x64xbf16>
  return %o : tensor<?x?x2x64xbf16>
}
func.func @"1a"(%q: tensor<?x?x2x64xbf16>, %k: tensor<?x?x2x64xbf16>, %v: tensor<?x?x2x64xbf16>) -> tensor<?x?x2x64xbf16> {
  %o = sigattn.attention %q, %k, %v : tensor<?x?x2x64xbf16>, tensor<?x?x2x64xbf16>, tensor<?x?x2x64xbf16> -> tensor<?x?x2x64xbf16>
  return %o : tensor<?x?x2x64xbf16>
}
func.func @"q\"$"(%q: tensor<?x?x2x64xbf16>, %k: tensor<?x?x2x64xbf16>, %v: tensor<?x?x2x64xbf16>) -> tensor<?x?x2x64xbf16> {
  %o = sigattn.attention %q, %k, %v : tensor<?x?x2x64xbf16>, tensor<?x?x2x64xbf16>, tensor<?x?x2x64xbf16> -> tensor<?x?x2x64xbf16>
  return %o : tensor<?x?x2x64xbf16>
}
