import { describe, expect, it } from 'vitest';
import { nicknamesClash, nicknameSkeleton, normalizeNickname, sameNickname } from '../../shared/wire/nickname';

const normal = (raw: string): string => {
  const checked = normalizeNickname(raw);
  if (!checked.ok) throw new Error(`refused ${JSON.stringify(raw)}: ${checked.error}`);
  return checked.nickname;
};
const refusal = (raw: string): string => {
  const checked = normalizeNickname(raw);
  if (checked.ok) throw new Error(`accepted ${JSON.stringify(raw)} as ${JSON.stringify(checked.nickname)}`);
  return checked.error;
};

describe('normalizeNickname', () => {
  it('keeps an ordinary name, in any script, and trims it', () => {
    expect(normal('  Ada  ')).toBe('Ada');
    expect(normal('Zoë')).toBe('Zoë');
    expect(normal('Łukasz')).toBe('Łukasz');
    expect(normal('Дмитрий')).toBe('Дмитрий');
    expect(normal('さくら')).toBe('さくら');
    expect(normal('मीरा')).toBe('मीरा');
    expect(normal('Nguyễn')).toBe('Nguyễn');
    expect(normal('O’Neil-Smith')).toBe('O’Neil-Smith');
    expect(normal('ก่ิ')).toBe('ก่ิ');
    expect(normal('q\u0301\u0302\u0303\u0304')).toHaveLength(5);
  });

  it('normalizes with NFKC: one spelling per name', () => {
    expect(normal('Ａｄａ')).toBe('Ada');
    expect(normal('ﬁona')).toBe('fiona');
    // e + a combining diaeresis is the one character ë
    expect(normal('Zoe\u0308')).toBe('Zoë');
    expect(normal('Zoe\u0308')).toBe(normal('Zo\u00eb'));
    expect(normal('Ada\u00a0\u2003 Lovelace')).toBe('Ada Lovelace');
    expect(normal('Ada\u3000King')).toBe('Ada King');
  });

  it('keeps emoji, as one character each, with their presentation selector', () => {
    expect(normal('🦊 Fox')).toBe('🦊 Fox');
    expect(normal('❤\ufe0f Ada')).toBe('❤\ufe0f Ada');
    expect(normal('🦊'.repeat(24))).toHaveLength(48);
    expect(refusal('🦊'.repeat(25))).toMatch(/this one has 25/);
  });

  it('counts characters after trimming and normalizing: 1 to 24', () => {
    expect(normal('x'.repeat(24))).toHaveLength(24);
    expect(refusal('x'.repeat(25))).toBe('A nickname is at most 24 characters (this one has 25).');
    expect(normal(`  ${'x'.repeat(24)}  `)).toHaveLength(24);
    expect(refusal('   ')).toMatch(/A nickname is 1 to 24 characters: type one/);
    expect(refusal('')).toMatch(/type one/);
  });

  const refused: [string, string, RegExp][] = [
    ['NUL', 'Ada\u0000', /control characters .* \(it holds U\+0000\)/],
    ['a newline', 'Ada\nBob', /control characters such as line breaks/],
    ['a tab', 'Ada\tBob', /control characters/],
    ['DEL', 'Ada\u007f', /control characters/],
    ['a C1 control', 'Ada\u0085', /control characters/],
    ['a line separator', 'Ada\u2028Bob', /one line: .* U\+2028/],
    ['a paragraph separator', 'Ada\u2029', /one line/],
    ['a zero-width space', 'A\u200bda', /invisible characters.*U\+200B, a zero-width space/],
    ['a zero-width non-joiner', 'A\u200cda', /U\+200C, a zero-width non-joiner/],
    ['a zero-width joiner', 'A\u200dda', /U\+200D, a zero-width joiner/],
    ['a zero-width joiner between emoji', '👩\u200d💻', /U\+200D/],
    ['a word joiner', 'A\u2060da', /U\+2060, a word joiner/],
    ['a left-to-right mark', 'Ada\u200e', /U\+200E, a left-to-right mark/],
    ['a right-to-left mark', '\u200fAda', /U\+200F, a right-to-left mark/],
    ['a right-to-left override', '\u202eadA', /U\+202E, a bidirectional override/],
    ['a left-to-right embedding', '\u202aAda\u202c', /U\+202A, a bidirectional embedding/],
    ['a bidirectional isolate', '\u2066Ada\u2069', /U\+2066, a bidirectional isolate/],
    ['a first-strong isolate', 'Ada\u2068', /bidirectional isolate/],
    ['a byte order mark', '\ufeffAda', /U\+FEFF, a byte order mark/],
    ['a soft hyphen', 'Ad\u00ada', /U\+00AD, a soft hyphen/],
    ['a Hangul filler', 'Ada\u3164', /a Hangul filler/],
    ['a Hangul filler alone', '\u3164', /a Hangul filler/],
    ['a Hangul choseong filler', '\u115f', /U\+115F, a Hangul filler/],
    ['a halfwidth Hangul filler', '\uffa0Ada', /a Hangul filler/],
    ['a combining grapheme joiner', 'A\u034fda', /U\+034F, a combining grapheme joiner/],
    ['a Mongolian vowel separator', 'Ada\u180e', /invisible/],
    ['a variation selector on a letter', 'Ada\ufe0f', /invisible.*U\+FE0F/],
    ['an invisible tag character', 'Ada\u{e0041}', /invisible.*U\+E0041/],
    ['a blank braille cell', '\u2800', /U\+2800, a blank braille cell/],
    ['an Arabic letter mark', 'Ada\u061c', /U\+061C/],
    ['an invisible times', 'A\u2062da', /invisible.*U\+2062, a format character/],
    ['a private-use character', 'Ada\ue000', /private-use characters.*U\+E000/],
    ['a supplementary private-use character', 'Ada\u{f0000}', /private-use/],
    ['an unassigned code point', 'Ada\u0378', /not assigned.*U\+0378/],
    ['a noncharacter', 'Ada\ufdd0', /not assigned/],
    ['a lone high surrogate', 'Ada\ud800', /broken character \(a lone surrogate, U\+D800\)/],
    ['a lone low surrogate', '\udc00Ada', /lone surrogate, U\+DC00/],
    ['a leading combining mark', '\u0301Ada', /cannot start with a combining mark \(U\+0301\)/],
    ['a leading combining mark after spaces', '  \u0301Ada', /cannot start with a combining mark/],
    ['a stack of combining marks', 'Zq\u0301\u0302\u0303\u0304\u0305algo', /more than 4 combining marks/],
  ];
  for (const [what, raw, why] of refused) {
    it(`refuses ${what}, and says so`, () => {
      expect(refusal(raw)).toMatch(why);
    });
  }
});

describe('nicknameSkeleton: look-alikes clash', () => {
  const clashes: [string, string][] = [
    ['Alice', 'Аlice'], // Cyrillic А
    ['Alice', 'ALICE'],
    ['Alice', 'alice'],
    ['Alice', 'AIice'], // capital I for l
    ['Alice', 'A1ice'],
    ['Alice', 'A|ice'],
    ['Bob', 'Βob'], // Greek Β
    ['Paul', 'Ρaul'], // Greek Ρ
    ['John', 'Jоhn'], // Cyrillic о
    ['Otto', '0tto'],
    ['Otto', 'Οtto'], // Greek Ο
    ['Sam', '5am'],
    ['Sam', 'Ѕam'], // Cyrillic Ѕ
    ['Mary', 'rnary'],
    ['Will', 'VVill'],
    ['Zoë', 'Zoe'],
    ['Zoë', 'Zoe\u0308'],
    ['Ada', 'Ａｄａ'],
    ['Ada', 'Ådå'],
    ['Straße', 'STRASSE'],
    ['Ana-Maria', 'Ana\u2010Maria'],
    ['Ana-Maria', 'Ana\u2212Maria'],
    ['Ada Lovelace', 'Ada  Lovelace'],
    ['Henry', 'Нenry'], // Cyrillic Н
    ['Kim', 'Кim'], // Cyrillic К
    ['Tom', 'Тоm'], // Cyrillic Т and о
    ['Max', 'Mах'], // Cyrillic а and х
    ['Eve', 'Ενε'.replace('ν', 'v')], // Greek Ε and ε
    ['Ian', 'lan'],
    ['Yuri', 'Үuri'], // Cyrillic Ү
  ];
  for (const [a, b] of clashes) {
    it(`"${a}" and "${b}"`, () => {
      expect(nicknameSkeleton(normal(a))).toBe(nicknameSkeleton(normal(b)));
      expect(nicknamesClash(normal(a), normal(b))).toBe(true);
    });
  }

  const distinct: [string, string][] = [
    ['Ada', 'Adam'],
    ['Ben', 'Ken'],
    ['Kim', 'Tim'],
    ['Ann', 'Anna'],
    ['Lee', 'Leo'],
    ['Ana Maria', 'AnaMaria'],
    ['Дмитрий', 'Dmitry'],
    ['🦊', '🐻'],
  ];
  for (const [a, b] of distinct) {
    it(`but not "${a}" and "${b}"`, () => {
      expect(nicknamesClash(normal(a), normal(b))).toBe(false);
    });
  }
});

describe('sameNickname', () => {
  it('is the same letters up to case, not a look-alike', () => {
    expect(sameNickname('Alice', 'alice')).toBe(true);
    expect(sameNickname('Straße', 'STRASSE')).toBe(true);
    expect(sameNickname('Alice', 'Аlice')).toBe(false);
    expect(sameNickname('Alice', 'A1ice')).toBe(false);
  });
});
