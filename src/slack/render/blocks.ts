import type { ActionsBlock, Button, ContextBlock, DividerBlock, HeaderBlock, KnownBlock, PlainTextElement, SectionBlock } from '@slack/types';
import { escapePlain } from './mrkdwn.js';

/** What every renderer returns: `text` is the notification fallback, blocks are what people see. */
export interface SlackMessage {
  text: string;
  blocks: KnownBlock[];
}

/** A remediation button; the handlers that act on it live elsewhere. */
export interface ActionButton {
  actionId: string;
  text: string;
  value: string;
  style?: 'primary' | 'danger';
  confirm?: { title: string; text: string; confirm: string; deny: string };
}

/** Slack decodes `&amp; &lt; &gt;` in plain text too, so raw text is escaped here, once. */
function plain(text: string, emoji = false): PlainTextElement {
  return { type: 'plain_text', text: escapePlain(text), ...(emoji ? { emoji: true } : {}) };
}

export function header(text: string): HeaderBlock {
  return { type: 'header', text: plain(text, true) };
}

export function section(mrkdwn: string): SectionBlock {
  return { type: 'section', text: { type: 'mrkdwn', text: mrkdwn } };
}

export function context(...mrkdwn: string[]): ContextBlock {
  return { type: 'context', elements: mrkdwn.map((text) => ({ type: 'mrkdwn' as const, text })) };
}

export function divider(): DividerBlock {
  return { type: 'divider' };
}

function button(b: ActionButton): Button {
  return {
    type: 'button',
    action_id: b.actionId,
    text: plain(b.text, true),
    value: b.value,
    ...(b.style ? { style: b.style } : {}),
    ...(b.confirm ? {
      confirm: {
        title: plain(b.confirm.title),
        text: plain(b.confirm.text),
        confirm: plain(b.confirm.confirm),
        deny: plain(b.confirm.deny),
        ...(b.style === 'danger' ? { style: 'danger' as const } : {}),
      },
    } : {}),
  };
}

export function actions(buttons: ActionButton[]): ActionsBlock {
  return { type: 'actions', elements: buttons.map(button) };
}
