"""Deep SR-ITM-style joint super-resolution + inverse tone mapping network (PyTorch), Remaster variant.

Structure follows /work/shared/DEEP-SR-ITM.md (Kim, Oh, Kim, ICCV 2019), written from its description:
  guided-filter decomposition (no gradient) -> base branch (residual blocks, every other one modulated by SMF_b)
  + detail branch (one residual block, then residual *skip* blocks that also take the base features, modulated
  by SMF_d) -> fusion (conv1, conv3, residual blocks, conv3) -> per x2 stage conv3(C->4C) + pixel shuffle
  -> conv3(C->3) = residual.
Remaster differences (all configurable; `SRITMConfig.paper()` without them has the paper's 2,502,595 / 2,650,307
parameters):
  * the skip path is the analytic BT.2408 baseline (Keys a=-0.5 bicubic + BT.1886 + 203 cd/m2 + BT.2020 + PQ),
    not bicubic SDR; output = clip(baseline + residual, 0, 1) in the PQ domain;
  * the last conv is zero-initialised: an untrained model equals the baseline exactly;
  * optional context branch (`context`): a bounded large-receptive-field path at 1/4 and 1/16 resolution
    (average pooling, convs, bilinear upsampling) that produces per-pixel, per-channel scale and shift for the
    fusion features, so the network can tell a small bright light source from a large white surface.
    Receptive field stays bounded (tiling works); tile origins should be multiples of 16 input pixels for
    bit-identical pooling grids (documented in models/README.md).
  * optional highlight gate (`highlight_gate`, HighlightGate): a weightless last stage that keeps the residual from
    raising bright pixels whose SDR neighbourhood is not clipped (diffuse whites stay at diffuse white).
  * optional level dead zone (`level_deadzone`, LevelDeadzone): a weightless stage before the gate that soft-
    thresholds the residual's local mean, so the network does not shift smooth areas by a code or two.
  * optional range limit (`undershoot_limit`, `overshoot_limit`, RangeLimit): a weightless last stage that keeps the
    result within the nearby input pixels' baseline values widened to the baseline (no dark halos at hard edges, no
    lift above the nearby input unless it is clipped).
"""
import dataclasses
import json
import math
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from . import sdrhdr

if not hasattr(np, '_core'):   # checkpoints written under numpy 2 (a lent GPU machine) name numpy._core
    sys.modules.setdefault('numpy._core', np.core)
    sys.modules.setdefault('numpy._core.multiarray', np.core.multiarray)


@dataclasses.dataclass
class SRITMConfig:
    scale: int = 2
    channels: int = 64            # C
    base_blocks: int = 6          # residual blocks in the base branch (modulated: 2nd, 4th, ...)
    detail_skip_blocks: int = 5   # residual skip blocks in the detail branch after its first residual block
    fusion_blocks: int = 10
    smf_channels: int = 0         # 0 = same as channels
    context: bool = False         # Remaster addition: large-receptive-field context branch
    context_channels: int = 16
    context_pool: str = 'box'     # 'box' (4x4 average, session 1) or 'blur' (tent-filtered, shift-stable)
    gf_eps: float = 0.01          # guided filter eps (box 5x5)
    detail_eps: float = 1e-3      # eps' of detail = I / (base + eps')
    highlight_gate: bool = False  # Remaster addition: parameter-free final stage (HighlightGate)
    level_deadzone: float = 0.0   # Remaster addition: LevelDeadzone's width in 10-bit codes (0 = off)
    undershoot_limit: bool = False  # Remaster addition: RangeLimit's floor (no dark halos)
    overshoot_limit: bool = False   # Remaster addition: RangeLimit's ceiling (no lift above the nearby input unclipped)
    clipped_channels: str = 'any'   # Remaster addition: HighlightGate's clipped test: 'any' channel, 'all', 'none'

    @staticmethod
    def paper(scale=2):
        return SRITMConfig(scale=scale)

    def to_dict(self):
        # fields added after models shipped are left out at their default, so re-exporting a shipped model gives
        # the same file (its SHA-256 keys the app's render cache)
        d = dataclasses.asdict(self)
        if d['clipped_channels'] == 'any':
            del d['clipped_channels']
        return d

    @staticmethod
    def from_dict(d):
        return SRITMConfig(**d)


def conv3(i, o):
    return nn.Conv2d(i, o, 3, 1, 1)


def conv1(i, o):
    return nn.Conv2d(i, o, 1, 1, 0)


# relu(conv(x)) as one kernel where a backend has one: bench_cuda.py sets this to cuDNN's fused
# convolution + bias + ReLU (it saves the ReLU's pass over the feature map, which at 1080p x 64 channels costs
# as much memory traffic as the convolution). None: the two ops, as training and the ONNX export use them.
fused_conv_relu = None


def conv_relu(conv, x):
    if fused_conv_relu is None:
        return F.relu(conv(x))
    return fused_conv_relu(x, conv.weight, conv.bias, conv.padding[0])


# ------------------------------------------------------------------------------------- fixed (no-parameter) ops
class HighlightGate(nn.Module):
    """Limits the residual where the baseline is already bright and the SDR input is not clipped nearby.

    Why: the training SDR frames are made by clipping (data.hdr_pair), so a true highlight is clipped in its SDR
    input; a bright pixel whose SDR neighbourhood is below clipping is a diffuse surface (paper, shirt, snow) that
    must stay at the baseline's diffuse white. The network alone still lifted such whites (models/training/NOTES.md,
    2026-12-06: art clean -0.96 dB mean, Kay -9.55 dB). Rule, per output pixel:
      clipped = clip((max over a 3x3 input window of max_c sdr - T0) / (1 - T0), 0, 1), upsampled (nearest)
                (min_c sdr for channels='all'; 0 everywhere for 'none', the graphics variant)
      bright  = clip((max_c base - PQ(L0)) / (PQ(L1) - PQ(L0)), 0, 1)
      residual' = min(residual, (1 - bright) + clipped)
    so below L0 nits (baseline) or next to clipped input the residual passes unchanged, and above L1 nits on an
    unclipped neighbourhood it may darken or stay but never raise. T0, L0, L1 were picked on the held-out report and
    confirmed on the checkpoint-choice images (NOTES.md); fixed, not learned. Receptive field: +1 input pixel."""
    T0 = 0.995      # SDR code value (of 1) from which the input counts as clipped: 254/255 counts partly, 255 fully
    L0, L1 = 60.0, 150.0   # baseline nits (max of R', G', B' as PQ) where the limit starts / is complete

    def __init__(self, scale, channels='any'):
        """channels: which clipped input counts as a possible light. 'any' (live action: a pixel with any R'G'B'
        channel clipped; tinted lamps and sun clip in one or two channels), 'all' (only clipped white), or 'none'
        (animation and graphics: nothing; a cartoon's clipped yellow or a title's 100 % white is paint, kept where
        the baseline puts it, and highlights are the grade's to expand). The 'graphics' variant files use 'none'."""
        super().__init__()
        assert channels in ('any', 'all', 'none'), channels
        self.scale = scale
        self.channels = channels
        self.pq0 = float(sdrhdr.pq_inverse_eotf(np.float64(self.L0)))
        self.pq1 = float(sdrhdr.pq_inverse_eotf(np.float64(self.L1)))

    def clipped(self, x):
        """[N,1,sh,sw]: 1 where the SDR input is clipped within one input pixel, 0 below T0 (a ramp between)."""
        level = x.amax(1, keepdim=True) if self.channels == 'any' else x.amin(1, keepdim=True)
        peak = F.max_pool2d(level, 3, stride=1, padding=1)
        clipped = torch.clamp((peak - self.T0) * (1.0 / (1.0 - self.T0)), 0.0, 1.0)
        if self.channels == 'none':
            clipped = clipped * 0.0
        return F.interpolate(clipped, scale_factor=self.scale, mode='nearest')

    def forward(self, x, base, residual, clipped=None):
        clipped = self.clipped(x) if clipped is None else clipped
        bright = torch.clamp((base.amax(1, keepdim=True) - self.pq0) * (1.0 / (self.pq1 - self.pq0)), 0.0, 1.0)
        return torch.minimum(residual, (1.0 - bright) + clipped)


class LevelDeadzone(nn.Module):
    """Takes the residual's local level (a 5x5 mean at output resolution) toward zero by up to `codes` 10-bit codes,
    without adding light.

    Why: where the clean input is smooth (graphics, skies) the network shifted whole areas by about half a code from
    the baseline (Elarun, art clean, -0.44 dB at 51 dB: NOTES.md 2026-12-06, night), a bias it cannot justify; where it
    expands highlights or restores tone the shift is tens of codes and loses only the dead zone. Fine detail (the
    residual minus its local mean) passes. Rule, per channel, w = codes / 876 (one 10-bit narrow-range step of PQ):
      local = mean of the residual over 5x5 (at borders, of the pixels inside)
      residual' = min(residual - clamp(local, -w, w), max(residual, 0))
    The min keeps the dead zone from lifting a pixel above what the network gave it or above the baseline: it may
    undo a darkening but never adds light (the symmetric form raised the held-out false-light share 0.38 -> 0.47 %).
    Runs before HighlightGate, so the gate's limit still holds. Receptive field: 2 output pixels (one input pixel at
    x2 and x4)."""
    WINDOW = 5

    def __init__(self, codes):
        super().__init__()
        self.w = float(codes) / 876.0

    def forward(self, residual):
        k, p = self.WINDOW, self.WINDOW // 2
        local = F.avg_pool2d(residual, (1, k), stride=1, padding=(0, p), count_include_pad=False)
        local = F.avg_pool2d(local, (k, 1), stride=1, padding=(p, 0), count_include_pad=False)
        return torch.minimum(residual - torch.clamp(local, -self.w, self.w), torch.clamp(residual, min=0.0))


class RangeLimit(nn.Module):
    """Keeps the result within the range of the nearby input pixels, each mapped as the baseline maps it, widened to
    the baseline: no darker than the darkest (floor, `undershoot_limit`), no brighter than the brightest unless the
    input is clipped there (ceiling, `overshoot_limit`).

    Why: at hard edges the network rang. On the white-card fixture it darkened the grey beside the card by ~165 codes
    below the grey (a dark outline around titles and graphics), and on natural pictures its undershoots beside bright
    detail were error more often than not. Lifts beyond the brightest nearby input are light the SDR picture does not
    show; the highlight gate lets them through below 60 cd/m2 and next to clipped input, and they made up a quarter
    of the false light on the checkpoint-choice photographs. Rule, per channel, with m = AnalyticBaseline.mapped(x):
      low  = min of m over 3x3 input pixels, high = max of m over 3x3 input pixels, both upsampled (nearest)
      hdr' = max(hdr, min(low, base))                       (floor)
      hdr' = min(hdr', max(high, base) + clipped)           (ceiling; clipped = HighlightGate.clipped, 0 to 1)
    Widened to the baseline, the floor never adds light and the ceiling never darkens below the baseline. Picked on
    the checkpoint-choice images (NOTES.md 2026-12-06, night): the floor over the baseline's own 5x5 minimum and over
    the uncapped input minimum; the ceiling with margins 0 / 5 / 10 codes (0: least false light at the same PSNR).
    Receptive field: one input pixel, inside the network's."""

    def __init__(self, scale, floor=True, ceiling=True):
        super().__init__()
        self.scale, self.floor, self.ceiling = scale, floor, ceiling

    def forward(self, x, baseline, base, hdr, clipped=None):
        m = baseline.mapped(x)
        up = lambda t: F.interpolate(t, scale_factor=self.scale, mode='nearest')   # noqa: E731
        if self.floor:
            hdr = torch.maximum(hdr, torch.minimum(up(-F.max_pool2d(-m, 3, stride=1, padding=1)), base))
        if self.ceiling:
            hdr = torch.minimum(hdr, torch.maximum(up(F.max_pool2d(m, 3, stride=1, padding=1)), base) + clipped)
        return hdr


def keys_upsample_kernel(scale, a=sdrhdr.KEYS_A):
    """Depthwise 5x5 kernels reproducing Keys bicubic x`scale` (sdrhdr.keys_phase_kernel) as a tensor."""
    return torch.from_numpy(sdrhdr.keys_phase_kernel(scale, a))


class AnalyticBaseline(nn.Module):
    """BT.709 R'G'B' [N,3,h,w] -> BT.2020 PQ [N,3,sh,sw]; no learned parameters (buffers only)."""

    def __init__(self, scale):
        super().__init__()
        self.scale = scale
        self.export_form = False   # set by SRITM.for_export()
        self.register_buffer('kernel', keys_upsample_kernel(scale).float().repeat(3, 1, 1, 1), persistent=False)
        m = torch.tensor(sdrhdr.M709_TO_2020, dtype=torch.float64).float()
        self.register_buffer('m', m.reshape(3, 3, 1, 1), persistent=False)

    def upsample(self, x):
        y = F.conv2d(F.pad(x, (2, 2, 2, 2), mode='replicate'), self.kernel, groups=3)
        return F.pixel_shuffle(y, self.scale)

    def pow(self, x, e):
        """x ** e for x >= 0. The export form is exp(e log x) (0 -> exp(-inf) = 0): onnxruntime's vectorised Exp
        and Log beat its Pow, three of which run at output resolution (UHD: 150 -> 106 ms each, measured)."""
        return torch.exp(torch.log(x) * e) if self.export_form else torch.pow(x, e)

    def pq(self, nits):
        y = torch.clamp(nits, min=0.0) * (1.0 / 10000.0)
        ym = self.pow(y, sdrhdr.PQ_M1)
        return self.pow((sdrhdr.PQ_C2 * ym + sdrhdr.PQ_C1) / (sdrhdr.PQ_C3 * ym + 1.0), sdrhdr.PQ_M2)

    def to2020(self, lin):
        """BT.709 -> BT.2020 primaries. The export form is a MatMul over the flattened planes: as a 1x1 conv
        onnxruntime pads the 3 channels to its 8-channel blocked layout and back (UHD: 124 -> 102 ms)."""
        if self.export_form:
            return torch.matmul(self.m.view(3, 3), lin.flatten(2)).view(lin.shape)
        return F.conv2d(lin, self.m)

    def forward(self, x):
        return self.mapped(self.upsample(x))

    def mapped(self, v):
        """BT.709 R'G'B' -> BT.2020 PQ, pixel by pixel (no upsampling): the baseline's mapping of `v`."""
        lin = self.pow(torch.clamp(v, 0.0, 1.0), sdrhdr.GAMMA) * sdrhdr.SDR_WHITE_NITS
        return self.pq(self.to2020(lin))


def box5(x):
    return F.avg_pool2d(F.pad(x, (2, 2, 2, 2), mode='replicate'), 5, stride=1)


def guided_decompose(x, eps, detail_eps):
    """Self-guided per-channel guided filter (box 5x5, replicate borders). Returns (base, detail)."""
    x = x.detach()
    mean = box5(x)
    var = torch.clamp(box5(x * x) - mean * mean, min=0.0)
    a = var / (var + eps)
    b = mean - a * mean
    base = box5(a) * x + box5(b)
    detail = x / (base + detail_eps)
    return base.detach(), detail.detach()


# ------------------------------------------------------------------------------------------------ blocks
class SMF(nn.Module):
    """Modulation feature extractor: three conv3 + ReLU on the 6-channel branch input."""

    def __init__(self, cin, c):
        super().__init__()
        self.c1, self.c2, self.c3 = conv3(cin, c), conv3(c, c), conv3(c, c)

    def forward(self, x):
        return conv_relu(self.c3, conv_relu(self.c2, conv_relu(self.c1, x)))


class ResBlock(nn.Module):
    """x + conv3(relu(conv3(relu(x)))) [* conv3(relu(conv3(smf))) when modulated]."""

    def __init__(self, c, modulated=False, smf_c=None):
        super().__init__()
        self.a, self.b = conv3(c, c), conv3(c, c)
        self.modulated = modulated
        if modulated:
            self.ma, self.mb = conv3(smf_c, c), conv3(c, c)

    def residual(self, rx, smf):
        """The residual from relu(x) (callers that have relu(x) from a fused kernel pass it directly)."""
        r = self.b(conv_relu(self.a, rx))
        if self.modulated:
            r = r * self.mb(conv_relu(self.ma, smf))
        return r

    def forward(self, x, smf=None):
        return x + self.residual(F.relu(x), smf)


class SkipBlock(ResBlock):
    """Residual skip block of the detail branch: t = conv1(relu(concat(base_feat, d))); d + res(t)."""

    def __init__(self, c, modulated=False, smf_c=None):
        super().__init__(c, modulated, smf_c)
        self.merge = conv1(2 * c, c)

    def forward(self, d, base_feat, smf=None):
        rt = conv_relu(self.merge, F.relu(torch.cat([base_feat, d], 1)))   # relu(t): t feeds only the residual
        return d + self.residual(rt, smf)


class ContextBranch(nn.Module):
    """Bounded large receptive field: 1/4 and 1/16 resolution paths -> per-pixel scale and shift (FiLM)."""

    def __init__(self, cin, c, cout, pool='box'):
        super().__init__()
        assert pool in ('box', 'blur')
        self.blur = pool == 'blur'
        self.q1, self.q2 = conv3(cin, c), conv3(c, c)
        self.s1, self.s2 = conv3(c, c), conv3(c, c)
        self.mix = conv3(c, c)
        self.out = conv1(c, 2 * cout)
        nn.init.zeros_(self.out.weight)
        nn.init.zeros_(self.out.bias)

    def pool4(self, x):
        """x4 downsampling. 'blur' first applies a 4x4 box at stride 1 (so with the strided 4x4 box: a 7-tap
        tent, an anti-aliasing filter): a plain strided box makes the context maps depend on where content
        sits relative to the 4-pixel grid, which flickered on slow pans (mean frame-to-frame change 1.80 vs the
        baseline's 0.71 10-bit codes, measured with temporal.py). The (2, 1) padding centres the tent half a
        pixel before the plain box's centre (2.5 px on the 1/16 path): a constant offset of maps that vary over
        tens of pixels, harmless, and kept because the shipped models were trained with it."""
        if self.blur:
            x = F.avg_pool2d(F.pad(x, (2, 1, 2, 1), mode='replicate'), 4, stride=1)
        return F.avg_pool2d(x, 4, stride=4, ceil_mode=True, count_include_pad=False)

    @staticmethod
    def up4(x, like):
        """Bilinear x4 with the fixed scale (not the size ratio), cropped to `like`: the sampling grid then
        depends only on the pixel position modulo 16, so tiles whose origins are multiples of 16 reproduce the
        whole-frame result away from their borders."""
        y = F.interpolate(x, scale_factor=4.0, mode='bilinear', align_corners=False, recompute_scale_factor=False)
        return y[:, :, :like.shape[2], :like.shape[3]]

    def forward(self, x):
        q = conv_relu(self.q2, conv_relu(self.q1, self.pool4(x)))           # 1/4
        s = conv_relu(self.s2, conv_relu(self.s1, self.pool4(q)))           # 1/16
        q = conv_relu(self.mix, q + self.up4(s, q))
        g = self.out(self.up4(q, x))
        scale, shift = torch.chunk(g, 2, dim=1)
        return scale, shift


class SRITM(nn.Module):
    def __init__(self, cfg: SRITMConfig):
        super().__init__()
        assert cfg.scale in (2, 4)
        self.cfg = cfg
        c = cfg.channels
        sc = cfg.smf_channels or c
        self.baseline = AnalyticBaseline(cfg.scale)
        # base branch
        self.b_in = conv3(6, c)
        self.smf_b = SMF(6, sc)
        self.b_blocks = nn.ModuleList([ResBlock(c, i % 2 == 1, sc) for i in range(cfg.base_blocks)])
        # detail branch
        self.d_in = conv3(6, c)
        self.smf_d = SMF(6, sc)
        self.d_first = ResBlock(c)
        self.d_blocks = nn.ModuleList([SkipBlock(c, i % 2 == 0, sc) for i in range(cfg.detail_skip_blocks)])
        # fusion
        self.f_merge = conv1(2 * c, c)
        self.f_in = conv3(c, c)
        self.f_blocks = nn.ModuleList([ResBlock(c) for _ in range(cfg.fusion_blocks)])
        self.f_out = conv3(c, c)
        self.context = ContextBranch(6, cfg.context_channels, c, cfg.context_pool) if cfg.context else None
        # upsampling
        self.ups = nn.ModuleList([conv3(c, 4 * c) for _ in range(int(round(math.log2(cfg.scale))))])
        self.last = conv3(c, 3)
        self.folded_last = None   # set by fold_last_conv() for export
        self.gate = HighlightGate(cfg.scale, cfg.clipped_channels) if cfg.highlight_gate else None
        self.deadzone = LevelDeadzone(cfg.level_deadzone) if cfg.level_deadzone > 0 else None
        self.limit = (RangeLimit(cfg.scale, cfg.undershoot_limit, cfg.overshoot_limit)
                      if cfg.undershoot_limit or cfg.overshoot_limit else None)
        assert not cfg.overshoot_limit or cfg.highlight_gate, 'the ceiling exempts what the gate calls clipped'
        self.reset_parameters()

    def reset_parameters(self):
        """He init for every conv (ReLU before convs), residual-branch output convs scaled by 0.3, modulation
        maps start near 1 (bias 1, small weights) so early training is not starved by products of small
        numbers; context FiLM output and the last conv start at zero (untrained model == baseline)."""
        for mod in self.modules():
            if isinstance(mod, nn.Conv2d):
                nn.init.kaiming_normal_(mod.weight, nonlinearity='relu')
                nn.init.zeros_(mod.bias)
        for mod in self.modules():
            if isinstance(mod, ResBlock):
                mod.b.weight.data.mul_(0.3)
                if mod.modulated:
                    mod.mb.weight.data.mul_(0.1)
                    nn.init.ones_(mod.mb.bias)
        if self.context is not None:
            nn.init.zeros_(self.context.out.weight)
            nn.init.zeros_(self.context.out.bias)
        nn.init.zeros_(self.last.weight)
        nn.init.zeros_(self.last.bias)

    def context_maps(self, x):
        """The context branch's FiLM maps (scale, shift) for input x (used by the shift-consistency loss)."""
        base, _ = guided_decompose(x, self.cfg.gf_eps, self.cfg.detail_eps)
        return self.context(torch.cat([x, base], 1))

    def residual(self, x):
        base, detail = guided_decompose(x, self.cfg.gf_eps, self.cfg.detail_eps)
        in_b = torch.cat([x, base], 1)
        in_d = torch.cat([x, detail], 1)
        smf_b = self.smf_b(in_b)
        smf_d = self.smf_d(in_d)
        b = self.b_in(in_b)
        base_feats = []
        for blk in self.b_blocks:
            b = blk(b, smf_b)
            base_feats.append(b)
        d = self.d_first(self.d_in(in_d))
        for i, blk in enumerate(self.d_blocks):
            bf = base_feats[min(i + 1, len(base_feats) - 1)]  # base features at the same depth
            d = blk(d, bf, smf_d)
        f = self.f_in(self.f_merge(F.relu(torch.cat([b, d], 1))))
        for blk in self.f_blocks:
            f = blk(f)
        f = self.f_out(F.relu(f))
        if self.context is not None:
            scale, shift = self.context(in_b)
            f = f * (1.0 + scale) + shift
        if self.folded_last is not None:   # inference graph: the last conv runs before the last shuffle
            for up in self.ups[:-1]:
                f = F.pixel_shuffle(conv_relu(up, F.relu(f)), 2)
            g = conv_relu(self.ups[-1], F.relu(f))
            z = F.conv2d(g, self.folded_last[0], self.folded_last[1], padding=1)   # [N, 4*3, H+1, W+1]
            o = z.shape[1] // 4
            # Sub-pixel (i, j) is the window at offset (i, j); stacked as channel o*4 + i*2 + j for the shuffle.
            win = (slice(0, -1), slice(1, None))   # offset 0 or 1, static (no shape ops in the graph)
            ph = [z[:, (2 * i + j) * o:(2 * i + j + 1) * o, win[i], win[j]] for i in (0, 1) for j in (0, 1)]
            return F.pixel_shuffle(torch.stack(ph, 2).flatten(1, 2), 2)
        for up in self.ups:
            f = F.pixel_shuffle(conv_relu(up, F.relu(f)), 2)
        return self.last(F.relu(f))

    def fold_last_conv(self):
        """Rewrite (pixel shuffle x2 -> 3x3 conv C->3) as (2x2 conv 4C->12 -> pick sub-pixels -> pixel shuffle x2),
        exactly.

        Why: in onnxruntime's CPU graph the 4C-channel tensor before the last shuffle is converted out of the
        blocked (NCHWc) layout and shuffled, which cost more than the convolutions around it (x2 1080x1152
        tile: 632 ms reorder + 246 ms DepthToSpace of 3.1 s). Shuffling 12 channels instead is cheap. Each
        high-resolution tap (dy, dx) of output sub-pixel (i, j) reads low-resolution pixel
        ((i + dy) // 2, (j + dx) // 2) at sub-pixel ((i + dy) % 2, (j + dx) % 2): one weight per entry, no sums.
        Sub-pixel i reads only low-resolution rows p - 1 + i and p + i, so a 2x2 window starting at row
        p - 1 + i covers it: one 2x2 conv with padding 1 computes every sub-pixel's window, and sub-pixel (i, j)
        is its output shifted by (i, j). A 3x3 low-resolution kernel needs 2.25x the multiply-adds (measured,
        x2 tile 1080x1056: 445 -> 371 ms for this step). Zero padding matches (high-resolution row -1 is
        low-resolution row -1). Output channels are sub-pixel major: (i * 2 + j) * 3 + o. Used for export only."""
        w, b = self.last.weight.detach(), self.last.bias.detach()
        o, c = w.shape[0], w.shape[1]
        k = torch.zeros(2, 2, o, c, 2, 2, 2, 2, dtype=w.dtype)   # [i, j, o, c, ii, jj, ky, kx] (input CRD order)
        for i in range(2):
            for j in range(2):
                for dy in (-1, 0, 1):
                    for dx in (-1, 0, 1):
                        ry, ii = divmod(i + dy, 2)
                        rx, jj = divmod(j + dx, 2)
                        k[i, j, :, :, ii, jj, ry + 1 - i, rx + 1 - j] = w[:, :, dy + 1, dx + 1]
        self.folded_last = (k.reshape(4 * o, c * 4, 2, 2), b.repeat(4))
        return self

    def for_export(self):
        """The inference graph: the same function (within float rounding, test_model.py) in the form
        onnxruntime's CPU provider runs faster (models/README.md, Speed). Training never uses it. Tried and
        left out: computing the 1x1 merges of concatenated branches as two convolutions on the halves (no
        measurable gain, +0.43 GB peak memory per x2 tile)."""
        self.fold_last_conv()
        self.baseline.export_form = True
        return self

    def forward(self, x):
        """x: BT.709 R'G'B' [N,3,h,w] in [0,1]. Returns (hdr, base): BT.2020 PQ [N,3,sh,sw]."""
        base = self.baseline(x)
        return self.output(x, base, self.residual(x)), base

    def output(self, x, base, residual):
        """hdr from the baseline and a residual (validation scales the residual first)."""
        if self.deadzone is not None:
            residual = self.deadzone(residual)
        clipped = self.gate.clipped(x) if self.gate is not None else None   # computed once, for both stages
        if self.gate is not None:
            residual = self.gate(x, base, residual, clipped)
        hdr = torch.clamp(base + residual, 0.0, 1.0)
        return self.limit(x, self.baseline, base, hdr, clipped) if self.limit is not None else hdr


def widen_state(narrow_state, wide):
    """State dict for `wide` (same topology, more channels) that computes exactly what `narrow_state` computes.

    Why: a wider network can start from a trained narrow one instead of from scratch (Net2Net-style). Each old
    channel keeps its weights; weights from new channels into old ones are zero, so new channels cannot change
    old ones or the output (the last conv's new inputs are zero too); new channels keep `wide`'s fresh
    initialisation and start learning as soon as the zero weights leading out of them get gradients.
    Concatenated inputs (the 1x1 merges of [base, detail]) and the context branch's [scale, shift] output are
    mapped half by half."""
    own = wide.state_dict()

    def halves(n_old, n_new):
        h, nh = n_old // 2, n_new // 2
        return [j if j < h else j - h + nh for j in range(n_old)]

    for k, v in narrow_state.items():
        n = own[k]
        if n.shape == v.shape:
            own[k] = v.clone()
            continue
        out_idx = halves(v.shape[0], n.shape[0]) if k.startswith('context.out.') else list(range(v.shape[0]))
        oi = torch.tensor(out_idx)
        n = n.clone()
        if v.dim() == 1:
            n[oi] = v
        else:
            in_idx = halves(v.shape[1], n.shape[1]) if k.endswith('merge.weight') else list(range(v.shape[1]))
            n[oi] = 0.0
            n[oi[:, None], torch.tensor(in_idx)[None, :]] = v
        own[k] = n
    return own


def count_params(model):
    return sum(p.numel() for p in model.parameters())


def macs_per_input_pixel(model, h=64, w=64):
    """Multiply-accumulates of convolutions per input pixel (measured with hooks at h x w)."""
    total = [0]

    def hook(mod, inp, out):
        k = mod.weight.shape[1] * mod.weight.shape[2] * mod.weight.shape[3]
        total[0] += out.numel() // out.shape[0] * k

    hs = [m.register_forward_hook(hook) for m in model.modules() if isinstance(m, nn.Conv2d)]
    with torch.no_grad():
        model(torch.rand(1, 3, h, w))
    for hd in hs:
        hd.remove()
    return total[0] / (h * w)


def save_checkpoint(path, model, extra=None):
    torch.save({'config': model.cfg.to_dict(), 'state': model.state_dict(), **(extra or {})}, path)


def eight_orientations(model, x):
    """The app's 'best' quality (src-main/core/inference/orientation.ts): the model on the 8 orientations of x (bit 0
    mirrors left-right, bit 1 flips top-bottom, bit 2 then transposes), each `hdr` turned back and averaged; `base`
    from the upright run (the baseline is the same in every orientation)."""
    total, base0 = None, None
    for k in range(8):
        xx = x.flip(3) if k & 1 else x
        xx = xx.flip(2) if k & 2 else xx
        xx = xx.transpose(2, 3) if k & 4 else xx
        hdr, base = model(xx)
        hdr = hdr.transpose(2, 3) if k & 4 else hdr
        hdr = hdr.flip(2) if k & 2 else hdr
        hdr = hdr.flip(3) if k & 1 else hdr
        total = hdr if total is None else total + hdr
        base0 = base if base0 is None else base0
    return total / 8, base0


def load_model(path):
    ck = torch.load(path, map_location='cpu', weights_only=False)   # our own checkpoints (numpy scalars in 'val')
    m = SRITM(SRITMConfig.from_dict(ck['config']))
    m.load_state_dict(ck['state'])
    return m, ck


if __name__ == '__main__':
    for s in (2, 4):
        m = SRITM(SRITMConfig.paper(s))
        print(json.dumps({'scale': s, 'params': count_params(m), 'macs_per_px': macs_per_input_pixel(m)}))
