import type { KnownBlock } from '@slack/types';
import type { SlackMessage } from '../../../src/slack/render/index.js';

// Checks a message against Block Kit's documented limits, written out independently of the
// renderer's own constants so a wrong constant there cannot hide a violation here.

type Text = { type: string; text: string };

function checkText(errors: string[], where: string, t: Text | undefined, max: number): void {
  if (!t) return;
  if (t.text.length === 0) errors.push(`${where}: empty text`);
  if (t.text.length > max) errors.push(`${where}: ${t.text.length} > ${max} chars`);
  if (t.type === 'mrkdwn' && (t.text.split('```').length - 1) % 2 !== 0) errors.push(`${where}: unbalanced code fence`);
}

function checkButton(errors: string[], where: string, b: Record<string, unknown>): void {
  checkText(errors, `${where}.text`, b.text as Text, 75);
  if (typeof b.value === 'string' && b.value.length > 2000) errors.push(`${where}.value too long`);
  if (typeof b.action_id === 'string' && b.action_id.length > 255) errors.push(`${where}.action_id too long`);
  const c = b.confirm as { title?: Text; text: Text; confirm?: Text; deny?: Text } | undefined;
  if (c) {
    checkText(errors, `${where}.confirm.title`, c.title, 100);
    checkText(errors, `${where}.confirm.text`, c.text, 300);
    checkText(errors, `${where}.confirm.confirm`, c.confirm, 30);
    checkText(errors, `${where}.confirm.deny`, c.deny, 30);
  }
}

function checkBlock(errors: string[], b: KnownBlock, i: number): void {
  const where = `block ${i} (${b.type})`;
  if (b.block_id !== undefined && b.block_id.length > 255) errors.push(`${where}: block_id too long`);
  if (b.type === 'header') checkText(errors, where, b.text, 150);
  if (b.type === 'section') {
    if (!b.text && !b.fields) errors.push(`${where}: neither text nor fields`);
    checkText(errors, where, b.text, 3000);
    if (b.fields && b.fields.length > 10) errors.push(`${where}: ${b.fields.length} fields`);
    b.fields?.forEach((f, j) => checkText(errors, `${where}.fields[${j}]`, f, 2000));
    if (b.accessory?.type === 'button') checkButton(errors, `${where}.accessory`, b.accessory as unknown as Record<string, unknown>);
  }
  if (b.type === 'context') {
    if (b.elements.length === 0 || b.elements.length > 10) errors.push(`${where}: ${b.elements.length} elements`);
    b.elements.forEach((e, j) => { if (e.type !== 'image') checkText(errors, `${where}[${j}]`, e, 2000); });
  }
  if (b.type === 'actions') {
    if (b.elements.length === 0 || b.elements.length > 25) errors.push(`${where}: ${b.elements.length} elements`);
    b.elements.forEach((e, j) => { if (e.type === 'button') checkButton(errors, `${where}[${j}]`, e as unknown as Record<string, unknown>); });
  }
}

/** Every violated limit, as readable strings; empty when the message would be accepted. */
export function slackViolations(msg: SlackMessage): string[] {
  const errors: string[] = [];
  if (msg.text.trim().length === 0) errors.push('top-level text is empty');
  if (msg.text.length > 40_000) errors.push('top-level text > 40000');
  if (msg.blocks.length > 50) errors.push(`${msg.blocks.length} blocks > 50`);
  msg.blocks.forEach((b, i) => checkBlock(errors, b, i));
  return errors;
}

/** The visible text of each block, in order, for assertions about what a reader sees first. */
export function blockTexts(msg: SlackMessage): string[] {
  return msg.blocks.map((b) => {
    if (b.type === 'header' || b.type === 'section') return b.text?.text ?? '';
    if (b.type === 'context') return b.elements.map((e) => ('text' in e ? e.text : '')).join(' ');
    return '';
  });
}
