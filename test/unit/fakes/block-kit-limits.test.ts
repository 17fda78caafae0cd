import { describe, expect, it } from 'vitest';
import { validateBlocks } from '../../fakes/block-kit-limits.js';

const plain = (text: string) => ({ type: 'plain_text', text });
const mrkdwn = (text: string) => ({ type: 'mrkdwn', text });
const button = (extra: Record<string, unknown> = {}) => ({ type: 'button', text: plain('Go'), action_id: 'go', ...extra });
const confirm = (o: Partial<Record<'title' | 'text' | 'confirm' | 'deny', string>> = {}) => ({
  title: plain(o.title ?? 'Sure?'), text: plain(o.text ?? 'Really restart?'), confirm: plain(o.confirm ?? 'Yes'), deny: plain(o.deny ?? 'No'),
});

describe('validateBlocks (Slack Block Kit limits)', () => {
  it('accepts a realistic diagnosis message', () => {
    expect(validateBlocks([
      { type: 'header', text: plain('HTTP 500 on api-1') },
      { type: 'section', block_id: 'summary', text: mrkdwn('*Cause:* pool exhausted'), fields: [mrkdwn('*Host*\napi-1'), mrkdwn('*Since*\n10:02')] },
      { type: 'context', elements: [mrkdwn('diagbot'), { type: 'image', image_url: 'https://example.test/i.png', alt_text: 'icon' }] },
      { type: 'divider' },
      { type: 'actions', block_id: 'act', elements: [button({ style: 'danger', value: 'api-1', confirm: confirm() }), button({ action_id: 'ack' })] },
    ])).toEqual([]);
  });

  it.each<[string, unknown[], string]>([
    ['header over 150', [{ type: 'header', text: plain('h'.repeat(151)) }], 'must be less than 151 characters [json-pointer:/blocks/0/text/text]'],
    ['mrkdwn header', [{ type: 'header', text: mrkdwn('h') }], 'must be plain_text [json-pointer:/blocks/0/text/type]'],
    ['11 context elements', [{ type: 'context', elements: Array.from({ length: 11 }, () => mrkdwn('c')) }],
      'no more than 10 items allowed [json-pointer:/blocks/0/elements]'],
    ['11 fields', [{ type: 'section', fields: Array.from({ length: 11 }, () => mrkdwn('f')) }], 'no more than 10 items allowed [json-pointer:/blocks/0/fields]'],
    ['field over 2000', [{ type: 'section', fields: [mrkdwn('f'.repeat(2001))] }], 'must be less than 2001 characters [json-pointer:/blocks/0/fields/0/text]'],
    ['button value over 2000', [{ type: 'actions', elements: [button({ value: 'v'.repeat(2001) })] }],
      'must be less than 2001 characters [json-pointer:/blocks/0/elements/0/value]'],
    ['action_id over 255', [{ type: 'actions', elements: [button({ action_id: 'a'.repeat(256) })] }],
      'must be less than 256 characters [json-pointer:/blocks/0/elements/0/action_id]'],
    ['26 actions', [{ type: 'actions', elements: Array.from({ length: 26 }, (_, i) => button({ action_id: `a${i}` })) }],
      'no more than 25 items allowed [json-pointer:/blocks/0/elements]'],
    ['confirm title over 100', [{ type: 'actions', elements: [button({ confirm: confirm({ title: 't'.repeat(101) }) })] }],
      'must be less than 101 characters [json-pointer:/blocks/0/elements/0/confirm/title/text]'],
    ['confirm text over 300', [{ type: 'actions', elements: [button({ confirm: confirm({ text: 't'.repeat(301) }) })] }],
      'must be less than 301 characters [json-pointer:/blocks/0/elements/0/confirm/text/text]'],
    ['confirm button over 30', [{ type: 'actions', elements: [button({ confirm: confirm({ deny: 'd'.repeat(31) }) })] }],
      'must be less than 31 characters [json-pointer:/blocks/0/elements/0/confirm/deny/text]'],
    ['block_id over 255', [{ type: 'divider', block_id: 'b'.repeat(256) }], 'must be less than 256 characters [json-pointer:/blocks/0/block_id]'],
    ['duplicate block_id', [{ type: 'divider', block_id: 'x' }, { type: 'divider', block_id: 'x' }], 'duplicate block_id: x [json-pointer:/blocks/1/block_id]'],
    ['duplicate action_id', [{ type: 'actions', elements: [button(), button()] }], 'action_id already exists: go [json-pointer:/blocks/0/elements/1/action_id]'],
    ['unknown block type', [{ type: 'carousel' }], 'unsupported type: carousel [json-pointer:/blocks/0/type]'],
    ['section without text or fields', [{ type: 'section' }], 'must provide either text or fields [json-pointer:/blocks/0]'],
    ['input block in a message', [{ type: 'input', label: plain('l'), element: { type: 'plain_text_input' } }], 'unsupported type: input [json-pointer:/blocks/0/type]'],
    ['empty text', [{ type: 'section', text: mrkdwn('') }], 'must be more than 0 characters [json-pointer:/blocks/0/text/text]'],
  ])('rejects %s', (_name, blocks, error) => {
    expect(validateBlocks(blocks)).toContain(error);
  });

  it('allows 100 blocks and input blocks in a modal', () => {
    const blocks = [{ type: 'input', label: plain('Host'), element: { type: 'plain_text_input', action_id: 'host' } },
      ...Array.from({ length: 99 }, () => ({ type: 'divider' }))];
    expect(validateBlocks(blocks, 'modal', '/view/blocks')).toEqual([]);
    expect(validateBlocks([...blocks, { type: 'divider' }], 'modal', '/view/blocks')).toEqual(['no more than 100 items allowed [json-pointer:/view/blocks]']);
  });

  it('refuses what is not an array of objects', () => {
    expect(validateBlocks('[]')).toEqual(['must provide an array [json-pointer:/blocks]']);
    expect(validateBlocks([null])).toEqual(['must provide an object [json-pointer:/blocks/0]']);
  });
});
