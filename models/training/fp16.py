"""Writes the half-precision variant of a trained model: `srItm-xS.onnx` -> `srItm-xS.fp16.onnx`.

The network (everything that computes the residual) runs in float16; the analytic baseline, the final
`base + residual` and the clip stay float32, so `base` is bit-identical to the float32 model and the contract
(float32 `sdr` in, float32 `hdr`/`base` out) is unchanged. The worker uses this file on GPU execution providers
(CUDA, DirectML, CoreML) where half precision roughly doubles throughput; the CPU keeps the float32 file.

Usage: /usr/bin/python3 models/training/fp16.py models/srItm-x2.onnx [more.onnx ...]
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper, shape_inference

F32, F16 = TensorProto.FLOAT, TensorProto.FLOAT16
KEEP_F32_INPUTS = {('Resize', 2)}   # Resize `scales` is float32 whatever the data type


def _closure(outputs, producer, nodes):
    """Indices of the nodes needed to compute `outputs`."""
    seen, stack = set(), list(outputs)
    while stack:
        i = producer.get(stack.pop())
        if i is None or i in seen:
            continue
        seen.add(i)
        stack.extend(x for x in nodes[i].input if x)
    return seen


def _topological(nodes, available):
    """Nodes reordered so every input is produced before it is used."""
    done, out, pending = set(available), [], list(nodes)
    while pending:
        rest = []
        for n in pending:
            if all((not x) or x in done for x in n.input):
                out.append(n)
                done.update(n.output)
            else:
                rest.append(n)
        if len(rest) == len(pending):
            raise ValueError('graph has a cycle or a missing input')
        pending = rest
    return out


def convert(src, dst):
    m = shape_inference.infer_shapes(onnx.load(src))
    g = m.graph
    nodes = list(g.node)
    producer = {o: i for i, n in enumerate(nodes) for o in n.output}
    types = {v.name: v.type.tensor_type.elem_type for v in list(g.value_info) + list(g.input) + list(g.output)}
    inits = {t.name: t for t in g.initializer}
    for t in g.initializer:
        types[t.name] = t.data_type

    hdr_clip = nodes[producer['hdr']]
    add = nodes[producer[hdr_clip.input[0]]]
    assert add.op_type == 'Add' and 'base' in add.input, 'expected hdr = Clip(Add(base, residual))'
    residual = [x for x in add.input if x != 'base'][0]
    region = _closure([residual], producer, nodes) - _closure(['base'], producer, nodes)

    new_inits, new_nodes, casts = [], [], {}

    def half_copy(name):
        """A float16 copy of a float32 initializer or Constant output used inside the region."""
        key = name + '__f16'
        if key in casts:
            return casts[key]
        if name in inits:
            arr = numpy_helper.to_array(inits[name]).astype(np.float16)
            new_inits.append(numpy_helper.from_array(arr, key))
        else:   # computed float32 tensor from outside the region
            new_nodes.append(helper.make_node('Cast', [name], [key], to=F16, name=key + '_cast'))
        casts[key] = key
        return key

    out_nodes = []
    for i, n in enumerate(nodes):
        if i not in region:
            out_nodes.append(n)
            continue
        if n.op_type == 'Constant':
            for a in n.attribute:
                if a.name == 'value' and a.t.data_type == F32:
                    consumers = [(nodes[j].op_type, list(nodes[j].input).index(n.output[0]))
                                 for j in range(len(nodes)) if n.output[0] in nodes[j].input]
                    if all((op, k) not in KEEP_F32_INPUTS for op, k in consumers):
                        arr = numpy_helper.to_array(a.t).astype(np.float16)
                        a.t.CopyFrom(numpy_helper.from_array(arr, a.t.name))
            out_nodes.append(n)
            continue
        if n.op_type == 'ConstantOfShape':
            for a in n.attribute:
                if a.name == 'value' and a.t.data_type == F32:
                    a.t.CopyFrom(numpy_helper.from_array(numpy_helper.to_array(a.t).astype(np.float16), a.t.name))
        if n.op_type == 'Cast':
            for a in n.attribute:
                if a.name == 'to' and a.i == F32:
                    a.i = F16
        for k, x in enumerate(n.input):
            if not x or types.get(x) != F32 or (n.op_type, k) in KEEP_F32_INPUTS:
                continue
            p = producer.get(x)
            if p is not None and p in region:
                continue    # already half inside the region
            n.input[k] = half_copy(x)
        out_nodes.append(n)

    # back to float32 where the region's result leaves it
    back = residual + '__f32'
    for n in out_nodes:
        if n is add:
            n.input[list(n.input).index(residual)] = back
    cast_back = helper.make_node('Cast', [residual], [back], to=F32, name='residual_to_f32')

    g.initializer.extend(new_inits)
    available = {i.name for i in g.input} | {t.name for t in g.initializer}
    ordered = _topological(new_nodes + out_nodes + [cast_back], available)
    del g.node[:]
    g.node.extend(ordered)
    del g.value_info[:]
    meta = {p.key: p.value for p in m.metadata_props}
    meta['remaster.precision'] = 'fp16'
    meta['remaster.fp32_model'] = os.path.basename(src)
    del m.metadata_props[:]
    for k, v in meta.items():
        m.metadata_props.add(key=k, value=v)
    # drop float32 initializers nobody uses any more
    used = {x for n in g.node for x in n.input}
    keep = [t for t in g.initializer if t.name in used]
    del g.initializer[:]
    g.initializer.extend(keep)
    onnx.checker.check_model(m)
    onnx.save(m, dst)
    return len(region)


def fp16_path(path):
    return path[:-len('.onnx')] + '.fp16.onnx'


if __name__ == '__main__':
    for p in sys.argv[1:]:
        n = convert(p, fp16_path(p))
        print(f'wrote {fp16_path(p)} ({os.path.getsize(fp16_path(p))} bytes, {n} nodes in float16)')
