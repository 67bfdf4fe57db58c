// Every `remaster` command, in the order `--help` and the README list them. Each description lives with its code.
import type { CommandSpec } from '../context';
import analyze from './analyze';
import exportCmd from './export';
import grade from './grade';
import * as farm from './farm';
import importCmd from './import';
import pattern from './pattern';
import render from './render';
import renderShot from './render-shot';
import * as project from './project';
import serve from './serve';
import shots from './shots';
import still from './still';
import worker from './worker';

export const COMMANDS: readonly CommandSpec[] = [
  project.create,
  project.list,
  project.rename,
  project.remove,
  importCmd,
  shots,
  grade,
  render,
  renderShot,
  farm.submit,
  worker,
  farm.status,
  farm.exportJob,
  exportCmd,
  still,
  analyze,
  pattern,
  serve,
];
