/**
 * The `regsize report` config file: YAML, checked completely before any network call. Every
 * message names the file, the line and the key that is wrong ("regsize.yaml:7: images[1].maxSize:
 * invalid size ..."), so a scheduled job that fails on a typo says where to look. Values are
 * parsed with the same functions as the command-line flags (sizes, platforms, bandwidths,
 * references), so the config and the flags accept the same spellings.
 *
 * The config holds no credentials, on purpose: it is meant to be committed. Registry logins come
 * from the Docker config and credential helpers, ECR from the AWS credential chain; a key that
 * looks like a secret is refused with a message saying so.
 */
import { LineCounter, parseDocument, isMap, isScalar } from 'yaml';
import { isRegsizeError, UsageError } from '../errors.js';
import { checkConfigBounds, readBounded } from './config-bounds.js';
import type { ReportConfig } from './config-model.js';
import { parseEcr, parseImage, parseSettings, parseTags, section, TOP_KEYS } from './config-sections.js';
import { Ctx } from './config-yaml.js';

export type { EcrTarget, ImageTarget, ReportConfig, TagsTarget } from './config-model.js';

/** Reads and validates a config file; exit 2 (CONFIG_INVALID) on any problem. */
export function loadConfig(file: string): ReportConfig {
  let text: string;
  try {
    text = readBounded(file);
  } catch (e) {
    if (isRegsizeError(e)) throw e;
    const code = (e as { code?: string }).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a folder' : String((e as Error).message);
    throw new UsageError('CONFIG_INVALID', `cannot read config ${file}: ${why} (pass --config FILE; see examples/regsize.yaml)`);
  }
  return parseConfig(text, file);
}

/** Validates config text; `file` is only used in messages. */
export function parseConfig(text: string, file: string): ReportConfig {
  checkConfigBounds(text, file);
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: true });
  const syntax = doc.errors[0];
  if (syntax) {
    const pos = syntax.linePos?.[0];
    const message = (syntax.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
    throw new UsageError('CONFIG_INVALID', `${file}:${pos ? `${pos.line}:${pos.col}` : '1'}: not valid YAML: ${message}`);
  }
  const ctx = new Ctx(file, lines, doc);
  const root = ctx.resolve(doc.contents);
  if (root === null || (isScalar(root) && root.value === null)) {
    throw ctx.error(root, '', 'the config is empty: list the images to report under `images:` (see examples/regsize.yaml)');
  }
  if (!isMap(root)) throw ctx.error(root, '', 'the config must be a mapping of keys (title, platform, bandwidth, defaults, images, tags, ecr)');
  const top = ctx.entries(root, '', TOP_KEYS);
  const images = top.get('images');
  const config: ReportConfig = {
    file,
    ...parseSettings(ctx, top),
    images: section(ctx, images, 'images', parseImage),
    tags: section(ctx, top.get('tags'), 'tags', parseTags),
    ecr: section(ctx, top.get('ecr'), 'ecr', parseEcr),
  };
  if (config.images.length + config.tags.length + config.ecr.length === 0) {
    throw ctx.error(images ?? root, images ? 'images' : '', 'no images to report: list at least one under `images:` (e.g. "- python:3.12-slim"), or use `tags:` or `ecr:`');
  }
  return config;
}
