"""Writes the half-precision variant of a trained model: `srItm-xS.onnx` -> `srItm-xS.fp16.onnx`.

The network (every node that computes the residual) runs in float16; the analytic baseline, the final
`base + residual`, the clip and the range limit stay float32, so `base` is bit-identical to the float32 model and the
contract (float32 `sdr` in, float32 `hdr`/`base` out) is unchanged. The worker uses this file on GPU execution providers
(CUDA, DirectML, CoreML), whose convolutions run faster in half precision (not measured here: no GPU); the CPU
keeps the float32 file. The pair is tied together: the float32 file's SHA-256 goes into the fp16 file's metadata,
and both files' hashes into the model card (`fp16` entry); the worker runs a variant only when the card vouches
for both files as they are.

Usage (from models/training): /usr/bin/python3 -m remaster_train.fp16 ../srItm-x2.onnx [more.onnx ...]
"""
import argparse
import hashlib
import json
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper, shape_inference

F32, F16 = TensorProto.FLOAT, TensorProto.FLOAT16
# Inputs that are float32 whatever the data type (op, input index)
KEEP_F32_INPUTS = {('Resize', 2), ('Upsample', 1)}


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


def _constant_value(node):
    """The float32 array a Constant node holds, or None when it is not a float32 constant."""
    for a in node.attribute:
        if a.name == 'value' and a.t.data_type == F32:
            return numpy_helper.to_array(a.t)
        if a.name == 'value_float':
            return np.array(a.f, dtype=np.float32)
        if a.name == 'value_floats':
            return np.array(list(a.floats), dtype=np.float32)
    return None


def sha256(path):
    with open(path, 'rb') as f:
        return hashlib.sha256(f.read()).hexdigest()


def convert(src, dst):
    """Writes the float16 variant of `src` to `dst`. Returns {'file', 'fp32_sha256', 'half_nodes'}."""
    m = shape_inference.infer_shapes(onnx.load(src), strict_mode=True)
    g = m.graph
    nodes = list(g.node)
    producer = {o: i for i, n in enumerate(nodes) for o in n.output}
    types = {v.name: v.type.tensor_type.elem_type for v in list(g.value_info) + list(g.input) + list(g.output)}
    inits = {t.name: t for t in g.initializer}
    for t in g.initializer:
        types[t.name] = t.data_type

    # hdr = Clip(Add(base, residual)), possibly inside the range limit's Max / Min (model.RangeLimit, float32)
    clips = [n for n in nodes if n.op_type == 'Clip' and n.input[0] in producer
             and nodes[producer[n.input[0]]].op_type == 'Add' and 'base' in nodes[producer[n.input[0]]].input]
    assert len(clips) == 1, 'expected one Clip(Add(base, residual))'
    hdr_clip = clips[0]
    add = nodes[producer[hdr_clip.input[0]]]
    assert add.op_type == 'Add' and 'base' in add.input, 'expected hdr = Clip(Add(base, residual))'
    residual = [x for x in add.input if x != 'base'][0]
    in_residual, in_base = _closure([residual], producer, nodes), _closure(['base'], producer, nodes)
    # what the float32 tail (the clip and the range limit) reads from the residual's side stays float32 too: the
    # highlight gate's `clipped`, which the range limit's ceiling shares
    tail = _closure(['hdr'], producer, nodes) - in_residual - in_base - {producer[add.output[0]]}
    # (a Shape node reads no values: the exporter sizes the limit's upsampling from a network tensor's shape)
    shared = _closure([x for i in tail if nodes[i].op_type != 'Shape' for x in nodes[i].input
                       if x and producer.get(x) in in_residual], producer, nodes) & in_residual
    region = in_residual - in_base - shared
    if len(region) < 100:   # the network is hundreds of nodes: a few would mean the split above went wrong
        raise ValueError(f'{src}: only {len(region)} nodes would run in float16')
    # Only the final Add may read the region's results (anything else reading them would be in `region` or in
    # the baseline's closure, which is excluded), and Shape nodes, which read no values.
    for j, n in enumerate(nodes):
        if j not in region and n is not add and n.op_type != 'Shape':
            assert not any(producer.get(x) in region for x in n.input), f'{n.name} reads the float16 region'
    assert not any(producer.get(o.name) in region for o in g.output), 'a graph output inside the float16 region'

    new_inits, new_nodes, halves = [], [], {}

    def half_of(name):
        """A float16 version of a float32 tensor from outside the region or from a constant (copied, never changed
        in place, since float32 consumers may share it)."""
        if name in halves:
            return halves[name]
        key = name + '__f16'
        p = producer.get(name)
        value = numpy_helper.to_array(inits[name]) if name in inits else (
            _constant_value(nodes[p]) if p is not None and nodes[p].op_type == 'Constant' else None)
        if value is not None:
            new_inits.append(numpy_helper.from_array(value.astype(np.float16), key))
        else:
            new_nodes.append(helper.make_node('Cast', [name], [key], to=F16, name=key + '_cast'))
        halves[name] = key
        return key

    for i, n in enumerate(nodes):
        if i not in region or n.op_type == 'Constant':
            continue    # constants are read through half_of; unused float32 ones are dropped below
        if n.op_type == 'ConstantOfShape':
            value = next((a for a in n.attribute if a.name == 'value'), None)
            if value is None:   # default: float32 zero
                n.attribute.append(helper.make_attribute('value', numpy_helper.from_array(np.zeros(1, np.float16))))
            elif value.t.data_type == F32:
                value.t.CopyFrom(numpy_helper.from_array(numpy_helper.to_array(value.t).astype(np.float16)))
        if n.op_type == 'Cast':
            for a in n.attribute:
                if a.name == 'to' and a.i in (F32, TensorProto.DOUBLE):
                    a.i = F16
        for k, x in enumerate(n.input):
            if not x or types.get(x) != F32 or (n.op_type, k) in KEEP_F32_INPUTS:
                continue
            p = producer.get(x)
            if p is not None and p in region and nodes[p].op_type != 'Constant':
                continue    # computed inside the region: already float16
            n.input[k] = half_of(x)

    back = residual + '__f32'
    add.input[list(add.input).index(residual)] = back
    cast_back = helper.make_node('Cast', [residual], [back], to=F32, name='residual_to_f32')

    g.initializer.extend(new_inits)
    available = {i.name for i in g.input} | {t.name for t in g.initializer}
    ordered = _topological(new_nodes + nodes + [cast_back], available)
    # drop what nobody reads any more (float32 constants replaced by their float16 copies)
    used = {x for n in ordered for x in n.input} | {o.name for o in g.output}
    ordered = [n for n in ordered if n.op_type != 'Constant' or n.output[0] in used]
    del g.node[:]
    g.node.extend(ordered)
    keep = [t for t in g.initializer if t.name in used]
    del g.initializer[:]
    g.initializer.extend(keep)
    del g.value_info[:]
    digest = sha256(src)
    meta = {p.key: p.value for p in m.metadata_props}
    meta.update({'remaster.precision': 'fp16', 'remaster.fp32_model': os.path.basename(src),
                 'remaster.fp32_sha256': digest})
    del m.metadata_props[:]
    for k, v in meta.items():
        m.metadata_props.add(key=k, value=v)
    onnx.checker.check_model(m, full_check=True)
    onnx.save(m, dst)
    return {'file': os.path.basename(dst), 'sha256': sha256(dst), 'fp32_sha256': digest, 'half_nodes': len(region)}


def fp16_path(path):
    return path[:-len('.onnx')] + '.fp16.onnx'


def card_path(path):
    return path[:-len('.onnx')] + '.card.json'


def main():
    ap = argparse.ArgumentParser(prog=f'python3 -m {__spec__.name}', description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('models', nargs='+', help='srItm-xS.onnx files')
    for p in ap.parse_args().models:
        info = convert(p, fp16_path(p))
        if os.path.exists(card_path(p)):   # the card vouches for the pair (see the worker)
            with open(card_path(p)) as f:
                card = json.load(f)
            card['fp16'] = info
            with open(card_path(p), 'w') as f:
                json.dump(card, f, indent=1)
        print(f"wrote {fp16_path(p)} ({os.path.getsize(fp16_path(p))} bytes, {info['half_nodes']} nodes in float16)")


if __name__ == '__main__':
    main()
