"""Builds models/baseline-x{2,4}.onnx: the analytic SDR->HDR10 baseline as a parameter-free ONNX graph
(opset 17, dynamic N/H/W), and checks it against the float64 numpy reference with a small numpy
interpreter of the graph's ops (onnxruntime is not available to Python here; the TypeScript golden test runs
the same files with onnxruntime-node).

Usage: /usr/bin/python3 models/training/baseline_onnx.py [--check-only]
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import sdrhdr  # noqa: E402

MODELS = os.path.normpath(os.path.join(HERE, '..'))
OPSET = 17


def _const(name, arr):
    return numpy_helper.from_array(np.asarray(arr, dtype=np.float32), name)


def baseline_nodes(inp, out, scale, prefix='bl_'):
    """Nodes + initialisers computing PQ BT.2020 [N,3,sH,sW] from BT.709 R'G'B' `inp`."""
    p = prefix
    inits = [
        numpy_helper.from_array(np.array([1, 1, scale, scale], dtype=np.float32), p + 'scales'),
        _const(p + 'zero', 0.0), _const(p + 'one', 1.0), _const(p + 'gamma', sdrhdr.GAMMA),
        _const(p + 'white', sdrhdr.SDR_WHITE_NITS),
        _const(p + 'm709to2020', sdrhdr.M709_TO_2020.reshape(3, 3, 1, 1)),
        _const(p + 'inv_peak', 1.0 / 10000.0), _const(p + 'm1', sdrhdr.PQ_M1), _const(p + 'm2', sdrhdr.PQ_M2),
        _const(p + 'c1', sdrhdr.PQ_C1), _const(p + 'c2', sdrhdr.PQ_C2), _const(p + 'c3', sdrhdr.PQ_C3),
    ]
    n = helper.make_node
    nodes = [
        n('Resize', [inp, '', p + 'scales'], [p + 'up'], mode='cubic', cubic_coeff_a=sdrhdr.KEYS_A,
          coordinate_transformation_mode='half_pixel', exclude_outside=0, nearest_mode='floor', name=p + 'resize'),
        n('Clip', [p + 'up', p + 'zero', p + 'one'], [p + 'v'], name=p + 'clip'),
        n('Pow', [p + 'v', p + 'gamma'], [p + 'l'], name=p + 'bt1886'),
        n('Mul', [p + 'l', p + 'white'], [p + 'nits709'], name=p + 'white203'),
        n('Conv', [p + 'nits709', p + 'm709to2020'], [p + 'nits2020'], kernel_shape=[1, 1], name=p + 'to2020'),
        n('Max', [p + 'nits2020', p + 'zero'], [p + 'pos'], name=p + 'max0'),
        n('Mul', [p + 'pos', p + 'inv_peak'], [p + 'y'], name=p + 'norm'),
        n('Pow', [p + 'y', p + 'm1'], [p + 'ym'], name=p + 'pow_m1'),
        n('Mul', [p + 'ym', p + 'c2'], [p + 'c2y'], name=p + 'mul_c2'),
        n('Add', [p + 'c2y', p + 'c1'], [p + 'num'], name=p + 'add_c1'),
        n('Mul', [p + 'ym', p + 'c3'], [p + 'c3y'], name=p + 'mul_c3'),
        n('Add', [p + 'c3y', p + 'one'], [p + 'den'], name=p + 'add_1'),
        n('Div', [p + 'num', p + 'den'], [p + 'ratio'], name=p + 'div'),
        n('Pow', [p + 'ratio', p + 'm2'], [out], name=p + 'pow_m2'),
    ]
    return nodes, inits


def build(scale):
    nodes, inits = baseline_nodes('sdr', 'base', scale)
    nodes.append(helper.make_node('Identity', ['base'], ['hdr'], name='hdr_is_base'))
    inp = helper.make_tensor_value_info('sdr', TensorProto.FLOAT, ['N', 3, 'h', 'w'])
    outs = [helper.make_tensor_value_info('hdr', TensorProto.FLOAT, ['N', 3, f'{scale}h', f'{scale}w']),
            helper.make_tensor_value_info('base', TensorProto.FLOAT, ['N', 3, f'{scale}h', f'{scale}w'])]
    graph = helper.make_graph(nodes, f'remaster_baseline_x{scale}', [inp], outs, initializer=inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid('', OPSET)],
                              producer_name='remaster', producer_version='0.1.0')
    model.ir_version = 8
    model.doc_string = ('Remaster analytic baseline x%d: Keys bicubic (a=-0.5, half_pixel) upscale of BT.709 '
                        "R'G'B', clamp, BT.1886 (2.4), SDR white = 203 cd/m2 (BT.2408), BT.709->BT.2020, PQ. "
                        'No learned parameters; hdr == base.' % scale)
    for k, v in {'remaster.contract': 'sdr->hdr,base', 'remaster.scale': str(scale),
                 'remaster.kind': 'baseline', 'remaster.sdr_white_nits': '203'}.items():
        e = model.metadata_props.add()
        e.key, e.value = k, v
    onnx.checker.check_model(model, full_check=True)
    return model


# ---------------------------------------------------------------- numpy interpreter of the ops used here
def _resize_cubic(x, scales, node):
    a = {at.name: helper.get_attribute_value(at) for at in node.attribute}
    assert a['mode'] == b'cubic' and a['coordinate_transformation_mode'] == b'half_pixel'
    assert a.get('exclude_outside', 0) == 0 and abs(a['cubic_coeff_a'] + 0.5) < 1e-7
    assert list(scales[:2]) == [1, 1] and scales[2] == scales[3] and float(scales[2]).is_integer()
    return sdrhdr.resize_keys(x.astype(np.float64), int(scales[2])).astype(np.float32)


def run_numpy(model, feeds):
    env = dict(feeds)
    for init in model.graph.initializer:
        env[init.name] = numpy_helper.to_array(init)
    for nd in model.graph.node:
        i = [env[x] if x else None for x in nd.input]
        op = nd.op_type
        if op == 'Resize':
            r = _resize_cubic(i[0], i[2], nd)
        elif op == 'Clip':
            r = np.clip(i[0], i[1], i[2])
        elif op == 'Pow':
            r = np.power(i[0], i[1]).astype(np.float32)
        elif op == 'Mul':
            r = i[0] * i[1]
        elif op == 'Add':
            r = i[0] + i[1]
        elif op == 'Div':
            r = i[0] / i[1]
        elif op == 'Max':
            r = np.maximum(i[0], i[1])
        elif op == 'Identity':
            r = i[0]
        elif op == 'Conv':
            w = i[1]
            assert w.shape[2:] == (1, 1) and len(i) == 2
            r = np.einsum('oi,nihw->nohw', w[:, :, 0, 0], i[0]).astype(np.float32)
        else:
            raise NotImplementedError(op)
        env[nd.output[0]] = np.asarray(r, dtype=np.float32)
    return {o.name: env[o.name] for o in model.graph.output}


def check(model, scale, seed=0):
    rng = np.random.default_rng(seed)
    worst = 0.0
    for shape in [(1, 3, 7, 9), (2, 3, 5, 4), (1, 3, 1, 3)]:
        x = rng.random(shape, dtype=np.float32)
        x[..., 0, 0] = 0.0
        x[..., -1, -1] = 1.0
        out = run_numpy(model, {'sdr': x})
        ref = sdrhdr.baseline_numpy(x, scale)
        assert out['hdr'].shape == ref.shape == (shape[0], 3, shape[2] * scale, shape[3] * scale)
        assert np.array_equal(out['hdr'], out['base'])
        err = float(np.max(np.abs(out['hdr'] - ref)))
        worst = max(worst, err)
        assert err * 1023 < 0.05, err  # far inside 1 10-bit code
    # fixed points: SDR white -> 203 cd/m2 (PQ 0.5807), black -> PQ 0
    flat = np.ones((1, 3, 4, 4), np.float32)
    o = run_numpy(model, {'sdr': flat})['hdr']
    assert abs(float(o.mean()) - 0.58069) < 1e-4, o.mean()
    o = run_numpy(model, {'sdr': np.zeros((1, 3, 4, 4), np.float32)})['hdr']
    assert float(np.abs(o).max()) < 1e-6
    return worst


def main():
    check_only = '--check-only' in sys.argv
    for scale in (2, 4):
        path = os.path.join(MODELS, f'baseline-x{scale}.onnx')
        if check_only:
            model = onnx.load(path)
            onnx.checker.check_model(model, full_check=True)
        else:
            model = build(scale)
            onnx.save(model, path)
        worst = check(model, scale)
        print(f'{path}: ok, max |graph(numpy) - float64 reference| = {worst:.2e}')


if __name__ == '__main__':
    main()
