import sys

sys.path.insert(0, sys.argv[1])
import tensor_maps  # noqa: E402

desc = {"head_dim": 128, "value_dim": 64, "num_query_heads": 6,
        "num_kv_heads": 2, "block_k": 48, "element_type": "f16",
        "loads": "tma"}
for role, seq in (("query", 113), ("key", 203), ("value", 203),
                  ("output", 113)):
    print(role, tensor_maps.map_shape(desc, role, 2, seq))
desc["loads"] = "cp.async"
print("cp.async maps:",
      tensor_maps.tensor_map_args(desc, 0, 0, 0, 0, 2, 113, 203))
