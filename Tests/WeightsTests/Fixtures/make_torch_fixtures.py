#!/usr/bin/env python3
"""Writes tiny torch.save-format checkpoints WITHOUT torch: the torch wheel here cannot be imported (its CUDA
libraries are separate multi-GB packages), so this script emulates torch.save's output exactly as the format is
defined: the state_dict is an OrderedDict (with a `_metadata` attribute) pickled with protocol 2 whose tensors reduce
to torch._utils._rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks) and whose storages are
persistent ids ('storage', torch.<Type>Storage, key, location, numel); storages are raw little-endian bytes.
 - zip format (torch >= 1.6): STORED zip entries <prefix>/data.pkl, byteorder, data/<key>, version, 64-byte
   aligned data (torch pads the local extra field);
 - legacy format (older torchvision downloads): pickles of the magic number, protocol version 1001 and sys info,
   the state_dict (6-tuple persistent ids ending with a view metadata None), the storage key list, then per
   storage an 8-byte little-endian element count and the raw elements.
Also writes hostile pickles (os.system, builtins.eval) that a safe reader must refuse, and torch_expected.json.

Run once from this folder; the outputs are committed:  python3 make_torch_fixtures.py
"""
import collections
import io
import json
import os
import pickle
import struct
import sys
import types
import zipfile

import numpy as np

# Stand-ins registered under torch's module names so pickle writes the same GLOBAL opcodes torch does.
torch = types.ModuleType("torch")
torch_utils = types.ModuleType("torch._utils")
sys.modules["torch"], sys.modules["torch._utils"] = torch, torch_utils


def _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks):
    raise NotImplementedError


_rebuild_tensor_v2.__module__ = "torch._utils"
torch_utils._rebuild_tensor_v2 = _rebuild_tensor_v2
torch._utils = torch_utils
STORAGE_TYPES = {np.float32: "FloatStorage", np.float16: "HalfStorage", np.float64: "DoubleStorage"}
for name in STORAGE_TYPES.values():
    cls = type(name, (), {"__module__": "torch"})
    setattr(torch, name, cls)


class Storage:
    def __init__(self, key, array):
        self.key, self.array = key, np.ascontiguousarray(array).ravel()


class Tensor:
    def __init__(self, storage, offset, size, stride):
        self.storage, self.offset, self.size, self.stride = storage, offset, tuple(size), tuple(stride)

    def __reduce_ex__(self, protocol):
        return (_rebuild_tensor_v2, (self.storage, self.offset, self.size, self.stride, False, collections.OrderedDict()))

    def values(self):
        view = np.lib.stride_tricks.as_strided(self.storage.array[self.offset:], self.size,
                                               [s * self.storage.array.itemsize for s in self.stride])
        return [float(v) for v in view.astype(np.float32).ravel()]


def pickler(legacy):
    class P(pickle.Pickler):
        def persistent_id(self, obj):
            if isinstance(obj, Storage):
                storage_type = getattr(torch, STORAGE_TYPES[obj.array.dtype.type])
                pid = ("storage", storage_type, obj.key, "cpu", obj.array.size)
                return pid + (None,) if legacy else pid
            return None
    return P


def state_dict(rng):
    """A small state_dict exercising the reader: contiguous tensors, a shared storage with an offset, a transposed
    (non-contiguous) view, a float16 and a float64 storage, a 0-d tensor."""
    a = Storage("0", rng.standard_normal(2 * 3 * 3 * 3).astype(np.float32))
    b = Storage("1", rng.standard_normal(2 + 4).astype(np.float32))
    c = Storage("2", rng.standard_normal(6).astype(np.float16))
    d = Storage("3", rng.standard_normal(4).astype(np.float64))
    sd = collections.OrderedDict()
    sd["features.0.weight"] = Tensor(a, 0, (2, 3, 3, 3), (27, 9, 3, 1))
    sd["features.0.bias"] = Tensor(b, 0, (2,), (1,))
    sd["features.2.bias"] = Tensor(b, 2, (4,), (1,))           # same storage, offset 2
    sd["features.2.weight"] = Tensor(c, 0, (3, 2), (1, 3))     # a transposed view of a 2×3 float16 storage
    sd["classifier.0.weight"] = Tensor(d, 0, (2, 2), (2, 1))   # float64
    sd["classifier.0.scale"] = Tensor(b, 5, (), ())            # 0-d
    sd._metadata = collections.OrderedDict([("", {"version": 1}), ("features", {"version": 1})])
    return sd, [a, b, c, d]


def data_pickle(sd, legacy):
    buf = io.BytesIO()
    pickler(legacy)(buf, protocol=2).dump(sd)
    return buf.getvalue()


def write_zip(path, prefix, sd, storages):
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as z:
        def record(name, data):
            info = zipfile.ZipInfo(f"{prefix}/{name}", date_time=(1980, 1, 1, 0, 0, 0))
            # torch aligns each entry's data to 64 bytes with padding in the local header's extra field ("FB" id).
            header = z.fp.tell() + 30 + len(info.filename.encode())
            pad = (-(header + 4)) % 64
            info.extra = struct.pack("<HH", 0x4246, pad) + b"Z" * pad
            z.writestr(info, data)
        record("data.pkl", data_pickle(sd, legacy=False))
        record(".format_version", b"1")
        record(".storage_alignment", b"64")
        record("byteorder", b"little")
        for s in storages:
            record(f"data/{s.key}", s.array.tobytes())
        record("version", b"3\n")
        record(".data/serialization_id", b"0123456789")


def write_legacy(path, sd, storages):
    with open(path, "wb") as f:
        pickle.dump(0x1950A86A20F9469CFC6C, f, protocol=2)
        pickle.dump(1001, f, protocol=2)
        pickle.dump({"protocol_version": 1001, "little_endian": True,
                     "type_sizes": {"short": 2, "int": 4, "long": 4}}, f, protocol=2)
        f.write(data_pickle(sd, legacy=True))
        pickle.dump([s.key for s in storages], f, protocol=2)
        for s in storages:
            f.write(struct.pack("<q", s.array.size))
            f.write(s.array.tobytes())


class Evil:
    def __init__(self, function, argument):
        self.function, self.argument = function, argument

    def __reduce__(self):
        return (self.function, (self.argument,))


rng = np.random.default_rng(7)
sd, storages = state_dict(rng)
write_zip("tiny_torch_zip.pth", "tiny_torch_zip", sd, storages)
write_legacy("tiny_torch_legacy.pth", sd, storages)
# The same archive in ZIP64 form (what torch writes past 4 GiB), forced by lowering zipfile's limits.
zipfile.ZIP64_LIMIT, zipfile.ZIP_FILECOUNT_LIMIT = 64, 4
write_zip("tiny_torch_zip64.pth", "archive", sd, storages)
zipfile.ZIP64_LIMIT, zipfile.ZIP_FILECOUNT_LIMIT = (1 << 31) - 1, (1 << 16) - 1
expected = {name: {"shape": list(t.size), "values": t.values()} for name, t in sd.items()}
with open("torch_expected.json", "w") as f:
    json.dump(expected, f, separators=(",", ":"))

# Hostile files: pickle.loads of any of these would run a shell command or eval; a safe reader refuses them.
with open("evil_os_system_p2.pkl", "wb") as f:
    pickle.dump({"features.0.weight": Evil(os.system, "echo pwned")}, f, protocol=2)
with open("evil_eval_p4.pkl", "wb") as f:
    pickle.dump(Evil(eval, "__import__('os').system('echo pwned')"), f, protocol=4)
evil_sd = collections.OrderedDict([("features.0.weight", Evil(os.system, "echo pwned"))])
with zipfile.ZipFile("evil_torch_zip.pth", "w", compression=zipfile.ZIP_STORED) as z:
    z.writestr(zipfile.ZipInfo("archive/data.pkl", date_time=(1980, 1, 1, 0, 0, 0)), data_pickle(evil_sd, legacy=False))
    z.writestr(zipfile.ZipInfo("archive/byteorder", date_time=(1980, 1, 1, 0, 0, 0)), b"little")
