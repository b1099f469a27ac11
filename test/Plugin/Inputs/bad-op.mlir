// An op the verifier rejects (the head dims of q and k differ): the plugin's
// dialect reports it.
func.func @bad(%q: tensor<1x8x2x64xbf16>, %k: tensor<1x8x2x128xbf16>, %v: tensor<1x8x2x64xbf16>) -> tensor<1x8x2x64xbf16> {
  %o = sigattn.attention %q, %k, %v : tensor<1x8x2x64xbf16>, tensor<1x8x2x128xbf16>, tensor<1x8x2x64xbf16> -> tensor<1x8x2x64xbf16>
  return %o : tensor<1x8x2x64xbf16>
}
