"""Checks of the network definition. Run: /usr/bin/python3 models/training/test_model.py"""
import copy
import os
import sys
import unittest

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import sdrhdr  # noqa: E402
from model import SRITM, SRITMConfig, count_params, macs_per_input_pixel  # noqa: E402


class PaperConfig(unittest.TestCase):
    def test_param_count_x2(self):
        self.assertEqual(count_params(SRITM(SRITMConfig.paper(2))), 2502595)

    def test_param_count_x4(self):
        self.assertEqual(count_params(SRITM(SRITMConfig.paper(4))), 2650307)

    def test_macs_x2(self):
        # paper: ~2.50 M MAC per input pixel (5.19 TMAC per 1080p -> 2160p frame)
        self.assertAlmostEqual(macs_per_input_pixel(SRITM(SRITMConfig.paper(2)), 32, 32) / 1e6, 2.50, delta=0.01)


class Baseline(unittest.TestCase):
    def test_matrix_rounds_to_bt2087(self):
        np.testing.assert_array_equal(np.round(sdrhdr.M709_TO_2020, 4), sdrhdr.BT2087)

    def test_untrained_equals_baseline_and_reference(self):
        torch.manual_seed(0)
        for s in (2, 4):
            for ctx, pool in ((False, 'box'), (True, 'box'), (True, 'blur')):
                cfg = SRITMConfig(scale=s, channels=8, base_blocks=2, detail_skip_blocks=1, fusion_blocks=1,
                                  context=ctx, context_channels=4, context_pool=pool)
                m = SRITM(cfg).eval()
                x = torch.rand(2, 3, 9, 13)
                with torch.no_grad():
                    hdr, base = m(x)
                self.assertEqual(tuple(hdr.shape), (2, 3, 9 * s, 13 * s))
                self.assertTrue(torch.equal(hdr, base))
                ref = sdrhdr.baseline_numpy(x.numpy().astype(np.float64), s)
                self.assertLess(float(np.abs(base.numpy() - ref).max()), 2e-5)

    def test_blur_pooling_is_steadier_under_shifts(self):
        """The anti-aliased context pooling moves less than the plain 4x4 box when the picture moves by 1-3 px."""
        from model import ContextBranch
        # Stripes with a 3 px period: finer than the pooled grid can hold, so an ideal low-pass gives their mean
        # wherever they sit, and any change under a shift is aliasing.
        x = (torch.arange(96) % 3 == 0).float().expand(1, 6, 96, 96).clone()

        def drift(pool):
            cb = ContextBranch(6, 4, 4, pool)
            d = 0.0
            for k in (1, 2, 3):
                a = cb.pool4(x)[:, :, 4:-4, 4:-4]
                b = cb.pool4(torch.roll(x, k, dims=3))[:, :, 4:-4, 4:-4]
                d += float((a - b).abs().mean())
            return d

        self.assertLess(drift('blur'), 0.5 * drift('box'))

    def test_folded_last_conv_is_the_same_function(self):
        # export runs the last conv before the last pixel shuffle (SRITM.fold_last_conv): same output, x2 and x4
        from configs import make_config
        torch.manual_seed(3)
        for s in (2, 4):
            m = SRITM(make_config('small', s)).eval()
            with torch.no_grad():
                m.last.weight.normal_(0, 0.05)
                m.last.bias.normal_(0, 0.01)
                x = torch.rand(1, 3, 20, 28)
                r = m.residual(x)
                rf = copy.deepcopy(m).fold_last_conv().residual(x)
            self.assertEqual(tuple(rf.shape), (1, 3, 20 * s, 28 * s))
            self.assertGreater(float(r.abs().max()), 0.01)
            self.assertLess(float((r - rf).abs().max()), 1e-5)

    def test_fused_conv_relu_hook_covers_every_conv_relu_pair(self):
        # bench_cuda.py --fused swaps model.fused_conv_relu for cuDNN's conv + bias + ReLU kernel: the network must
        # route every conv -> ReLU pair through it (paper x2: 6 SMF, 22 first convs of residual blocks, 6
        # modulation convs, 5 skip-block merges, 1 upsampling conv) and compute the same function
        import model as network
        from configs import make_config
        torch.manual_seed(6)
        calls = []

        def op(x, w, b, pad):
            calls.append(w.shape[0])
            return F.relu(F.conv2d(x, w, b, padding=pad))
        for cfg, expected in ((SRITMConfig.paper(2), 40), (make_config('medium', 4), 22)):
            m = SRITM(cfg).eval()
            with torch.no_grad():
                for p in m.parameters():
                    p.normal_(0, 0.05)
                x = torch.rand(1, 3, 40, 48)
                ref = m(x)[0]
                calls.clear()
                network.fused_conv_relu = op
                try:
                    out = m(x)[0]
                finally:
                    network.fused_conv_relu = None
            self.assertEqual(len(calls), expected)
            self.assertLess(float((out - ref).abs().max()), 1e-6)

    def test_export_form_is_the_same_function(self):
        # SRITM.for_export(): folded last conv, exp-log powers, MatMul primaries
        from configs import make_config
        torch.manual_seed(5)
        for s in (2, 4):
            m = SRITM(make_config('medium', s)).eval()
            with torch.no_grad():
                for p in m.parameters():   # every path live: the context FiLM and last conv start at zero
                    p.add_(torch.randn_like(p) * 0.02)
                x = torch.rand(1, 3, 36, 52)
                x[:, :, :4, :4] = 0.0   # exact zeros through the exp-log powers
                x[:, :, -4:, -4:] = 1.0
                hdr, base = m(x)
                e = copy.deepcopy(m).for_export()
                hdr_e, base_e = e(x)
            self.assertGreater(float((hdr - base).abs().max()), 0.01)
            self.assertLess(float((hdr - hdr_e).abs().max()), 2e-5)
            # float32 rounding of the two forms: both are 6e-6 from a float64 run (0.005 of a 10-bit code)
            self.assertLess(float((base - base_e).abs().max()), 2e-5)
            self.assertFalse(bool(torch.isnan(hdr_e).any()))

    def test_pq_reference_points(self):
        codes = np.round(64 + 876 * sdrhdr.pq_inverse_eotf(np.array([0.005, 100, 203, 1000, 4000, 10000])))
        np.testing.assert_array_equal(codes, [77, 509, 573, 723, 855, 940])


class Widening(unittest.TestCase):
    def test_widened_model_computes_the_same_function(self):
        from configs import make_config
        from model import widen_state
        for scale in (2, 4):
            torch.manual_seed(scale)
            narrow = SRITM(make_config('small', scale))
            for p in narrow.parameters():   # trained-like: nothing zero (the last conv and FiLM output start at 0)
                p.data.add_(0.05 * torch.randn_like(p))
            wide = SRITM(make_config('medium', scale))
            wide.load_state_dict(widen_state(narrow.state_dict(), wide))
            x = torch.rand(1, 3, 40, 56)
            with torch.no_grad():
                r = narrow.residual(x)
                # float rounding only (convolutions over more channels sum in another order)
                self.assertLess(float((r - wide.residual(x)).abs().max()), 1e-5 * max(1.0, float(r.abs().max())))
            # the new channels are live: weights out of them get gradients
            wide.residual(x).square().mean().backward()
            self.assertGreater(float(wide.last.weight.grad[:, 16:].abs().max()), 0.0)


class ChromaLoss(unittest.TestCase):
    def test_torch_ictcp_matches_the_metric_and_has_finite_gradients(self):
        import data as D
        torch.manual_seed(0)
        x = torch.rand(2, 3, 8, 9) * 0.9 + 0.02
        t = D.ictcp_torch(x)
        for n in range(2):
            self.assertLess(float(np.abs(t[n].numpy() - D.ictcp_from_pq2020(x[n].numpy())).max()), 1e-4)
        z = torch.cat([x, torch.zeros(1, 3, 8, 9)]).requires_grad_(True)   # black has an infinite PQ slope
        D.ictcp_torch(z).sum().backward()
        self.assertTrue(bool(torch.isfinite(z.grad).all()))


class ErrorBudget(unittest.TestCase):
    def test_highlight_split_and_perfect_highlight_gain(self):
        import error_budget as E
        self.assertAlmostEqual(E.SDR_WHITE_PQ, 0.5807, places=4)   # PQ of 203 cd/m2 (BT.2408)
        torch.manual_seed(0)
        m = SRITM(SRITMConfig(scale=2, channels=8, smf_channels=4)).eval()   # untrained: output == baseline
        lr = torch.rand(1, 3, 12, 16) * 0.8
        with torch.no_grad():
            base = m.baseline(lr)[0].numpy()
        target = base.copy()
        target[:, :4, :8] = 0.75          # a highlight region the baseline cannot reach (0.75 PQ ~ 1000 cd/m2)
        target[:, 10:, :] += 0.01         # and a small error elsewhere
        r = E.image_budget(m, {'name': 't', 'kind': 'hdr', 'lr': lr[0].numpy(), 'target': target})
        self.assertAlmostEqual(r['gain'], 0.0, places=6)
        self.assertAlmostEqual(r['highlight_pct'], 100 * 32 / (24 * 32), places=6)
        e_hl = ((base[:, :4, :8] - 0.75) ** 2).sum()
        e_else = 0.01 ** 2 * 3 * 14 * 32
        self.assertAlmostEqual(r['base_err_in_highlights_pct'], 100 * e_hl / (e_hl + e_else), places=3)
        self.assertAlmostEqual(r['perfect_highlights_on_base'], 10 * np.log10((e_hl + e_else) / e_else), places=4)
        self.assertAlmostEqual(r['perfect_highlights_on_model'], r['perfect_highlights_on_base'], places=6)
        bars = E.colour_bars()
        self.assertEqual(tuple(bars.shape), (1, 3, 180, 320))
        self.assertEqual([round(float(v) * 255) for v in bars[0, :, 10, 320 * 2 // 7 + 5]], [0, 191, 191])   # 75 % cyan
        b = E.bars_residual(m)   # the untrained model is the baseline: nothing moves
        self.assertEqual(max(b['bars'] + [b['white'], b['black']]), 0.0)
        # mean gain per kind: two items of a kind average, the untrained model gains nothing
        items = [{'name': n, 'kind': k, 'lr': lr[0].numpy(), 'target': t}
                 for n, k, t in (('a', 'hdr', target), ('b', 'hdr', target + 0.002), ('c', 'photo', base + 0.01))]
        g = E.mean_gains(m, items)
        self.assertEqual(sorted(g), ['hdr', 'photo'])
        self.assertAlmostEqual(g['hdr'], 0.0, places=6)
        self.assertAlmostEqual(g['photo'], 0.0, places=6)

    def test_training_images_are_made_like_the_validation_images(self):
        import data as D
        import error_budget as E
        import prepare_data as P
        if not os.path.exists(os.path.join(D.DATA, f'photo_{D.PHOTO_TRAIN[0]}.npy')):
            self.skipTest('training data not prepared (prepare_data.py)')
        seen = E.seen_images(2)
        self.assertEqual([v['name'] for v in seen], D.PHOTO_TRAIN + D.HDRI_TRAIN)
        v = seen[0]
        self.assertEqual(v['target'].shape, (3,) + P.PHOTO_VAL_CROP)
        self.assertEqual(v['lr'].shape, (3, P.PHOTO_VAL_CROP[0] // 2, P.PHOTO_VAL_CROP[1] // 2))
        # the same item twice from the same seed: the measure is repeatable
        self.assertTrue(np.array_equal(E.seen_images(2)[-1]['lr'], seen[-1]['lr']))


class GpuBench(unittest.TestCase):
    def test_smoke_run_measures_every_configuration_and_feeds_the_cards(self):
        import subprocess, tempfile, json
        from export import gpu_speed
        with tempfile.TemporaryDirectory() as d:
            out = os.path.join(d, 'c.json')
            subprocess.run([sys.executable, os.path.join(HERE, 'bench_cuda.py'), '--smoke', '--out', out], check=True,
                           capture_output=True)
            r = json.load(open(out))
        self.assertEqual([c['name'] for c in r['configs']], ['paper x2', 'shipped x2', 'shipped x4', 'paper x4'])
        self.assertAlmostEqual(r['configs'][0]['macs_per_input_pixel'] / 1e6, 2.50, delta=0.01)
        for c in r['configs']:
            self.assertGreater(c['modes']['fp32']['ms_per_frame'], 0)
        from configs import make_config
        self.assertEqual(gpu_speed([r], make_config('medium', 4)), [])   # measured with another configuration
        g = gpu_speed([r], make_config('small', 4))
        self.assertEqual(len(g), 1)
        self.assertEqual(g[0]['output'], [192, 128])   # smoke: 48x32 input at x4
        self.assertIn('fp32', g[0]['modes'])


if __name__ == '__main__':
    torch.set_num_threads(1)
    unittest.main(verbosity=2)
