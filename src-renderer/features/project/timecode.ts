// Source timecode as the colorist reads it: the clip's start timecode plus the frame number, counted by the
// same code as the main process (drop-frame at 29.97/59.94 when the start says ';', wrapping at 24 hours).
export { formatTimecode as frameToTimecode, frameRateValue } from '../../../src-main/common/timecode';
