import { z } from 'zod';

/**
 * The Block Kit subset our messages use, with Slack's published limits (api.slack.com/reference/
 * block-kit): 50 blocks a message, a 150-character header, 3,000 characters of section text, 10
 * fields of 2,000, 10 context elements, 25 action elements, 3,000-character button URLs.
 */
export const LIMITS = {
  blocksPerMessage: 50,
  headerText: 150,
  sectionText: 3000,
  fields: 10,
  fieldText: 2000,
  contextElements: 10,
  actionElements: 25,
  buttonText: 75,
  buttonUrl: 3000,
  actionId: 255,
} as const;

export type PlainText = { type: 'plain_text'; text: string; emoji?: boolean };
export type Mrkdwn = { type: 'mrkdwn'; text: string };
export type Button = { type: 'button'; text: PlainText; url: string; action_id: string };
export type HeaderBlock = { type: 'header'; text: PlainText };
export type SectionBlock = {
  type: 'section';
  text?: Mrkdwn;
  fields?: Mrkdwn[];
  accessory?: Button;
};
export type ContextBlock = { type: 'context'; elements: (Mrkdwn | PlainText)[] };
export type ActionsBlock = { type: 'actions'; elements: Button[] };
export type DividerBlock = { type: 'divider' };
export type SlackBlock = HeaderBlock | SectionBlock | ContextBlock | ActionsBlock | DividerBlock;

/** One incoming-webhook message: `text` is the notification and screen-reader fallback. */
export type SlackMessage = { text: string; blocks: SlackBlock[] };

const plainText = z.object({
  type: z.literal('plain_text'),
  text: z.string().min(1),
  emoji: z.boolean().optional(),
});
const mrkdwn = z.object({ type: z.literal('mrkdwn'), text: z.string().min(1) });
const button = z.object({
  type: z.literal('button'),
  text: plainText.extend({ text: z.string().min(1).max(LIMITS.buttonText) }),
  url: z.url().max(LIMITS.buttonUrl),
  action_id: z.string().min(1).max(LIMITS.actionId),
});
const block = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('header'),
    text: plainText.extend({ text: z.string().min(1).max(LIMITS.headerText) }),
  }),
  z
    .object({
      type: z.literal('section'),
      text: mrkdwn.extend({ text: z.string().min(1).max(LIMITS.sectionText) }).optional(),
      fields: z
        .array(mrkdwn.extend({ text: z.string().min(1).max(LIMITS.fieldText) }))
        .min(1)
        .max(LIMITS.fields)
        .optional(),
      accessory: button.optional(),
    })
    .refine((s) => s.text !== undefined || s.fields !== undefined, 'a section needs text or fields'),
  z.object({
    type: z.literal('context'),
    elements: z
      .array(z.union([mrkdwn, plainText]))
      .min(1)
      .max(LIMITS.contextElements),
  }),
  z.object({ type: z.literal('actions'), elements: z.array(button).min(1).max(LIMITS.actionElements) }),
  z.object({ type: z.literal('divider') }),
]);

/** What Slack accepts from an incoming webhook, as far as our subset goes; the receiver checks with it. */
export const slackMessageSchema = z
  .object({ text: z.string().min(1), blocks: z.array(block).min(1).max(LIMITS.blocksPerMessage) })
  .superRefine((message, context) => {
    const ids = message.blocks.flatMap((b) =>
      b.type === 'actions'
        ? b.elements.map((e) => e.action_id)
        : b.type === 'section' && b.accessory
          ? [b.accessory.action_id]
          : [],
    );
    const duplicate = ids.find((id, i) => ids.indexOf(id) !== i);
    if (duplicate !== undefined)
      context.addIssue({ code: 'custom', message: `action_id "${duplicate}" is used twice in one message` });
  });

/** Cuts text to `max` characters, marking the cut. */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Escapes the three characters Slack's mrkdwn treats as control characters. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A mrkdwn link; the label is escaped and `|` removed, which would end it early. */
export function link(url: string, label: string): string {
  return `<${url}|${escapeMrkdwn(label).replace(/\|/g, '¦')}>`;
}

export function header(text: string): HeaderBlock {
  return { type: 'header', text: { type: 'plain_text', text: clip(text, LIMITS.headerText), emoji: true } };
}

export function section(text: string, accessory?: Button): SectionBlock {
  const block: SectionBlock = {
    type: 'section',
    text: { type: 'mrkdwn', text: clip(text, LIMITS.sectionText) },
  };
  if (accessory) block.accessory = accessory;
  return block;
}

export function fieldsSection(fields: readonly string[]): SectionBlock {
  return {
    type: 'section',
    fields: fields
      .slice(0, LIMITS.fields)
      .map((text) => ({ type: 'mrkdwn', text: clip(text, LIMITS.fieldText) })),
  };
}

export function context(texts: readonly string[]): ContextBlock {
  return {
    type: 'context',
    elements: texts
      .slice(0, LIMITS.contextElements)
      .map((text) => ({ type: 'mrkdwn', text: clip(text, LIMITS.fieldText) })),
  };
}

export function linkButton(label: string, url: string, actionId: string): Button {
  return {
    type: 'button',
    text: { type: 'plain_text', text: clip(label, LIMITS.buttonText), emoji: true },
    url,
    action_id: clip(actionId, LIMITS.actionId),
  };
}

export function actions(buttons: readonly Button[]): ActionsBlock {
  return { type: 'actions', elements: buttons.slice(0, LIMITS.actionElements) };
}

export const divider: DividerBlock = { type: 'divider' };
