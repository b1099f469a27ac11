// GPU symbols that came with the input must have PTX identifier names: a
// name the NVPTX backend cannot print is an error at its op, not a crash.
// RUN: sigattn-opt %s -split-input-file -verify-diagnostics -sigattn-check-ptx-symbols

gpu.module @kernels {
  // expected-error @+1 {{'gpu.func' op sigattn-check-ptx-symbols: name 'a b' is not a PTX identifier ([A-Za-z_$][A-Za-z0-9_$]*)}}
  gpu.func @"a b"() kernel {
    gpu.return
  }
}

// -----

gpu.module @kernels {
  // expected-error @+1 {{'gpu.func' op sigattn-check-ptx-symbols: name '1a' is not a PTX identifier}}
  gpu.func @"1a"() kernel {
    gpu.return
  }
}

// -----

gpu.module @kernels {
  // expected-error @+1 {{'gpu.func' op sigattn-check-ptx-symbols: name 'a.b' is not a PTX identifier}}
  gpu.func @"a.b"() kernel {
    gpu.return
  }
}

// -----

// Valid names pass; symbols outside GPU modules are not PTX.
func.func @"host fn"() {
  return
}
gpu.module @kernels {
  gpu.func @ok_$1() kernel {
    gpu.return
  }
}
