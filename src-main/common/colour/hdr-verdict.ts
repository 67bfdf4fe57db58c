// Measured light and gamut against what a file declares (ST 2086, MaxCLL/MaxFALL), in colorists' terms.
import { cta861Value } from './light-level';
import { nitsToPq } from './transfer';
import type { MasteringDisplay } from './st2086';

export interface DeclaredHdrMetadata {
  /** CTA-861.3 values from the file (0 or undefined: absent/unknown). */
  maxCll?: number;
  maxFall?: number;
  mastering?: MasteringDisplay;
}

export interface MeasuredHdr {
  maxCll: number;
  maxFall: number;
  outsideP3?: number;
  outsideBt709?: number;
}

export type FindingSeverity = 'info' | 'warning' | 'error';
export interface MetadataFinding {
  field: 'maxCll' | 'maxFall' | 'mastering';
  severity: FindingSeverity;
  measured?: number;
  declared?: number;
  message: string;
}

export interface MetadataVerdict {
  /** consistent: declared matches measured; missing: something absent, nothing contradicted; mismatch: a declared value disagrees. */
  verdict: 'consistent' | 'missing' | 'mismatch';
  findings: MetadataFinding[];
}

export interface VerdictOptions {
  /** Relative tolerance for CLL/FALL agreement; default 0.05 (decoders and 4:2:0 shift peaks a little). */
  relTolerance?: number;
  /** Absolute tolerance, nits; default 2. */
  absTolerance?: number;
  /**
   * The file's chroma is subsampled (4:2:0 / 4:2:2): a decoded peak up to
   * {@link SUBSAMPLED_PEAK_TOLERANCE_PQ_STEPS} above the declared MaxCLL is what decoding adds at saturated edges.
   */
  subsampled?: boolean;
}

/**
 * How far above a MaxCLL measured on 4:4:4 frames a 4:2:0 / 4:2:2 picture's decoded peak may read, in PQ 10-bit
 * code steps (half a stop): a bright pixel sharing its chroma sample with a saturated neighbour decodes brighter
 * (a graded shot: 203 nits in the frames, 270 decoded). Export's read-back and `analyze` both allow it.
 */
export const SUBSAMPLED_PEAK_TOLERANCE_PQ_STEPS = 32;

const pqSteps = (a: number, b: number): number => Math.abs(nitsToPq(a) - nitsToPq(b)) * 876;

/** Compare what was measured with what the file says, in colorists' terms. */
export function compareHdrMetadata(
  measured: MeasuredHdr,
  declared: DeclaredHdrMetadata,
  o: VerdictOptions = {},
): MetadataVerdict {
  const rel = o.relTolerance ?? 0.05,
    abs = o.absTolerance ?? 2;
  const findings: MetadataFinding[] = [];
  let missing = false,
    mismatch = false;
  const level = (field: 'maxCll' | 'maxFall', label: string, m: number, dcl: number | undefined) => {
    const mv = cta861Value(m);
    if (!dcl) {
      missing = true;
      findings.push({
        field,
        severity: 'warning',
        measured: mv,
        message: `${label} not declared (0 = unknown); measured ${mv} nits`,
      });
      return;
    }
    const tol = Math.max(abs, rel * m);
    const edges = field === 'maxCll' && o.subsampled && pqSteps(m, dcl) <= SUBSAMPLED_PEAK_TOLERANCE_PQ_STEPS;
    if (dcl < m - tol && edges) {
      findings.push({
        field,
        severity: 'info',
        measured: mv,
        declared: dcl,
        message: `${label} ${dcl} nits agrees with the measured ${mv}, within what chroma subsampling adds at saturated edges (${SUBSAMPLED_PEAK_TOLERANCE_PQ_STEPS} PQ steps)`,
      });
    } else if (dcl < m - tol) {
      mismatch = true;
      findings.push({
        field,
        severity: 'error',
        measured: mv,
        declared: dcl,
        message: `${label} declared ${dcl} nits but the picture reaches ${mv}: understated, displays may clip or tone-map wrongly`,
      });
    } else if (dcl > m + tol) {
      mismatch = true;
      findings.push({
        field,
        severity: 'warning',
        measured: mv,
        declared: dcl,
        message: `${label} declared ${dcl} nits but the picture only reaches ${mv}: overstated, displays will tone-map more than needed`,
      });
    } else
      findings.push({
        field,
        severity: 'info',
        measured: mv,
        declared: dcl,
        message: `${label} ${dcl} nits agrees with the measured ${mv}`,
      });
  };
  level('maxCll', 'MaxCLL', measured.maxCll, declared.maxCll);
  level('maxFall', 'MaxFALL', measured.maxFall, declared.maxFall);
  if (declared.maxCll && declared.maxFall && declared.maxFall > declared.maxCll) {
    mismatch = true;
    findings.push({
      field: 'maxFall',
      severity: 'error',
      declared: declared.maxFall,
      message: `declared MaxFALL ${declared.maxFall} exceeds declared MaxCLL ${declared.maxCll}: invalid`,
    });
  }
  const md = declared.mastering;
  if (!md) {
    missing = true;
    findings.push({ field: 'mastering', severity: 'warning', message: 'no SMPTE ST 2086 mastering display metadata' });
  } else {
    if (measured.maxCll > md.maxNits * (1 + rel)) {
      mismatch = true;
      findings.push({
        field: 'mastering',
        severity: 'warning',
        measured: cta861Value(measured.maxCll),
        declared: md.maxNits,
        message: `picture reaches ${cta861Value(measured.maxCll)} nits, above the ${md.maxNits}-nit mastering display: those highlights were never seen when grading`,
      });
    }
    if (!(md.maxNits > md.minNits) || md.maxNits > 10000 || md.minNits < 0) {
      mismatch = true;
      findings.push({
        field: 'mastering',
        severity: 'error',
        declared: md.maxNits,
        message: `implausible mastering display luminance ${md.minNits}..${md.maxNits} nits`,
      });
    }
    const isP3 = Math.abs(md.green.x - 0.265) < 0.002 && Math.abs(md.red.x - 0.68) < 0.002;
    if (isP3 && (measured.outsideP3 ?? 0) > 0.001) {
      findings.push({
        field: 'mastering',
        severity: 'warning',
        message: `${((measured.outsideP3 ?? 0) * 100).toFixed(2)}% of pixels lie outside P3, the mastering display's gamut`,
      });
      mismatch = true;
    }
  }
  return { verdict: mismatch ? 'mismatch' : missing ? 'missing' : 'consistent', findings };
}
