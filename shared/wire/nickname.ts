/**
 * Nicknames as a class reads them. A typed name is normalized (NFKC, spaces trimmed and collapsed),
 * refused when it holds characters that hide or fake text (controls, invisible and format characters,
 * private-use and unassigned code points, broken surrogates), and compared with the others by a
 * look-alike "skeleton", so that nobody joins as "Аlice" (with a Cyrillic А) next to "Alice".
 * Pure: the server decides with it and the client warns with it.
 */

export const NICKNAME_MIN = 1;
/** In characters (code points) after normalization: an emoji counts as one. */
export const NICKNAME_MAX = 24;
/** Combining marks one letter may carry (accents, vowel signs, tone marks); more only smear over other text. */
export const MAX_MARKS_PER_LETTER = 4;

export type NicknameCheck = { ok: true; nickname: string } | { ok: false; error: string };

const SURROGATE = /\p{Cs}/u;
const CONTROL = /\p{Cc}/u;
const LINE_BREAK = /[\p{Zl}\p{Zp}]/u;
const PRIVATE_USE = /\p{Co}/u;
const UNASSIGNED = /\p{Cn}/u;
/** Format characters and everything Unicode says to draw as nothing, and the blank braille cell. */
const INVISIBLE = /[\p{Cf}\p{Default_Ignorable_Code_Point}\u2800]/u;
const MARK = /\p{M}/u;
const EMOJI = /\p{Emoji}/u;
/** Text and emoji presentation selectors: allowed right after an emoji, which they are meant for. */
const PRESENTATION = new Set([0xfe0e, 0xfe0f]);

/** Words for the invisible characters people meet most, for the refusal. */
const INVISIBLE_NAMES: Record<number, string> = {
  0x00ad: 'a soft hyphen',
  0x034f: 'a combining grapheme joiner',
  0x061c: 'an Arabic letter mark',
  0x115f: 'a Hangul filler',
  0x1160: 'a Hangul filler',
  0x3164: 'a Hangul filler',
  0xffa0: 'a Hangul filler',
  0x180e: 'a Mongolian vowel separator',
  0x200b: 'a zero-width space',
  0x200c: 'a zero-width non-joiner',
  0x200d: 'a zero-width joiner',
  0x200e: 'a left-to-right mark',
  0x200f: 'a right-to-left mark',
  0x202a: 'a bidirectional embedding',
  0x202b: 'a bidirectional embedding',
  0x202c: 'a bidirectional formatting character',
  0x202d: 'a bidirectional override',
  0x202e: 'a bidirectional override',
  0x2060: 'a word joiner',
  0x2066: 'a bidirectional isolate',
  0x2067: 'a bidirectional isolate',
  0x2068: 'a bidirectional isolate',
  0x2069: 'a bidirectional isolate',
  0x2800: 'a blank braille cell',
  0xfeff: 'a byte order mark (zero-width no-break space)',
};

const hex = (cp: number): string => `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;

/**
 * The nickname as it will be stored and shown, or why it cannot be one. `raw` is what the person
 * typed; the result is NFKC-normalized, trimmed, with each run of spaces made one plain space.
 */
export function normalizeNickname(raw: string): NicknameCheck {
  const refuse = (error: string): NicknameCheck => ({ ok: false, error });
  // A lone surrogate is not text at all; look before normalizing, which would carry it along.
  for (const ch of raw) {
    if (SURROGATE.test(ch)) return refuse(`A nickname must be valid text: this one holds a broken character (a lone surrogate, ${hex(ch.codePointAt(0)!)}).`);
  }
  const text = raw.normalize('NFKC');
  let previous = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (CONTROL.test(ch)) return refuse(`A nickname cannot hold control characters such as line breaks, tabs or NUL (it holds ${hex(cp)}).`);
    if (LINE_BREAK.test(ch)) return refuse(`A nickname is one line: it cannot hold a line or paragraph separator (it holds ${hex(cp)}).`);
    if (PRIVATE_USE.test(ch)) return refuse(`A nickname cannot hold private-use characters, which look different on every device (it holds ${hex(cp)}).`);
    if (UNASSIGNED.test(ch)) return refuse(`A nickname cannot hold code points that Unicode has not assigned (it holds ${hex(cp)}).`);
    if (INVISIBLE.test(ch) && !(PRESENTATION.has(cp) && EMOJI.test(String.fromCodePoint(previous)))) {
      const name = INVISIBLE_NAMES[cp] ?? 'a format character';
      return refuse(`A nickname cannot hold invisible characters, which make one name look like another (it holds ${hex(cp)}, ${name}).`);
    }
    previous = cp;
  }
  const nickname = text.replace(/\p{Zs}+/gu, ' ').trim();
  const characters = [...nickname];
  if (characters.length < NICKNAME_MIN || characters.length > NICKNAME_MAX) {
    return refuse(
      characters.length === 0
        ? `A nickname is ${NICKNAME_MIN} to ${NICKNAME_MAX} characters: type one, so your instructor knows which node is yours.`
        : `A nickname is at most ${NICKNAME_MAX} characters (this one has ${characters.length}).`,
    );
  }
  let marks = 0;
  for (const [i, ch] of characters.entries()) {
    marks = MARK.test(ch) && !PRESENTATION.has(ch.codePointAt(0)!) ? marks + 1 : 0;
    if (marks > 0 && i === 0) {
      return refuse(`A nickname cannot start with a combining mark (${hex(ch.codePointAt(0)!)}): it would sit on whatever is written before it.`);
    }
    if (marks > MAX_MARKS_PER_LETTER) return refuse(`A nickname cannot stack more than ${MAX_MARKS_PER_LETTER} combining marks on one letter.`);
  }
  return { ok: true, nickname };
}

function lookup(pairs: Record<string, string>): Map<string, string> {
  return new Map(Object.entries(pairs));
}

/**
 * Capital letters of other scripts that look like Latin ones, mapped before case folding (their
 * small forms often look like nothing Latin, so they must be caught while still capitals).
 */
const CAPITAL_LOOKALIKES = lookup({
  // Greek
  Α: 'A', Β: 'B', Ε: 'E', Ζ: 'Z', Η: 'H', Ι: 'I', Κ: 'K', Μ: 'M', Ν: 'N', Ο: 'O', Ρ: 'P', Τ: 'T', Υ: 'Y', Χ: 'X', Ϲ: 'C', Ϳ: 'J',
  // Cyrillic
  А: 'A', В: 'B', Е: 'E', З: '3', К: 'K', М: 'M', Н: 'H', О: 'O', Р: 'P', С: 'C', Т: 'T', У: 'Y', Х: 'X', Ѕ: 'S', І: 'I', Ј: 'J',
  Ԛ: 'Q', Ԝ: 'W', Ү: 'Y', Һ: 'H', Ӏ: 'I', Ԍ: 'G', Ꙇ: 'I',
});

/** Small letters and signs that look like Latin small letters or like each other, mapped after case folding. */
const SMALL_LOOKALIKES = lookup({
  // Cyrillic
  а: 'a', в: 'b', е: 'e', ё: 'e', к: 'k', м: 'm', н: 'h', о: 'o', р: 'p', с: 'c', т: 't', у: 'y', х: 'x', ѕ: 's', і: 'l', ї: 'l',
  ј: 'j', ԁ: 'd', ԛ: 'q', ԝ: 'w', һ: 'h', ӏ: 'l', ү: 'y', ь: 'b', п: 'n', г: 'r', з: '3',
  // Greek
  α: 'a', β: 'b', γ: 'y', ε: 'e', η: 'n', ι: 'l', κ: 'k', ν: 'v', ο: 'o', ρ: 'p', τ: 't', υ: 'u', χ: 'x', ω: 'w', ϲ: 'c', ϳ: 'j',
  // Latin letters that pass for others
  ɡ: 'g', ȷ: 'j', ɑ: 'a', ʟ: 'l',
  // I, l, 1 and | are one stroke in many fonts (a capital I is an i by now); O and 0 one ring; S and 5 nearly.
  i: 'l', ı: 'l', ɩ: 'l', ɪ: 'l', '1': 'l', '|': 'l', '0': 'o', '5': 's',
});

/** Letter pairs that read as one letter at a glance. */
const PAIRS: [RegExp, string][] = [
  [/rn/g, 'm'],
  [/vv/g, 'w'],
];

const stripMarks = (text: string): string => text.normalize('NFKD').replace(/\p{M}/gu, '');

/**
 * What a nickname looks like, for telling names apart: case-folded, without accents or other
 * combining marks, with common Cyrillic, Greek and Latin look-alikes and digit look-alikes mapped
 * together, dashes made one dash and spaces one space. Two nicknames with the same skeleton can be
 * taken for each other, so a class holds at most one of them.
 */
export function nicknameSkeleton(nickname: string): string {
  let text = [...stripMarks(nickname)].map((ch) => CAPITAL_LOOKALIKES.get(ch) ?? ch).join('');
  // Full case folding as far as JavaScript offers it: through the capitals, so that ß and ss, ς and σ meet.
  text = stripMarks(text.toUpperCase().toLowerCase());
  text = [...text].map((ch) => SMALL_LOOKALIKES.get(ch) ?? ch).join('');
  for (const [pair, one] of PAIRS) text = text.replace(pair, one);
  return text
    .replace(/[\p{Pd}\u2212]/gu, '-')
    .replace(/[\s\u2800]+/gu, ' ')
    .trim();
}

/** Whether two (normalized) nicknames could be taken for each other. */
export function nicknamesClash(a: string, b: string): boolean {
  return nicknameSkeleton(a) === nicknameSkeleton(b);
}

/** Whether two (normalized) nicknames are the same name, written in the same letters up to case. */
export function sameNickname(a: string, b: string): boolean {
  return a.toUpperCase().toLowerCase() === b.toUpperCase().toLowerCase();
}
