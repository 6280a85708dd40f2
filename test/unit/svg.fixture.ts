import * as assert from 'node:assert/strict';

/**
 * Checks markup the way an XML parser would for the subset our renderers write: every tag closed in order, every
 * attribute quoted, no raw `<`, `>` or bare `&` in text or attributes. Returns the element names, in order.
 */
export function assertWellFormed(markup: string): string[] {
  const stack: string[] = [];
  const names: string[] = [];
  const tag = /<[^<>]*>/g;
  let last = 0;
  for (const match of markup.matchAll(tag)) {
    assertText(markup.slice(last, match.index));
    last = match.index + match[0].length;
    const text = match[0];
    const close = /^<\/([a-zA-Z][\w:-]*)>$/.exec(text);
    if (close) {
      assert.equal(stack.pop(), close[1], `</${close[1]}> closes the open element`);
      continue;
    }
    const open = /^<([a-zA-Z][\w:-]*)((?:\s+[a-zA-Z][\w:-]*="[^"<>]*")*)\s*(\/?)>$/.exec(text);
    assert.ok(open, `malformed tag ${text}`);
    for (const value of open[2].matchAll(/="([^"]*)"/g)) {
      assertText(value[1]);
    }
    names.push(open[1]);
    if (open[3] !== '/') {
      stack.push(open[1]);
    }
  }
  assertText(markup.slice(last));
  assert.deepEqual(stack, [], 'every element is closed');
  return names;
}

function assertText(text: string): void {
  assert.doesNotMatch(text, /[<>]/, `raw markup character in ${JSON.stringify(text)}`);
  assert.doesNotMatch(text, /&(?!(amp|lt|gt|quot|#39);)/, `bare & in ${JSON.stringify(text)}`);
}

/** The numbers of a path's `d`, as [x, y] pairs. */
export function pathPoints(d: string): [number, number][] {
  const numbers = d.match(/-?\d+(\.\d+)?/g)?.map(Number) ?? [];
  const points: [number, number][] = [];
  for (let i = 0; i + 1 < numbers.length; i += 2) {
    points.push([numbers[i], numbers[i + 1]]);
  }
  return points;
}
