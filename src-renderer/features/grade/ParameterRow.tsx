// One grade parameter as its description says: a slider with a numeric field and unit, a switch, or a
// choice. Double-click the label or the slider to return it to its default.
import { Box, InputBase, MenuItem, Select, Slider, Stack, Switch, Typography } from '@mui/material';
import { useEffect, useRef, useState } from 'react';
import type { ChoiceParameter, GradeParameter, SliderParameter } from '../../../src-main/common/colour/grade';
import { formatValue, parseValue, positionOf, POSITIONS, valueAt } from './parameters';

type Value = number | boolean | string;

interface RowProps<P extends GradeParameter> {
  id: string;
  param: P;
  value: Value;
  /** Every step of a gesture (drawn at once, not yet in the library). */
  onPreview(v: Value): void;
  /** The end of a gesture: one history entry. */
  onCommit(v: Value): void;
  /** Why the parameter has no effect now (it is then shown dimmed and cannot be changed), or undefined. */
  inactive?: string;
}

export function ParameterRow(props: RowProps<GradeParameter>) {
  const { param } = props;
  if (param.kind === 'slider') return <SliderRow {...props} param={param} />;
  if (param.kind === 'toggle') {
    return (
      <Stack
        direction="row"
        sx={{ alignItems: 'center', justifyContent: 'space-between' }}
        onDoubleClick={() => props.onCommit(param.default)}
      >
        <Label param={param} />
        <Switch
          size="small"
          checked={props.value === true}
          onChange={(e) => props.onCommit(e.target.checked)}
          slotProps={{ input: { 'data-testid': `grade-toggle-${props.id}` } as object }}
        />
      </Stack>
    );
  }
  return <ChoiceRow {...props} param={param} />;
}

function Label({ param, onReset, inactive }: { param: GradeParameter; onReset?: () => void; inactive?: string }) {
  return (
    <Typography
      variant="caption"
      color={inactive ? 'text.disabled' : undefined}
      title={inactive ?? param.hint ?? `${param.label}: double-click to reset`}
      onDoubleClick={inactive ? undefined : onReset}
      sx={{ userSelect: 'none', cursor: 'default' }}
    >
      {param.label}
    </Typography>
  );
}

function ChoiceRow({ id, param, value, onCommit }: RowProps<ChoiceParameter>) {
  return (
    <Stack direction="row" sx={{ alignItems: 'center', justifyContent: 'space-between', gap: 1 }}>
      <Label param={param} onReset={() => onCommit(param.default)} />
      <Select
        size="small"
        variant="standard"
        value={String(value)}
        onChange={(e) => onCommit(e.target.value)}
        sx={{ fontSize: 12, minWidth: 96 }}
        data-testid={`grade-choice-${id}`}
      >
        {param.values.map((v) => (
          <MenuItem key={v} value={v} sx={{ fontSize: 12 }}>
            {(param.names as Record<string, string>)[v]}
          </MenuItem>
        ))}
      </Select>
    </Stack>
  );
}

/**
 * A slider release is written this long after it, so that the two clicks of a double-click (each of which
 * moves the thumb) and the reset it asks for make one history entry, not three.
 */
const DOUBLE_CLICK_MS = 250;

function SliderRow({ id, param, value, onPreview, onCommit, inactive }: RowProps<SliderParameter>) {
  const v = value as number;
  // The field's text while the colorist types in it; null shows the value.
  const [typing, setTyping] = useState<string | null>(null);
  const release = useRef<{ timer: number; write(): void } | null>(null);
  const cancelRelease = () => {
    if (release.current) window.clearTimeout(release.current.timer);
    release.current = null;
  };
  const released = (value: number) => {
    cancelRelease();
    const write = () => {
      release.current = null;
      onCommit(value);
    };
    release.current = { timer: window.setTimeout(write, DOUBLE_CLICK_MS), write };
  };
  // Leaving (another shot, panel closed) writes a release still waiting.
  useEffect(
    () => () => {
      const r = release.current;
      cancelRelease();
      r?.write();
    },
    [],
  );
  const reset = () => {
    cancelRelease();
    onCommit(param.default);
  };
  const enter = () => {
    if (typing === null) return;
    const parsed = parseValue(typing, param);
    setTyping(null);
    if (parsed !== null) onCommit(parsed);
  };
  return (
    <Box data-testid={`grade-param-${id}`} title={inactive}>
      <Stack direction="row" sx={{ alignItems: 'baseline', justifyContent: 'space-between', gap: 0.5 }}>
        <Label param={param} onReset={reset} inactive={inactive} />
        <Stack direction="row" sx={{ alignItems: 'baseline', gap: 0.5, minWidth: 0 }}>
          <InputBase
            disabled={!!inactive}
            value={typing ?? formatValue(v, param)}
            onFocus={(e) => {
              setTyping(formatValue(v, param));
              e.target.select();
            }}
            onChange={(e) => setTyping(e.target.value)}
            onBlur={enter}
            onKeyDown={(e) => {
              if (e.key === 'Enter') (e.target as HTMLInputElement).blur();
              if (e.key === 'Escape') {
                setTyping(null);
                (e.target as HTMLInputElement).blur();
              }
            }}
            slotProps={{
              input: {
                'data-testid': `grade-field-${id}`,
                'aria-label': `${param.label} value`,
                inputMode: 'decimal',
                spellCheck: false,
              } as object,
            }}
            sx={{ width: 64, fontSize: 12, fontFamily: 'monospace', '& input': { textAlign: 'right', py: 0 } }}
          />
          <Typography variant="caption" color="text.secondary" sx={{ whiteSpace: 'nowrap' }}>
            {param.unit}
          </Typography>
        </Stack>
      </Stack>
      <Slider
        size="small"
        disabled={!!inactive}
        min={0}
        max={POSITIONS}
        step={param.scale === 'log' ? 1 : (param.step / (param.max - param.min)) * POSITIONS}
        value={positionOf(v, param)}
        onChange={(_, p) => onPreview(valueAt(p as number, param))}
        onChangeCommitted={(_, p) => released(valueAt(p as number, param))}
        onDoubleClick={inactive ? undefined : reset}
        // Screen readers hear the value in its unit, not the slider's internal position.
        getAriaValueText={(p) => `${formatValue(valueAt(p, param), param)} ${param.unit}`.trim()}
        slotProps={{
          input: {
            'data-testid': `grade-slider-${id}`,
            'aria-label': param.label,
            ...(inactive && { 'aria-description': inactive }),
          } as object,
        }}
        sx={{ py: 0.75, mt: -0.25 }}
      />
    </Box>
  );
}
