import { expect, it } from 'vitest';
import { parseWebhookBody } from '../src/inbound/inbound.prepare';

// PostgreSQL's jsonb refuses lone UTF-16 surrogates: they become U+FFFD when the body is read,
// while escaped pairs (emoji, as Meta sends them) come through untouched.

it.each([
  ['{"t":"ok \\ud83d\\ude4f"}', 'ok 🙏'],
  ['{"t":"lone high \\ud83d x"}', 'lone high \ufffd x'],
  ['{"t":"lone low \\ude4f x"}', 'lone low \ufffd x'],
  ['{"t":"at the end \\ud83d"}', 'at the end \ufffd'],
  ['{"t":"high twice \\ud83d\\ud83d\\ude4f"}', 'high twice \ufffd🙏'],
  ['{"\\ud800key":"in a key"}', undefined],
])('reads %s', (body, want) => {
  const value = parseWebhookBody(body) as Record<string, string>;
  if (want !== undefined) expect(value['t']).toBe(want);
  else expect(value).toEqual({ '\ufffdkey': 'in a key' });
  expect((JSON.stringify(value) as string & { isWellFormed(): boolean }).isWellFormed()).toBe(true);
});

it('answers as JSON.parse for a body with no lone surrogate', () => {
  const body = '{"a":[1,{"b":"ü 🙏"}],"c":null}';
  expect(parseWebhookBody(body)).toEqual(JSON.parse(body));
});
