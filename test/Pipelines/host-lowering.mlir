// The host side of sigattn-gpu-pipeline, lowered the way a downstream stack
// lowers it: q, k and v sliced out of one packed [B, N, 3H', D] tensor
// bufferize to subviews with offsets and no copy (the pipeline reads them
// through buffers of any layout), each launch pointer is the address of the
// view's first element (aligned pointer + offset x 2 bytes; the bare-pointer
// convention passes no offset), and the host lowers to LLVM IR that calls
// the CUDA wrappers, with run-time asserts of what the kernel assumes.
// RUN: sigattn-opt %s --sigattn-gpu-pipeline \
// RUN: | mlir-opt --one-shot-bufferize="bufferize-function-boundaries" --canonicalize \
// RUN: | FileCheck %s --check-prefix=BUF
// RUN: sigattn-opt %s --sigattn-gpu-pipeline \
// RUN: | mlir-opt --one-shot-bufferize="bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map" \
// RUN:     --canonicalize --expand-strided-metadata --lower-affine --finalize-memref-to-llvm \
// RUN:     --convert-arith-to-llvm --convert-cf-to-llvm --gpu-to-llvm="use-bare-pointers-for-kernels" \
// RUN:     --convert-func-to-llvm --reconcile-unrealized-casts --canonicalize \
// RUN: | mlir-translate --mlir-to-llvmir | FileCheck %s --check-prefix=LLVM

// BUF-LABEL: func.func @packed
//  BUF-SAME:   (%[[QKV:.+]]: memref<2x128x12x64xbf16, strided<[?, ?, ?, ?], offset: ?>>)
//   BUF-NOT:   memref.copy
//   BUF-DAG:   %[[Q:.+]] = memref.subview %[[QKV]][0, 0, 0, 0] [2, 128, 8, 64] [1, 1, 1, 1]
//   BUF-DAG:   %[[K:.+]] = memref.subview %[[QKV]][0, 0, 8, 0] [2, 128, 2, 64] [1, 1, 1, 1]
// The key's first element: its aligned pointer plus its offset in bytes.
//       BUF:   %[[KP:.+]] = memref.extract_aligned_pointer_as_index %[[K]]
//       BUF:   %{{[^,]+}}, %[[KOFF:[^,]+]], %{{.+}} = memref.extract_strided_metadata %[[K]]
//       BUF:   %[[KBYTES:.+]] = arith.muli %[[KOFF]], %c2
//       BUF:   %[[KADDR:.+]] = arith.addi %[[KP]], %[[KBYTES]]
//       BUF:   %[[KI64:.+]] = arith.index_cast %[[KADDR]] : index to i64
//       BUF:   %[[KPTR:.+]] = llvm.inttoptr %[[KI64]] : i64 to !llvm.ptr
//       BUF:   llvm.insertvalue %[[KPTR]], %{{.+}}[1] : !llvm.struct<(ptr, ptr, i64)>
//       BUF:   cf.assert %{{.+}}, "sigattn launch: the query must have a contiguous last dimension (stride 1)"
//       BUF:   cf.assert %{{.+}}, "sigattn launch: the query strides (batch, row, head) must be multiples of 8 elements, not negative, rows less than 2^21 elements apart"
//       BUF:   cf.assert %{{.+}}, "sigattn launch: the query pointer is not 16-byte aligned"
//       BUF:   call @sigattn_encode_tensor_map
//       BUF:   gpu.launch_func @sigattn_kernels::@packed_sigattn
//   BUF-NOT:   memref.copy
//       BUF:   return

// With identity layouts at the function boundary everything folds: k's
// first element is 8 heads x 64 x 2 = 1024 bytes after q's, v's 1280.
// LLVM-LABEL: define {{.*}} @packed(
//       LLVM:   %[[BASE:.+]] = ptrtoint ptr %[[ALIGNED:.+]] to i64
//       LLVM:   %[[KADDR:.+]] = add i64 %{{.+}}, 1024
//  LLVM-NEXT:   inttoptr i64 %[[KADDR]] to ptr
//       LLVM:   %[[VADDR:.+]] = add i64 %{{.+}}, 1280
//  LLVM-NEXT:   inttoptr i64 %[[VADDR]] to ptr
//       LLVM:   call i32 @sigattn_encode_tensor_map(
//       LLVM:   call void @mgpuLaunchKernel(ptr %{{.+}}, i64 2, i64 8, i64 2, i64 128, i64 1, i64 1,
// A failed check aborts.
//       LLVM:   call void @abort()
func.func @packed(%qkv: tensor<2x128x12x64xbf16>) -> tensor<2x128x8x64xbf16> {
  %q = tensor.extract_slice %qkv[0, 0, 0, 0] [2, 128, 8, 64] [1, 1, 1, 1]
      : tensor<2x128x12x64xbf16> to tensor<2x128x8x64xbf16>
  %k = tensor.extract_slice %qkv[0, 0, 8, 0] [2, 128, 2, 64] [1, 1, 1, 1]
      : tensor<2x128x12x64xbf16> to tensor<2x128x2x64xbf16>
  %v = tensor.extract_slice %qkv[0, 0, 10, 0] [2, 128, 2, 64] [1, 1, 1, 1]
      : tensor<2x128x12x64xbf16> to tensor<2x128x2x64xbf16>
  %o = sigattn.attention %q, %k, %v causal
      : tensor<2x128x8x64xbf16>, tensor<2x128x2x64xbf16>, tensor<2x128x2x64xbf16>
      -> tensor<2x128x8x64xbf16>
  return %o : tensor<2x128x8x64xbf16>
}
