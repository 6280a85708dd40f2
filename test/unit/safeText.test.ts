import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { maskAccessKeyId, quoteUntrusted, redactEverySpelling, redactSecrets, safeText, showJson, stripControl } from '../../src/core/safeText';

const STS = { accessKeyId: 'STS.NSafeTextKey0002', accessKeySecret: 'sts-Secret-Hm4r9tB2nC0002', securityToken: 'CAIS+safeToken/Xy7Qw==0002' };
/** Anything a terminal or a log would act on: C0, DEL, C1, bidi overrides, line separators. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/;

function assertNoKeyMaterial(text: string): void {
  for (const piece of [STS.accessKeySecret, STS.securityToken, encodeURIComponent(STS.securityToken), encodeURIComponent(encodeURIComponent(STS.securityToken)), STS.accessKeyId]) {
    assert.ok(!text.includes(piece), `${JSON.stringify(piece)} is in: ${text}`);
  }
}

describe('safeText', () => {
  describe('redaction of key material a server echoes', () => {
    it("cuts a gateway's quoted V2 string-to-sign, which holds the key ID and the token", () => {
      const v2 =
        'Specified signature is not matched with our calculation. server string to sign is:POST&%2F&AccessKeyId%3DSTS.NSafeTextKey0002' +
        '%26Action%3DDescribeSynchronizationJobStatusList%26SecurityToken%3DCAIS%252BsafeToken%252FXy7Qw%253D%253D0002';
      const out = safeText(v2, STS);
      assert.equal(out, 'Specified signature is not matched with our calculation. server string to sign is: [redacted]');
    });

    it('cuts a string-to-sign only up to the end of its JSON string or line, so a document around it stays whole', () => {
      const doc = '{"message":"server string to sign is:GET&%2F&AccessKeyId%3DLTAI5tX","requestId":"R-1"}\nnext line';
      assert.equal(redactSecrets(doc), '{"message":"server string to sign is: [redacted]","requestId":"R-1"}\nnext line');
    });

    it('masks the known AccessKey ID and removes the token and the signature from an echoed Authorization header', () => {
      const echoed =
        'Echo: Authorization: ACS3-HMAC-SHA256 Credential=STS.NSafeTextKey0002,SignedHeaders=host;x-acs-date,' +
        'Signature=4f1c0e9a7b2d x-acs-security-token: CAIS+safeToken/Xy7Qw==0002';
      const out = safeText(echoed, STS);
      assertNoKeyMaterial(out);
      assert.ok(!out.includes('4f1c0e9a7b2d'), out);
      assert.match(out, /Credential=STS\.\*\*\*\*0002/);
    });

    it('removes Signature=, SecurityToken= and Credential= values even for keys it was not told about', () => {
      const url = 'https://dts.example.com/?AccessKeyId=LTAI5tOtherKey123&Signature=abc%2Fdef%3D&SecurityToken=CAISsomething%2B&Foo=1';
      const out = redactSecrets(url);
      assert.equal(out, 'https://dts.example.com/?AccessKeyId=LTAI****y123&Signature=[redacted]&SecurityToken=[redacted]&Foo=1');
    });

    it('finds the token in every spelling: raw, percent-encoded once and twice', () => {
      for (const spelling of [STS.securityToken, encodeURIComponent(STS.securityToken), encodeURIComponent(encodeURIComponent(STS.securityToken))]) {
        assertNoKeyMaterial(redactSecrets(`token ${spelling} here`, STS));
      }
    });

    it('masks an AccessKey ID as everywhere else', () => {
      assert.equal(maskAccessKeyId('LTAI5tSafeTextKey0001'), 'LTAI****0001');
      assert.equal(maskAccessKeyId('short'), '****');
    });

    it('keeps an ordinary message as it is', () => {
      const message = 'DTS-070211: Connect Source DB failed. cause by [java.net.ConnectException: Connection refused]';
      assert.equal(safeText(message, STS), message);
    });
  });

  describe('control characters', () => {
    it('turns escape sequences, bells and line breaks into spaces, so nothing forges a line or retitles a terminal', () => {
      assert.equal(stripControl('Synchronizing\u001b]0;pwned\u0007\r\n[error] forged\u001b[2J'), 'Synchronizing ]0;pwned [error] forged [2J');
    });

    it('removes C1 controls and bidi overrides', () => {
      assert.equal(stripControl('a\u009bb\u202ec\u2066d\u2028e'), 'a b c d e');
    });

    it('quotes bad input with every control character escaped', () => {
      assert.equal(quoteUntrusted('x\ny\u202ez\u0085'), '"x\\ny\\u202ez\\u0085"');
      assert.equal(showJson({ id: 7 }), '{"id":7}');
      assert.equal(quoteUntrusted('a'.repeat(100)), `"${'a'.repeat(80)}…"`);
    });
  });

  describe('properties', () => {
    it('any text: the result has no control character', () => {
      fc.assert(
        fc.property(fc.string({ unit: 'binary' }), (text) => {
          assert.ok(!CONTROL.test(safeText(text)), JSON.stringify(safeText(text)));
        }),
        { numRuns: 500 },
      );
    });

    it('any text around a known secret, token or key ID, in any spelling: none of them survives', () => {
      const secretChars = fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=._-'.split(''));
      fc.assert(
        fc.property(
          fc.string({ unit: secretChars, minLength: 12, maxLength: 40 }),
          fc.string({ unit: secretChars, minLength: 12, maxLength: 40 }),
          fc.string(),
          fc.string(),
          fc.constantFrom((s: string) => s, encodeURIComponent, (s: string) => encodeURIComponent(encodeURIComponent(s))),
          (secret, token, before, after, spell) => {
            const known = { accessKeyId: 'LTAI5tPropertyKey01', accessKeySecret: secret, securityToken: token };
            for (const value of [secret, token, known.accessKeyId]) {
              const out = safeText(`${before}${spell(value)}${after}`, known);
              assert.ok(!out.includes(value), `${JSON.stringify(value)} survived in ${JSON.stringify(out)}`);
            }
          },
        ),
        { numRuns: 300 },
      );
    });

    it('the shortcut for texts with nothing to strip changes no result', () => {
      const slow = (text: string): string => text.replace(new RegExp(CONTROL.source, 'g'), ' ').replace(/ {2,}/g, ' ').trim();
      const unit = fc.oneof(fc.constantFrom(' ', '  ', '\t', '\n', '\u00a0', '\u2028', '\u200b', '\ufeff', 'a', 'Synchronizing'), fc.string({ unit: 'binary', maxLength: 3 }));
      fc.assert(
        fc.property(fc.array(unit, { maxLength: 10 }), (parts) => {
          const text = parts.join('');
          assert.equal(stripControl(text), slow(text));
        }),
        { numRuns: 3000 },
      );
    });

    it('the shortcut for texts without key material (a status answer has dozens of short fields) changes no result', () => {
      const known = { accessKeyId: 'LTAI5tShortcutKey01', accessKeySecret: 'Sec/ret+Short=cut01', securityToken: 'CAIS+tok/en==short' };
      const pieces = [
        known.accessKeyId, known.accessKeySecret, known.securityToken, encodeURIComponent(known.accessKeySecret),
        encodeURIComponent(encodeURIComponent(known.securityToken)), 'Signature', 'signature', 'SecurityToken', 'AccessKeyId',
        'Credential', 'x-acs-security-token', 'string to sign', 'StringToSign', 'SIGN', '=', ':', ': ', '%3D', '%253D', '%26',
        '&', ' ', '"', 'dtsjob01', 'Synchronizing', 'LTAI', 'Sec', '/', '+',
      ];
      fc.assert(
        fc.property(fc.array(fc.oneof(fc.constantFrom(...pieces), fc.string({ maxLength: 6 })), { maxLength: 12 }), (parts) => {
          const text = parts.join('');
          assert.equal(redactSecrets(text, known), redactEverySpelling(text, known));
          assert.equal(redactSecrets(text), redactEverySpelling(text));
        }),
        { numRuns: 2000 },
      );
    });
  });
});
