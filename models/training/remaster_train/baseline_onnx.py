"""Builds models/baseline-x{2,4}.onnx: the analytic SDR->HDR10 baseline as a parameter-free ONNX graph
(opset 17, dynamic N/H/W), and checks it against the float64 numpy reference with a small numpy
interpreter of the graph's ops (onnxruntime is not available to Python here; the TypeScript golden test runs
the same files with onnxruntime-node).

Usage (from models/training): /usr/bin/python3 -m remaster_train.baseline_onnx [--check-only]
"""
import argparse
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from . import sdrhdr

MODELS = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..'))
OPSET = 17


def _const(name, arr):
    return numpy_helper.from_array(np.asarray(arr, dtype=np.float32), name)


def baseline_nodes(inp, out, scale, prefix='bl_'):
    """Nodes + initialisers computing PQ BT.2020 [N,3,sH,sW] from BT.709 R'G'B' `inp`, in the trained models'
    export form (models/README.md, Speed): Keys bicubic as edge pad + depthwise 5x5 conv + depth-to-space (ONNX
    Resize cubic took 4.5 s of a UHD frame here), powers as Exp(e Log x), the primaries as a MatMul."""
    p = prefix
    inits = [
        numpy_helper.from_array(np.array([0, 0, 2, 2, 0, 0, 2, 2], dtype=np.int64), p + 'pads'),
        _const(p + 'keys', np.tile(sdrhdr.keys_phase_kernel(scale), (3, 1, 1, 1))),
        _const(p + 'zero', 0.0), _const(p + 'one', 1.0), _const(p + 'gamma', sdrhdr.GAMMA),
        _const(p + 'white', sdrhdr.SDR_WHITE_NITS),
        _const(p + 'm709to2020', sdrhdr.M709_TO_2020),
        numpy_helper.from_array(np.array([0, 3, -1], dtype=np.int64), p + 'planes'),
        _const(p + 'inv_peak', 1.0 / 10000.0), _const(p + 'm1', sdrhdr.PQ_M1), _const(p + 'm2', sdrhdr.PQ_M2),
        _const(p + 'c1', sdrhdr.PQ_C1), _const(p + 'c2', sdrhdr.PQ_C2), _const(p + 'c3', sdrhdr.PQ_C3),
    ]
    n = helper.make_node

    def power(x, e, y, name):   # x ** e for x >= 0 (0 -> exp(-inf) = 0)
        return [n('Log', [x], [y + '_log'], name=name + '_log'), n('Mul', [y + '_log', e], [y + '_mul'], name=name + '_mul'),
                n('Exp', [y + '_mul'], [y], name=name + '_exp')]

    nodes = [
        n('Pad', [inp, p + 'pads'], [p + 'padded'], mode='edge', name=p + 'pad'),
        n('Conv', [p + 'padded', p + 'keys'], [p + 'phases'], group=3, kernel_shape=[5, 5], name=p + 'keys_conv'),
        n('DepthToSpace', [p + 'phases'], [p + 'up'], blocksize=scale, mode='CRD', name=p + 'shuffle'),
        n('Clip', [p + 'up', p + 'zero', p + 'one'], [p + 'v'], name=p + 'clip'),
        *power(p + 'v', p + 'gamma', p + 'l', p + 'bt1886'),
        n('Mul', [p + 'l', p + 'white'], [p + 'nits709'], name=p + 'white203'),
        n('Shape', [p + 'nits709'], [p + 'shape'], name=p + 'shape'),
        n('Reshape', [p + 'nits709', p + 'planes'], [p + 'flat709'], name=p + 'flatten'),
        n('MatMul', [p + 'm709to2020', p + 'flat709'], [p + 'flat2020'], name=p + 'to2020'),
        n('Reshape', [p + 'flat2020', p + 'shape'], [p + 'nits2020'], name=p + 'unflatten'),
        n('Max', [p + 'nits2020', p + 'zero'], [p + 'pos'], name=p + 'max0'),
        n('Mul', [p + 'pos', p + 'inv_peak'], [p + 'y'], name=p + 'norm'),
        *power(p + 'y', p + 'm1', p + 'ym', p + 'pow_m1'),
        n('Mul', [p + 'ym', p + 'c2'], [p + 'c2y'], name=p + 'mul_c2'),
        n('Add', [p + 'c2y', p + 'c1'], [p + 'num'], name=p + 'add_c1'),
        n('Mul', [p + 'ym', p + 'c3'], [p + 'c3y'], name=p + 'mul_c3'),
        n('Add', [p + 'c3y', p + 'one'], [p + 'den'], name=p + 'add_1'),
        n('Div', [p + 'num', p + 'den'], [p + 'ratio'], name=p + 'div'),
        *power(p + 'ratio', p + 'm2', out, p + 'pow_m2'),
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
    model.doc_string = ('Remaster analytic baseline x%d: Keys bicubic (a=-0.5, half-pixel centres, edge clamp) upscale of BT.709 '
                        "R'G'B', clamp, BT.1886 (2.4), SDR white = 203 cd/m2 (BT.2408), BT.709->BT.2020, PQ. "
                        'No learned parameters; hdr == base.' % scale)
    for k, v in {'remaster.contract': 'sdr->hdr,base', 'remaster.scale': str(scale),
                 'remaster.kind': 'baseline', 'remaster.sdr_white_nits': '203'}.items():
        e = model.metadata_props.add()
        e.key, e.value = k, v
    onnx.checker.check_model(model, full_check=True)
    return model


# ---------------------------------------------------------------- numpy interpreter of the ops used here
def _depthwise_conv(x, w, group):
    """Grouped conv, no padding, stride 1, no bias: x [N,C,H,W], w [O,C/group,kh,kw] (here C/group == 1)."""
    assert w.shape[1] == 1 and x.shape[1] == group
    win = np.lib.stride_tricks.sliding_window_view(x.astype(np.float64), w.shape[2:], axis=(2, 3))
    per = w.shape[0] // group
    out = [np.einsum('nhwij,kij->nkhw', win[:, g], w[g * per:(g + 1) * per, 0].astype(np.float64)) for g in range(group)]
    return np.concatenate(out, axis=1)


def _depth_to_space_crd(x, b):
    n, c, h, w = x.shape
    return x.reshape(n, c // (b * b), b, b, h, w).transpose(0, 1, 4, 2, 5, 3).reshape(n, c // (b * b), h * b, w * b)


def run_numpy(model, feeds):
    env = dict(feeds)
    for init in model.graph.initializer:
        env[init.name] = numpy_helper.to_array(init)
    for nd in model.graph.node:
        i = [env[x] if x else None for x in nd.input]
        a = {at.name: helper.get_attribute_value(at) for at in nd.attribute}
        op = nd.op_type
        with np.errstate(divide='ignore'):   # Log(0) = -inf on purpose (x ** e via Exp)
            if op == 'Pad':
                assert a['mode'] == b'edge'
                k = len(i[1]) // 2
                r = np.pad(i[0], list(zip(i[1][:k], i[1][k:])), mode='edge')
            elif op == 'Conv':
                assert len(i) == 2 and a.get('pads', [0] * 4) == [0] * 4
                r = _depthwise_conv(i[0], i[1], a.get('group', 1))
            elif op == 'DepthToSpace':
                assert a['mode'] == b'CRD'
                r = _depth_to_space_crd(i[0], a['blocksize'])
            elif op == 'Shape':
                r = np.array(i[0].shape, dtype=np.int64)
            elif op == 'Reshape':
                shape = [d if d != 0 else i[0].shape[j] for j, d in enumerate(i[1])]
                r = i[0].reshape(shape)
            elif op == 'MatMul':
                r = np.matmul(i[0], i[1])
            elif op == 'Clip':
                r = np.clip(i[0], i[1], i[2])
            elif op == 'Log':
                r = np.log(i[0])
            elif op == 'Exp':
                r = np.exp(i[0])
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
            else:
                raise NotImplementedError(op)
        env[nd.output[0]] = r if op == 'Shape' else np.asarray(r, dtype=np.float32)
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
    ap = argparse.ArgumentParser(prog=f'python3 -m {__spec__.name}', description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--check-only', action='store_true', help='check the committed files without rebuilding them')
    check_only = ap.parse_args().check_only
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
