"""Checks of the network definition, the export forms, the tools around them and the package's stages.

Run from models/training: OMP_NUM_THREADS=1 /usr/bin/python3 -m unittest -v remaster_train.test_model
"""
import copy
import dataclasses
import os
import sys
import unittest

import numpy as np
import torch
import torch.nn.functional as F

from . import data as D, sdrhdr
from .model import SRITM, SRITMConfig, count_params, macs_per_input_pixel

# models/training: the folder the package's stages run from (python3 -m remaster_train.<stage>)
TRAINING_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


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
        from .model import ContextBranch
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
        from .configs import make_config
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
        from . import model as network
        from .configs import make_config
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
        from .configs import SHIPPED, make_config
        torch.manual_seed(5)
        for s in (2, 4):
            m = SRITM(make_config(SHIPPED, s)).eval()
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
            # 2e-4 (0.18 of a 10-bit code): the highlight gate's ramp scales the baselines' rounding by up to 10
            self.assertLess(float((hdr - hdr_e).abs().max()), 2e-4)
            # float32 rounding of the two forms: both are 6e-6 from a float64 run (0.005 of a 10-bit code)
            self.assertLess(float((base - base_e).abs().max()), 2e-5)
            self.assertFalse(bool(torch.isnan(hdr_e).any()))

    def test_pq_reference_points(self):
        codes = np.round(64 + 876 * sdrhdr.pq_inverse_eotf(np.array([0.005, 100, 203, 1000, 4000, 10000])))
        np.testing.assert_array_equal(codes, [77, 509, 573, 723, 855, 940])


class HighlightGate(unittest.TestCase):
    """model.HighlightGate: a bright baseline pixel is never raised unless the SDR input is clipped next to it."""

    def _frame(self):
        x = torch.full((1, 3, 16, 16), 0.3)          # grey: baseline ~26 cd/m2, below L0
        x[:, :, 2:6, 2:6] = 0.95                     # unclipped near-white patch (~180 cd/m2 baseline)
        x[:, :, 10:14, 10:14] = 1.0                  # clipped patch: a highlight
        return x

    def test_gate_limits_only_bright_unclipped_pixels(self):
        from .model import HighlightGate
        from .sdrhdr import baseline_numpy
        for s in (2, 4):
            g = HighlightGate(s)
            x = self._frame()
            base = torch.from_numpy(baseline_numpy(x.numpy().astype(np.float64), s).astype(np.float32))
            res = torch.full_like(base, 0.1)            # the network raises everything by 88 codes
            out = g(x, base, res)
            up = lambda a, b: slice(a * s, b * s)      # noqa: E731  input rows -> output rows
            # dark grey: passes; clipped patch and its 1-pixel input ring: passes
            self.assertTrue(torch.equal(out[..., up(8, 9), up(0, 1)], res[..., up(8, 9), up(0, 1)]))
            self.assertTrue(torch.equal(out[..., up(9, 15), up(9, 15)], res[..., up(9, 15), up(9, 15)]))
            # the inside of the unclipped white patch is held at the baseline (residual <= 0)
            inner = out[..., up(3, 5), up(3, 5)]
            self.assertLessEqual(float(inner.max()), 1e-6)
            # a negative residual (darkening) always passes
            neg = -res
            self.assertTrue(torch.equal(g(x, base, neg), neg))

    def test_clipped_tests_any_all_none(self):
        # a saturated yellow clipped in R' and G' (a cartoon's sun, a title's fill) and a clipped white: 'any' (live
        # action) counts both as possible lights, 'all' only the white, 'none' (the graphics variant) neither
        from .configs import SHIPPED, VARIANTS, make_config
        from .model import HighlightGate
        x = torch.full((1, 3, 12, 12), 0.3)
        x[:, 0:2, 2:6, 2:6] = 1.0
        x[:, 2, 2:6, 2:6] = 0.1
        x[:, :, 8:11, 8:11] = 1.0
        for s in (2, 4):
            yellow, white = (slice(3 * s, 5 * s),) * 2, (slice(9 * s, 10 * s),) * 2
            got = {c: HighlightGate(s, c).clipped(x) for c in ('any', 'all', 'none')}
            for c, (y_on, w_on) in {'any': (True, True), 'all': (False, True), 'none': (False, False)}.items():
                for where, on in ((yellow, y_on), (white, w_on)):
                    patch = got[c][..., where[0], where[1]]
                    if on:
                        self.assertGreater(float(patch.min()), 0.999, c)
                    else:
                        self.assertEqual(float(patch.max()), 0.0, c)
            self.assertEqual(make_config(SHIPPED, s).clipped_channels, 'any')
            variant = make_config(VARIANTS['graphics'], s)
            self.assertEqual(variant.clipped_channels, 'none')
            self.assertEqual(dataclasses.replace(variant, clipped_channels='any'), make_config(SHIPPED, s))

    def test_gated_model_matches_the_ungated_model_below_L0(self):
        torch.manual_seed(2)
        cfg = SRITMConfig(scale=2, channels=8, base_blocks=2, detail_skip_blocks=1, fusion_blocks=2,
                          smf_channels=4, context=False)
        plain = SRITM(cfg).eval()
        with torch.no_grad():
            for p in plain.parameters():
                p.add_(torch.randn_like(p) * 0.05)
        gated = SRITM(SRITMConfig(**{**cfg.to_dict(), 'highlight_gate': True})).eval()
        gated.load_state_dict(plain.state_dict())   # no weights of its own
        x = torch.rand(1, 3, 20, 24) * 0.6          # baseline below ~60 cd/m2 except where the residual adds
        x[:, :, 5:9, 5:9] = 0.97
        with torch.no_grad():
            (h0, b0), (h1, b1) = plain(x), gated(x)
            e0, e1 = copy.deepcopy(plain).for_export()(x)[0], copy.deepcopy(gated).for_export()(x)[0]
        self.assertTrue(torch.equal(b0, b1))
        dark = (b0.amax(1, keepdim=True) < 0.45).expand_as(h0)   # PQ 0.45 ~ 40 cd/m2
        self.assertLess(float((h0 - h1)[dark].abs().max()), 1e-7)
        bright = b0[:, :, 12:16, 12:16]
        self.assertLessEqual(float((h1[:, :, 12:16, 12:16] - bright).max()), 1e-6)   # the white is not raised
        self.assertGreater(float((h0[:, :, 12:16, 12:16] - bright).max()), 1e-3)     # ... but was without the gate
        # the export form computes the same gate; the bright ramp (1 / (PQ(150) - PQ(60)) ~ 10) scales the two forms'
        # float32 baseline difference (< 2e-5) by up to 10: 2e-4 is 0.18 of a 10-bit code
        self.assertLess(float((e0 - h0).abs().max()), 2e-5)
        self.assertLess(float((e1 - h1).abs().max()), 2e-4)


class LevelDeadzone(unittest.TestCase):
    """model.LevelDeadzone: small shifts of a whole area go, fine detail stays, large shifts lose only the width."""
    CODE = 1 / 876

    def test_small_area_shifts_go_and_detail_stays(self):
        from .model import LevelDeadzone
        dz = LevelDeadzone(2)
        ramp = torch.tensor([-2.0, -1.0, 0.0, 1.0, 2.0]).repeat(8)[None, None, None, :] * self.CODE   # zero 5-mean
        detail = ramp.expand(1, 3, 20, 40).clone()
        flat = torch.full((1, 3, 20, 40), 1.5 * self.CODE)        # an area lifted by 1.5 codes: bias, not tone
        out = dz(flat + detail)
        inner = (..., slice(2, -2), slice(2, -2))                   # away from the borders' partial windows
        self.assertLess(float((out - detail)[inner].abs().max()), 1e-7)
        self.assertLess(float(dz(flat).abs().max()), 1e-7)           # borders too: their mean is of pixels inside
        self.assertLess(float((dz(-flat)).abs().max()), 1e-7)

    def test_it_never_adds_light(self):
        from .model import LevelDeadzone
        dz = LevelDeadzone(2)
        torch.manual_seed(4)
        r = torch.randn(1, 3, 24, 24) * 3 * self.CODE - 1.5 * self.CODE   # a darkened area with detail
        out = dz(r)
        self.assertTrue(bool((out <= torch.clamp(r, min=0.0) + 1e-9).all()))   # no pixel above max(network, baseline)
        self.assertGreater(float((out - r).max()), 0.5 * self.CODE)             # ... while darkened pixels come back
        lone = torch.full((1, 3, 12, 12), -3 * self.CODE)
        lone[..., 6, 6] = 10 * self.CODE                                         # a lit pixel in a darkened area
        self.assertAlmostEqual(float(dz(lone)[..., 6, 6].max()), 10 * self.CODE, places=7)

    def test_large_shifts_keep_all_but_the_width(self):
        from .model import LevelDeadzone
        dz = LevelDeadzone(2)
        big = torch.full((1, 3, 12, 12), 30 * self.CODE)             # tone expansion of 30 codes
        self.assertLess(float((dz(big) - 28 * self.CODE).abs().max()), 1e-7)
        self.assertLess(float((dz(-big) + 28 * self.CODE).abs().max()), 1e-7)

    def test_with_the_gate_an_unclipped_white_stays(self):
        from .sdrhdr import baseline_numpy
        cfg = SRITMConfig(scale=2, channels=8, base_blocks=2, detail_skip_blocks=1, fusion_blocks=2, smf_channels=4,
                          context=False, highlight_gate=True, level_deadzone=2.0)
        m = SRITM(cfg).eval()
        x = HighlightGate._frame(None)
        base = torch.from_numpy(baseline_numpy(x.numpy().astype(np.float64), 2).astype(np.float32))
        res = torch.full_like(base, -0.05)                           # a darkened frame ...
        res[..., 6:10, 6:10] = 0.0                                   # ... but for the white patch's inside
        hdr = m.output(x, base, res)
        self.assertLessEqual(float((hdr - base)[..., 6:10, 6:10].max()), 1e-6)   # the dark ring's mean lifts nothing
        ring = (hdr - base)[..., 3:5, 3:13]                                      # the darkened pixels come back 2 codes
        self.assertLess(float((ring + 0.05 - 2 * self.CODE).abs().max()), 1e-5)

    def test_shipped_widths(self):
        # picked per scale on the checkpoint-choice images by choose_stages; its recorded choice is the shipped one
        import json
        from .configs import SHIPPED, make_config
        for s, width in ((2, 1.0), (4, 0.5)):
            self.assertEqual(make_config(SHIPPED, s).level_deadzone, width)
            with open(os.path.join(os.path.dirname(__file__), '..', 'results', f'stages-x{s}.json')) as f:
                self.assertEqual(json.load(f)['chosen'], width)

    def test_choice_rule_puts_natural_pictures_first(self):
        from .choose_stages import GRAPHICS, pick

        def row(natural, graphics):
            return {'natural_sum': natural, 'sets': {GRAPHICS: {'mean_gain': graphics}}}
        # 2 is best on graphics but 0.08 dB below the best natural sum; of 0, 0.5 and 1 (within 0.05), 1 wins
        self.assertEqual(pick({0.0: row(9.00, -3.0), 0.5: row(8.99, -2.5), 1.0: row(8.96, -2.2), 2.0: row(8.92, -1.0)}),
                         1.0)
        self.assertEqual(pick({0.0: row(9.0, -2.0), 1.0: row(9.0, -2.0)}), 0.0)   # a tie: the narrower


class RangeLimit(unittest.TestCase):
    """model.RangeLimit: no darker than both the baseline and the nearby input pixels as it maps them (floor), no
    brighter than both the baseline and the brightest of them unless the input is clipped there (ceiling)."""

    def _edge(self, s):
        from .model import AnalyticBaseline
        bl = AnalyticBaseline(s)
        x = torch.full((1, 3, 12, 12), 0.5)
        x[..., :, 6:] = 0.9                                           # a hard edge: grey | white card
        x[..., 0:3, 9:12] = 1.0                                       # a clipped corner on the card
        return bl, x, bl(x), (lambda a, b: slice(a * s, b * s))       # input columns / rows -> output ones

    def test_the_floor_cuts_a_dark_halo_and_nothing_else(self):
        from .model import RangeLimit
        for s in (2, 4):
            bl, x, base, up = self._edge(s)
            lim = RangeLimit(s, floor=True, ceiling=False)
            grey = float(bl.mapped(torch.full((1, 3, 1, 1), 0.5)).min())
            res = torch.zeros_like(base)
            res[..., :, up(4, 6)] = -0.2                              # the network's dark halo beside the card
            res[..., up(4, 12), up(9, 12)] = 0.05                     # and a lift inside the card
            out = lim(x, bl, base, base + res)
            self.assertTrue(torch.equal(out[..., up(4, 12), up(9, 12)], (base + res)[..., up(4, 12), up(9, 12)]))
            self.assertTrue(torch.equal(out[..., :, up(0, 3)], base[..., :, up(0, 3)]))   # as does the rest
            halo = out[..., :, up(4, 6)]
            floor = torch.clamp(base[..., :, up(4, 6)], max=grey)        # the grey's mapping, or the baseline below it
            self.assertLess(float((halo - floor).abs().max()), 1e-6)
            # never above the baseline: where the Keys bicubic itself rings below the grey, the baseline is the limit
            dark = lim(x, bl, base, base - 0.3)
            self.assertTrue(bool((dark <= base).all()))
            self.assertTrue(torch.equal(dark[..., :, up(0, 3)], base[..., :, up(0, 3)]))   # flat grey: back to it
            self.assertLess(float(base.min()), grey - 1e-4)

    def test_the_ceiling_cuts_lifts_above_the_nearby_input_unless_clipped(self):
        from .model import HighlightGate, RangeLimit
        for s in (2, 4):
            bl, x, base, up = self._edge(s)
            lim = RangeLimit(s, floor=False, ceiling=True)
            clipped = HighlightGate(s).clipped(x)
            card = float(bl.mapped(torch.full((1, 3, 1, 1), 0.9)).max())
            out = lim(x, bl, base, base + 0.1, clipped)               # the network lifts everything by 88 codes
            flat = out[..., up(6, 12), up(0, 3)]                       # flat grey: held at its own mapping
            self.assertLess(float((flat - base[..., up(6, 12), up(0, 3)]).abs().max()), 1e-6)
            beside = out[..., up(6, 12), up(4, 6)]                     # grey beside the card: up to the card's level
            self.assertLessEqual(float(beside.max()), card + 1e-6)
            self.assertGreater(float((beside - base[..., up(6, 12), up(4, 6)]).max()), 0.01)
            corner = out[..., up(0, 2), up(10, 12)]                    # clipped: the lift passes
            self.assertTrue(torch.equal(corner, (base + 0.1)[..., up(0, 2), up(10, 12)]))
            dark = lim(x, bl, base, base - 0.1, clipped)               # darkening always passes
            self.assertTrue(torch.equal(dark, base - 0.1))

    def test_shipped_at_both_scales(self):
        from .configs import SHIPPED, make_config
        for s in (2, 4):
            self.assertTrue(make_config(SHIPPED, s).undershoot_limit)
            self.assertTrue(make_config(SHIPPED, s).overshoot_limit)



class GraphicsChoiceSet(unittest.TestCase):
    """data.graphics_choice_set: deterministic 8-bit graphics, smooth and hard-edged, targets = the baseline mapping."""

    def test_deterministic_and_both_kinds(self):
        a, b = D.graphics_choice_set(2, n=4, size=64), D.graphics_choice_set(2, n=4, size=64)
        self.assertEqual([e['name'] for e in a], ['graphic-00', 'graphic-01', 'graphic-02', 'graphic-03'])
        for x, y in zip(a, b):
            np.testing.assert_array_equal(x['lr'], y['lr'])
            self.assertEqual(x['lr'].shape, (3, 32, 32))
            self.assertEqual(x['target'].shape, (3, 64, 64))
            np.testing.assert_array_equal(np.round(x['lr'] * 255), x['lr'] * 255)   # 8-bit like a master
        # even: a smooth gradient (many levels, no flat run across the frame); odd: hard-edged, a few flat colours
        rng = np.random.default_rng(D.GRAPHICS_CHOICE_SEED)
        self.assertGreater(len(np.unique(np.round(D.smooth_graphic(rng, 64) * 255))), 40)
        rng = np.random.default_rng(D.GRAPHICS_CHOICE_SEED + 1)
        self.assertLessEqual(len(np.unique(D.hard_graphic(rng, 64).reshape(-1, 3), axis=0)), 16)


class CheckpointChoice(unittest.TestCase):
    """train.pick with --max-false-light: a candidate whose validation photographs glow is never chosen."""

    def test_false_light_counts(self):
        from . import data as D
        base = np.full((3, 8, 8), float(sdrhdr.pq_inverse_eotf(np.float64(100.0))))   # 100 cd/m2 grey
        hdr = base.copy()
        hdr[:, :2, :5] += 25 / 876                                   # 10 pixels raised 25 codes
        hdr[:, 4, :3] += 15 / 876                                    # 3 raised 15: below the step
        target = base.copy()
        target[:, 7, :] = float(sdrhdr.pq_inverse_eotf(np.float64(1000.0)))   # a real highlight row: not eligible
        hdr[:, 7, :] += 100 / 876
        self.assertEqual(D.false_light_counts(hdr, base, target), (10, 56))

    def test_pick_skips_a_glowing_candidate(self):
        from .train import pick
        def row(kind, gain, raised=0):
            r = {'name': kind, 'kind': kind, 'gain': gain}
            return {**r, 'fl_raised': raised, 'fl_px': 1000} if kind == 'photo' else r
        by_alpha = {1.0: [row('photo', 2.0, raised=5), row('hdr', 1.5)],       # best score, 0.5 % false light
                    0.75: [row('photo', 1.8, raised=0), row('hdr', 1.4)]}       # a little lower, none
        self.assertEqual(pick(by_alpha)[0], 1.0)
        self.assertEqual(pick(by_alpha, max_false_light=0.1)[0], 0.75)
        self.assertAlmostEqual(pick(by_alpha)[1]['false_light_pct'], 0.5)
        self.assertIsNone(pick(by_alpha, max_false_light=-1.0))   # none qualifies: no choice at this step


class Widening(unittest.TestCase):
    def test_widened_model_computes_the_same_function(self):
        from .configs import make_config
        from .model import widen_state
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
        from . import data as D
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
        from . import error_budget as E
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
        from . import data as D
        from . import error_budget as E
        from . import prepare_data as P
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
        from .export import gpu_speed
        with tempfile.TemporaryDirectory() as d:
            out = os.path.join(d, 'c.json')
            subprocess.run([sys.executable, '-m', 'remaster_train.bench_cuda', '--smoke', '--out', out], check=True,
                           capture_output=True, cwd=TRAINING_DIR, timeout=300)
            with open(out) as f:
                r = json.load(f)
        self.assertEqual([c['name'] for c in r['configs']], ['paper x2', 'shipped x2', 'shipped x4', 'paper x4'])
        self.assertAlmostEqual(r['configs'][0]['macs_per_input_pixel'] / 1e6, 2.50, delta=0.01)
        for c in r['configs']:
            self.assertGreater(c['modes']['fp32']['ms_per_frame'], 0)
        from .configs import SHIPPED, make_config
        self.assertEqual(gpu_speed([r], make_config('small', 4)), [])   # measured with another configuration
        g = gpu_speed([r], make_config(SHIPPED, 4))   # without checkpoints 'shipped' is the shipped configuration
        self.assertEqual(len(g), 1)
        self.assertEqual(g[0]['output'], [192, 128])   # smoke: 48x32 input at x4
        self.assertIn('fp32', g[0]['modes'])


class Package(unittest.TestCase):
    def test_shipped_configuration_is_the_one_in_the_model_cards(self):
        import json
        from .configs import SHIPPED, make_config
        for s in (2, 4):
            with open(os.path.join(TRAINING_DIR, '..', f'srItm-x{s}.card.json')) as f:
                card = json.load(f)
            self.assertEqual(card['config'], make_config(SHIPPED, s).to_dict())
            self.assertEqual(card['parameters'], count_params(SRITM(make_config(SHIPPED, s))))
            # the float16 variant really runs the network in half precision (a split gone wrong once left none)
            self.assertGreater(card['fp16']['half_nodes'], 300)

    def test_every_stage_imports_as_a_package_module(self):
        # the stages run as `python3 -m remaster_train.<stage>` from models/training: each must import and have main
        import importlib
        for stage in STAGES:
            mod = importlib.import_module(f'{__package__}.{stage}')
            self.assertTrue(callable(getattr(mod, 'main', None)), stage)


STAGES = ('prepare_data', 'train', 'select_checkpoint', 'export', 'fp16', 'baseline_onnx', 'temporal',
          'error_budget', 'bench_cuda', 'paper_onnx', 'heldout', 'recover')


class Recover(unittest.TestCase):
    def test_unfolding_the_exported_last_conv_gives_back_the_weights_exactly(self):
        from . import recover as R
        torch.manual_seed(3)
        m = SRITM(SRITMConfig(scale=2, channels=8, base_blocks=2, detail_skip_blocks=1, fusion_blocks=2,
                              smf_channels=4, context=False))
        with torch.no_grad():
            m.last.weight.normal_()
            m.last.bias.normal_()
        w, b = m.last.weight.clone(), m.last.bias.clone()
        m.fold_last_conv()
        k, kb = m.folded_last
        w2, b2, residual = R.unfold_last_conv(k, kb)
        self.assertEqual(float((w2 - w).abs().max()), 0.0)
        self.assertEqual(float((b2 - b).abs().max()), 0.0)
        self.assertEqual(max(residual.values()), 0.0)


class CleanShare(unittest.TestCase):
    def test_clean_share_zero_keeps_the_degraded_stream_and_one_gives_the_clean_input(self):
        from . import data as D
        hr = torch.rand(6, 3, 64, 64, generator=torch.Generator().manual_seed(1))
        a = D.degrade(hr, 2, np.random.default_rng(7))
        b = D.degrade(hr, 2, np.random.default_rng(7), clean_share=0.0)
        self.assertTrue(torch.equal(a, b), 'the default draws no extra random numbers')
        c = D.degrade(hr, 2, np.random.default_rng(7), clean_share=1.0)
        self.assertTrue(torch.equal(c, D.clean_lr(hr, 2)))


class HeldOut(unittest.TestCase):
    def test_false_light_counts_raised_whites_and_onnx_runner_matches_the_baseline(self):
        import shutil
        import tempfile
        from . import data as D
        from . import heldout as H
        self.assertTrue(callable(H.main))
        # a grey photo crop; the "model" raises a 4x4 patch by ~30 10-bit codes: false light = 16 / 1024
        sdr = torch.full((1, 3, 32, 32), 0.6)
        tgt = D.target_from_sdr(sdr)[0].numpy().astype(np.float64)
        hdr = tgt.copy()
        hdr[:, 4:8, 4:8] += 30.0 / 876
        m = H.measure({'set': 'photo'}, hdr, tgt, tgt)
        self.assertEqual((m['fl_px'], m['fl_raised'], m['fl_raised_maxch']), (1024, 16, 16))
        self.assertLess(m['gain'], 0.0)
        self.assertAlmostEqual(m['psnr_base'], 200.0)
        self.assertEqual(m['flw_px'], 0)   # 0.6 grey is ~59 cd/m2: not a near-white surface
        # a near-white photo (0.8 grey, ~119 cd/m2): counted in the near-white figure too; raised past the target
        # there, but not where the target itself is as bright as the model (restored detail)
        tgt_w = D.target_from_sdr(torch.full((1, 3, 32, 32), 0.8))[0].numpy().astype(np.float64)
        hdr_w = tgt_w.copy()
        hdr_w[:, 4:8, 4:8] += 30.0 / 876
        m = H.measure({'set': 'photo'}, hdr_w, tgt_w, tgt_w)
        self.assertEqual((m['flw_px'], m['flw_raised'], m['flw_over_target']), (1024, 16, 16))
        m = H.measure({'set': 'photo'}, hdr_w, tgt_w, hdr_w)
        self.assertEqual((m['flw_raised'], m['flw_over_target']), (16, 0))
        # a rendered white that is a highlight in the target is not a false-light pixel
        mask = np.ones((32, 32), bool)
        hl_tgt = np.full_like(tgt, 0.7)   # ~620 cd/m2
        m = H.measure({'set': 'render', 'white_mask': mask}, hl_tgt, tgt, hl_tgt)
        self.assertEqual((m['fl_px'], m['hl_px'], m['hl_raised']), (0, 1024, 1024))
        if shutil.which('node') is None:
            self.skipTest('node not found: run_onnx.cjs not checked')
        x = np.random.default_rng(0).random((1, 3, 12, 20)).astype(np.float32)
        with tempfile.TemporaryDirectory() as tmp:
            (out,), _ = H.run_onnx(os.path.join(H.MODELS, 'baseline-x2.onnx'), [x], tmp, 't')
        self.assertEqual(out[0].shape, (1, 3, 24, 40))
        self.assertLess(float(np.abs(out[0] - sdrhdr.baseline_numpy(x, 2)).max()), 1e-4)
        self.assertTrue(np.array_equal(out[0], out[1]))


class Renders(unittest.TestCase):
    """train --renders: the reserved held-out scenes never reach the training cache, whites stay below SDR white."""

    def _scene(self, folder, seed, usable=True):
        import json
        os.environ['OPENCV_IO_ENABLE_OPENEXR'] = '1'
        import cv2
        from PIL import Image
        stem = os.path.join(folder, f'scene-{seed:05d}')
        lin = np.full((16, 16, 3), 0.2, np.float32)
        lin[:4, :4] = 3.0   # a lamp
        lin[8:, 8:] = (0.9, 1.1, 1.3)   # a cool diffuse white the camera exposure pushed past 1
        mask = np.full((16, 16), 3, np.uint8)
        mask[:4, :4], mask[8:, 8:] = 2, 1
        self.assertTrue(cv2.imwrite(stem + '.exr', np.ascontiguousarray(lin[..., ::-1])))
        Image.fromarray(mask).save(stem + '.mask.png')
        with open(stem + '.json', 'w') as f:
            json.dump({'seed': seed, 'usable': usable}, f)

    def test_reserved_seeds_are_left_out_in_one_place_and_agree_with_heldout(self):
        import tempfile
        from . import data as D
        from . import heldout as H
        from . import prepare_data as P
        from . import train as T
        self.assertEqual([x for x in range(40) if D.render_reserved(x)], [9, 19, 29, 39])
        self.assertEqual((D.RENDER_RESERVED_MOD, D.RENDER_RESERVED_RESIDUE), (H.RENDER_MOD, H.RENDER_RESIDUE))
        with tempfile.TemporaryDirectory() as tmp:
            src = os.path.join(tmp, 'renders')
            os.makedirs(src)
            for seed in (8, 9, 10, 19):
                self._scene(src, seed)
            self._scene(src, 11, usable=False)
            self.assertEqual(D.render_seeds(src), [8, 10])
            self.assertEqual(D.render_seeds(src, reserved=True), [9, 19])
            data = D.DATA
            D.DATA = os.path.join(tmp, 'cache')
            try:
                index = P.prepare_renders(src)
                cached = sorted(os.listdir(D.render_cache(src)))
                renders = T.load_renders(src)
                training = T.load_renders(src, leave_out_choice=True)
                choice = D.render_choice_set(src, 2)
            finally:
                D.DATA = data
        self.assertEqual((index['seeds'], index['reserved_left_out']), ([8, 10], 2))
        self.assertFalse([f for f in cached if f.startswith(('scene-00009', 'scene-00019'))], cached)
        self.assertEqual(len(renders), 2)
        # --val-renders: seed 8 chooses checkpoints, so it is not trained on; 9 and 19 stay held out of both.
        self.assertEqual([x for x in range(40) if D.render_choice(x)], [8, 18, 28, 38])
        self.assertEqual(len(training), 1)
        self.assertEqual([(v['name'], v['kind'], v['lr'].shape, v['target'].shape) for v in choice],
                         [('scene-00008', 'render', (3, 8, 8), (3, 16, 16))])
        lin, mask, p90, k_white = renders[0]
        self.assertEqual((lin.shape, mask.shape), ((16, 16, 3), (16, 16)))
        self.assertAlmostEqual(k_white, 1 / 1.3, places=5)   # the white's largest channel lands on SDR white

    def test_white_safe_exposure_keeps_whites_at_sdr_white_and_lets_lamps_expand(self):
        from . import data as D
        lin = torch.full((1, 3, 16, 16), 0.2)
        lin[..., :4, :4] = 3.0
        lin[..., 8:, 8:] = torch.tensor([0.9, 1.1, 1.3]).reshape(3, 1, 1)
        white = np.zeros((16, 16), bool)
        white[8:, 8:] = True
        self.assertAlmostEqual(D.white_safe_exposure(lin, white, 0.5), 0.5)   # never raised
        self.assertEqual(D.white_safe_exposure(lin, np.zeros((16, 16), bool), 2.0), 2.0)   # no whites: as chosen
        k = D.white_safe_exposure(lin, white, 2.0)
        self.assertAlmostEqual(k, 1 / 1.3, places=5)
        sdr, tgt = D.hdr_pair(lin, k)
        nits = sdrhdr.pq_eotf(tgt[0].numpy().astype(np.float64))
        self.assertLessEqual(float(sdr[0, :, 8:, 8:].max()), 1.0 + 1e-6)
        self.assertLessEqual(float(nits[:, 8:, 8:].max()), sdrhdr.SDR_WHITE_NITS * 1.001)   # white stays white
        self.assertGreater(float(nits[:, :4, :4].min()), 2 * sdrhdr.SDR_WHITE_NITS)      # the lamp expands
        sdr1, _ = D.hdr_pair(lin, 2.0)
        self.assertEqual(float(sdr1[0, :, 8:, 8:].min()), 1.0)   # the uncapped exposure clipped the white

    def test_render_share_zero_keeps_the_stream_and_renders_come_in_at_the_share(self):
        from . import data as D
        from . import train as T
        if not os.path.exists(os.path.join(D.DATA, f'photo_{D.PHOTO_TRAIN[0]}.npy')):
            self.skipTest('training data not prepared (prepare_data.py)')
        lin = np.full((128, 128, 3), 0.3, np.float32)
        mask = np.full((128, 128), 1, np.uint8)
        t = torch.from_numpy(lin).permute(2, 0, 1)
        fake = [(lin, mask, 1 / D.exposure_for(t, 1.0), D.white_safe_exposure(t, mask == 1, float('inf')))]
        a = T.Sampler(2, 24, np.random.default_rng(5)).batch(4)
        b = T.Sampler(2, 24, np.random.default_rng(5), renders=fake, render_share=0.0).batch(4)
        self.assertTrue(torch.equal(a[0], b[0]) and torch.equal(a[1], b[1]))
        s = T.Sampler(2, 24, np.random.default_rng(5), renders=fake, render_share=1.0)
        for _ in range(3):
            sdr, tgt = s.hdr()
            self.assertTrue(torch.allclose(sdr, sdr.flatten()[0]))   # the flat grey scene, not an HDRI
            self.assertLessEqual(float(sdr.max()), 1.0)


if __name__ == '__main__':
    torch.set_num_threads(1)
    unittest.main(verbosity=2)
