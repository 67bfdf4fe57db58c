"""Checks of the network definition. Run: /usr/bin/python3 models/training/test_model.py"""
import os
import sys
import unittest

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
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
            for ctx in (False, True):
                cfg = SRITMConfig(scale=s, channels=8, base_blocks=2, detail_skip_blocks=1, fusion_blocks=1,
                                  context=ctx, context_channels=4)
                m = SRITM(cfg).eval()
                x = torch.rand(2, 3, 9, 13)
                with torch.no_grad():
                    hdr, base = m(x)
                self.assertEqual(tuple(hdr.shape), (2, 3, 9 * s, 13 * s))
                self.assertTrue(torch.equal(hdr, base))
                ref = sdrhdr.baseline_numpy(x.numpy().astype(np.float64), s)
                self.assertLess(float(np.abs(base.numpy() - ref).max()), 2e-5)

    def test_pq_reference_points(self):
        codes = np.round(64 + 876 * sdrhdr.pq_inverse_eotf(np.array([0.005, 100, 203, 1000, 4000, 10000])))
        np.testing.assert_array_equal(codes, [77, 509, 573, 723, 855, 940])


if __name__ == '__main__':
    torch.set_num_threads(1)
    unittest.main(verbosity=2)
