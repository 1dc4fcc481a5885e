"""Writes v2 arrays with zarr-python 2.13 (Debian's python3-zarr) into the folder given and prints, as JSON, the
advanced selections the C# test replays and what zarr-python reads or writes for each.

Selections are described per dimension as {"slice": [start, stop, step]}, {"int": i}, {"list": [...]} or
{"mask": [...]}; coordinate selections as {"coords": [[...], ...]}; block selections as {"int": i} or
{"range": [start, stop]} of chunk indices. zarr-python 2.13 has no block indexing (it came in 2.14), so block
expectations are the basic selection of those chunks' elements, which is what zarr's `blocks` reads.
"""
import json
import sys

import numpy as np
import zarr


def to_selection(dims):
    out = []
    for d in dims:
        if "slice" in d:
            out.append(slice(*d["slice"]))
        elif "int" in d:
            out.append(d["int"])
        elif "list" in d:
            out.append(np.array(d["list"], dtype=np.int64))
        else:
            out.append(np.array(d["mask"], dtype=bool))
    return tuple(out)


def block_slices(z, dims):
    out = []
    for axis, d in enumerate(dims):
        c = z.chunks[axis]
        n = -(-z.shape[axis] // c)
        if "int" in d:
            i = d["int"] + n if d["int"] < 0 else d["int"]
            out.append(slice(i * c, min((i + 1) * c, z.shape[axis])))
        else:
            a, b, _ = slice(*d["range"]).indices(n)
            out.append(slice(a * c, min(b * c, z.shape[axis])))
    return tuple(out)


def values(a):
    return [v.item() for v in np.asarray(a).ravel()]


def main(root):
    store = zarr.DirectoryStore(root)
    cases = []

    a = zarr.create(shape=(23, 17), chunks=(5, 4), dtype="<i4", fill_value=0, store=store, path="a2", overwrite=True)
    a[:] = np.arange(23 * 17, dtype="<i4").reshape(23, 17) * 3 - 100
    b = zarr.create(shape=(7, 6, 5), chunks=(3, 4, 2), dtype="<f8", fill_value=-1.5, store=store, path="a3", overwrite=True)
    b[:] = np.arange(7 * 6 * 5, dtype="<f8").reshape(7, 6, 5) / 4
    arrays = {"a2": a, "a3": b}

    orthogonal = [
        ("a2", [{"list": [7, 2, 2, -1]}, {"slice": [1, None, 3]}]),
        ("a2", [{"mask": [i % 3 == 0 for i in range(23)]}, {"list": [16, 0, 4, 4]}]),
        ("a2", [{"int": -3}, {"list": [5, 1]}]),
        ("a3", [{"list": [6, 0]}, {"slice": [None, None, 2]}, {"mask": [True, False, False, True, True]}]),
        ("a3", [{"slice": [2, 5, 1]}, {"int": 4}, {"list": [-1, 0, 2]}]),
    ]
    for name, dims in orthogonal:
        r = arrays[name].get_orthogonal_selection(to_selection(dims))
        cases.append({"array": name, "kind": "orthogonal", "dims": dims, "shape": list(r.shape), "expected": values(r)})

    coordinate = [
        ("a2", [[0, 5, 5, -1, 22, 13], [3, 1, 1, -2, 16, 0]]),
        ("a3", [[6, 0, 3, -7], [5, 0, 2, 1], [4, 0, -1, 3]]),
    ]
    for name, coords in coordinate:
        r = arrays[name].get_coordinate_selection(tuple(np.array(c, dtype=np.int64) for c in coords))
        cases.append({"array": name, "kind": "coordinate", "coords": coords, "shape": list(r.shape), "expected": values(r)})

    rng = np.random.default_rng(3)
    for name in ("a2", "a3"):
        mask = rng.random(arrays[name].shape) < 0.2
        r = arrays[name].get_mask_selection(mask)
        cases.append({"array": name, "kind": "mask", "mask": values(mask), "shape": list(r.shape), "expected": values(r)})

    blocks = [
        ("a2", [{"int": 1}, {"range": [0, 2]}]),
        ("a2", [{"int": -1}]),
        ("a3", [{"range": [1, 9]}, {"int": 1}, {"int": -1}]),
    ]
    for name, dims in blocks:
        r = arrays[name][block_slices(arrays[name], dims)]
        cases.append({"array": name, "kind": "block", "dims": dims, "shape": list(r.shape), "expected": values(r)})

    # Writes: the C# side applies the same writes, in order, to its own handle on "w2" and compares the result.
    w = zarr.create(shape=(23, 17), chunks=(5, 4), dtype="<i4", fill_value=0, store=store, path="w2", overwrite=True)
    w[:] = np.arange(23 * 17, dtype="<i4").reshape(23, 17)
    expected = zarr.array(w[:], chunks=(5, 4))
    writes = [
        {"kind": "orthogonal", "dims": [{"list": [3, 20, -1]}, {"mask": [i % 4 == 1 for i in range(17)]}], "value": 0},
        {"kind": "orthogonal", "dims": [{"list": [1, 1]}, {"int": 0}], "values": [5, 6]},
        {"kind": "coordinate", "coords": [[2, 2, 9, -1], [0, 0, 16, -17]], "values": [7, 8, 9, 10]},
        {"kind": "mask", "mask": values((np.arange(23 * 17).reshape(23, 17) % 11) == 0), "value": -4},
    ]
    for step in writes:
        if step["kind"] == "orthogonal":
            sel = to_selection(step["dims"])
            n = expected.get_orthogonal_selection(sel).size
            data = np.array(step["values"], dtype="<i4") if "values" in step else np.full(n, step["value"], dtype="<i4")
            expected.set_orthogonal_selection(sel, data.reshape(expected.get_orthogonal_selection(sel).shape))
        elif step["kind"] == "coordinate":
            expected.set_coordinate_selection(tuple(np.array(c) for c in step["coords"]), np.array(step["values"], dtype="<i4"))
        else:
            mask = np.array(step["mask"], dtype=bool).reshape(23, 17)
            expected.set_mask_selection(mask, step["value"])

    print(json.dumps({"zarr": zarr.__version__, "cases": cases, "writes": writes, "written": values(expected[:])}))


if __name__ == "__main__":
    main(sys.argv[1])
