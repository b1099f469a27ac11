// A GQA causal sigmoid-attention layer: 16 query heads over 4 key/value
// heads, head dim 128, bias -log(N) for N = 4096, dynamic batch and lengths.
func.func @attention(%q: tensor<?x?x16x128xbf16>, %k: tensor<?x?x4x128xbf16>,
                     %v: tensor<?x?x4x128xbf16>) -> tensor<?x?x16x128xbf16> {
  %o = sigattn.attention %q, %k, %v causal bias = -8.317766
      : tensor<?x?x16x128xbf16>, tensor<?x?x4x128xbf16>, tensor<?x?x4x128xbf16>
      -> tensor<?x?x16x128xbf16>
  return %o : tensor<?x?x16x128xbf16>
}
