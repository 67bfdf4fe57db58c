"""Named network configurations (see models/training/README.md for how the shipped one was chosen)."""
from model import SRITMConfig

CONFIGS = {
    # the paper's structure and width (2,502,595 parameters at x2 without the context branch)
    'paper': dict(channels=64, base_blocks=6, detail_skip_blocks=5, fusion_blocks=10, context=False),
    # shipped: same topology family, shallower and narrower, with the context branch
    'small': dict(channels=16, base_blocks=2, detail_skip_blocks=1, fusion_blocks=2, smf_channels=8,
                  context=True, context_channels=16, context_pool='blur'),
    # session 1's first stages (x2-small, x2-small-cont, x4-small): strided box pooling in the context branch
    'small-box': dict(channels=16, base_blocks=2, detail_skip_blocks=1, fusion_blocks=2, smf_channels=8,
                      context=True, context_channels=16, context_pool='box'),
    'medium': dict(channels=24, base_blocks=2, detail_skip_blocks=1, fusion_blocks=2, smf_channels=12,
                   context=True, context_channels=16, context_pool='blur'),
    # session 9 (CPU): `medium` widened by a third (Net2Net-style, the same function at the start)
    'wide': dict(channels=32, base_blocks=2, detail_skip_blocks=1, fusion_blocks=2, smf_channels=16,
                 context=True, context_channels=16, context_pool='blur'),
}


def make_config(name, scale):
    return SRITMConfig(scale=scale, **CONFIGS[name])
