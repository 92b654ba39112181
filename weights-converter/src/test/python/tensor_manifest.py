"""The manifest format shared with the Java tests: one line per tensor, "key<TAB>DTYPE<TAB>d0,d1<TAB>file",
where file holds t.float().contiguous() as little-endian float32 bytes."""
import os
import torch

DTYPE_NAMES = {
    torch.float32: "FLOAT32", torch.float64: "FLOAT64", torch.float16: "FLOAT16", torch.bfloat16: "BFLOAT16",
    torch.int64: "INT64", torch.int32: "INT32", torch.int16: "INT16", torch.int8: "INT8", torch.uint8: "UINT8",
    torch.bool: "BOOL",
}


def float32_bytes(t):
    return t.detach().float().contiguous().numpy().astype("<f4").tobytes()


def write(tensors, out_dir):
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "manifest.tsv"), "w", encoding="utf-8") as m:
        for i, (key, t) in enumerate(tensors.items()):
            name = "%d.f32" % i
            with open(os.path.join(out_dir, name), "wb") as f:
                f.write(float32_bytes(t))
            m.write("%s\t%s\t%s\t%s\n" % (key, DTYPE_NAMES[t.dtype], ",".join(str(d) for d in t.shape), name))


def read(in_dir):
    entries = []
    with open(os.path.join(in_dir, "manifest.tsv"), encoding="utf-8") as m:
        for line in m.read().splitlines():
            key, dtype, shape, name = line.split("\t")
            with open(os.path.join(in_dir, name), "rb") as f:
                raw = f.read()
            dims = tuple(int(d) for d in shape.split(",")) if shape else ()
            entries.append((key, dtype, dims, raw))
    return entries
