import sys

sys.path.insert(0, sys.argv[1])
import tensor_maps  # noqa: E402


class Tensor:
    """What strides_of reads of a PyTorch tensor: shape and strides."""

    def __init__(self, shape, strides):
        self.shape, self._strides = shape, strides

    def stride(self, dim=None):
        return self._strides if dim is None else self._strides[dim]


desc = {"head_dim": 128, "value_dim": 64, "num_query_heads": 6,
        "num_kv_heads": 2, "block_k": 48, "element_type": "f16",
        "loads": "tma"}
contiguous = {"query": (113 * 768, 768, 128), "key": (203 * 256, 256, 128),
              "value": (203 * 128, 128, 64), "output": (113 * 384, 384, 64)}
for role, seq in (("query", 113), ("key", 203), ("value", 203),
                  ("output", 113)):
    print(role, tensor_maps.map_shape(desc, role, 2, seq, contiguous[role]))
# k sliced from a packed [B, Nk, 2, Hkv, D] tensor, out transposed.
print("packed key", tensor_maps.map_shape(desc, "key", 2, 203,
                                          (203 * 512, 512, 128)))
print("transposed output",
      tensor_maps.map_shape(desc, "output", 2, 113,
                            (6 * 113 * 64, 64, 113 * 64)))
# strides_of: PyTorch's strides (elements), size-1 dimensions normalized.
print("transposed", tensor_maps.strides_of(
    Tensor((2, 113, 6, 128), (6 * 113 * 128, 128, 113 * 128, 1))))
print("B = 1", tensor_maps.strides_of(
    Tensor((1, 113, 6, 128), (3, 768, 128, 1))))
for name, t in (("odd head stride", Tensor((2, 113, 6, 128), (0, 768, 12, 1))),
                ("strided last dim", Tensor((2, 113, 6, 128), (0, 768, 256, 2))),
                ("huge row stride",
                 Tensor((2, 113, 6, 128), (0, 1 << 21, 128, 1)))):
    try:
        tensor_maps.strides_of(t)
        print(name, "accepted")
    except ValueError as e:
        print(name, "refused:", e)
