// sigattn-opt --help lists the sigattn passes with their summaries.
// RUN: sigattn-opt --help | FileCheck %s

// CHECK-DAG: --convert-sigattn-tiles-to-vector {{.*}}- Lower sigattn tile ops to portable vector, arith and math ops
// CHECK-DAG: --convert-sigattn-to-linalg {{.*}}- Expand sigattn.attention and sigattn.attention_grad into their reference linalg computations
// CHECK-DAG: --sigattn-peel-boundary-tiles {{.*}}- Split key/value loops so that only boundary tiles carry element masks
// CHECK-DAG: --sigattn-tile {{.*}}- Tile sigattn.attention into a grid of query tiles with a loop over key/value tiles
// CHECK-DAG: --block-q=<long>
// CHECK-DAG: --block-k=<long>
