// sigattn-opt --help lists the sigattn passes with their summaries.
// RUN: sigattn-opt --help | FileCheck %s

// CHECK: --convert-sigattn-to-linalg
// CHECK-SAME: Expand sigattn.attention into its reference linalg computation
