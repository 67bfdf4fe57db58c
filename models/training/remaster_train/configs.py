"""Named network configurations (models/training/README.md: which one is shipped and why)."""
from .model import SRITMConfig

# The configuration of the shipped models/srItm-x{2,4}.onnx (their cards' `config`; test_model.py checks it).
SHIPPED = 'medium-limited'

CONFIGS = {
    # the paper's structure and width (2,502,595 parameters at x2 without the context branch)
    'paper': dict(channels=64, base_blocks=6, detail_skip_blocks=5, fusion_blocks=10, context=False),
    # the first stages of the shipped lineage (x2-small, x2-small-cont, x4-small): strided box pooling in the
    # context branch
    'small-box': dict(channels=16, base_blocks=2, detail_skip_blocks=1, fusion_blocks=2, smf_channels=8,
                      context=True, context_channels=16, context_pool='box'),
    # the blur-pooled stages of the lineage (x2-blur, x4-blur; shipped until 2026-11-26): 65,907 / 75,187 parameters
    'small': dict(channels=16, base_blocks=2, detail_skip_blocks=1, fusion_blocks=2, smf_channels=8,
                  context=True, context_channels=16, context_pool='blur'),
    # the shipped network: `small` widened (model.widen_state, the same function at the start) to 24 channels,
    # SMF 12; 132,563 (x2) / 153,395 (x4) parameters; trained in this form
    'medium': dict(channels=24, base_blocks=2, detail_skip_blocks=1, fusion_blocks=2, smf_channels=12,
                   context=True, context_channels=16, context_pool='blur'),
    # tried in session 9 and not shipped (NOTES.md): `medium` widened by a third; 225,075 / 262,067 parameters
    'wide': dict(channels=32, base_blocks=2, detail_skip_blocks=1, fusion_blocks=2, smf_channels=16,
                 context=True, context_channels=16, context_pool='blur'),
}

# shipped since 2026-12-06: `medium`'s weights with the parameter-free highlight gate (model.HighlightGate) added
# at export (train.sh stage 8: recover, export); the same checkpoints load in either
CONFIGS['medium-gated'] = dict(CONFIGS['medium'], highlight_gate=True)
# shipped since 2026-12-06 (night): and two more parameter-free stages: the level dead zone (model.LevelDeadzone)
# before the gate, its width picked per scale on the checkpoint-choice images by choose_stages (results/stages-x*.json,
# test_model checks the two agree): 1 code at x2, 0.5 at x4; and the range limit (model.RangeLimit: floor and
# ceiling) at both scales. A dict value is per scale.
CONFIGS['medium-limited'] = dict(CONFIGS['medium-gated'], level_deadzone={2: 1.0, 4: 0.5}, undershoot_limit=True,
                                 overshoot_limit=True)

# the 'graphics' variant of the shipped models (files srItm-xS.graphics.onnx; the app's per-shot Content setting,
# "Animation & graphics"): the same weights and stages, but no clipped input counts as a possible light for the
# highlight gate and the range limit's ceiling: picked on the graphics choice set over 'all' (only clipped white)
# and 'any' (NOTES.md 2026-12-07)
CONFIGS['medium-limited-graphics'] = dict(CONFIGS['medium-limited'], clipped_channels='none')
VARIANTS = {'graphics': 'medium-limited-graphics'}   # file suffix -> config, exported beside the SHIPPED files


def make_config(name, scale):
    return SRITMConfig(scale=scale, **{k: v[scale] if isinstance(v, dict) else v for k, v in CONFIGS[name].items()})
