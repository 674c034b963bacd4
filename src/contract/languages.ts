// The languages the contract accepts (`language`, `language.default`, `language.candidates`): ISO 639-1 codes,
// with the ISO 639-3 code franc uses and the script each is written in.
export type Script = 'latin' | 'cyrillic' | 'arabic' | 'devanagari' | 'greek' | 'hebrew' | 'thai' | 'hangul' | 'kana' | 'han' | 'bengali' | 'other';

/** ISO 639-3 (franc) ⇄ 639-1 (the contract), with the script each language is written in. */
export const LANGS: readonly (readonly [iso1: string, iso3: string, script: Script])[] = [
  ['en', 'eng', 'latin'], ['es', 'spa', 'latin'], ['fr', 'fra', 'latin'], ['de', 'deu', 'latin'],
  ['pt', 'por', 'latin'], ['it', 'ita', 'latin'], ['nl', 'nld', 'latin'], ['pl', 'pol', 'latin'],
  ['tr', 'tur', 'latin'], ['vi', 'vie', 'latin'], ['id', 'ind', 'latin'], ['sv', 'swe', 'latin'],
  ['da', 'dan', 'latin'], ['no', 'nob', 'latin'], ['fi', 'fin', 'latin'], ['cs', 'ces', 'latin'],
  ['sk', 'slk', 'latin'], ['hu', 'hun', 'latin'], ['ro', 'ron', 'latin'], ['hr', 'hrv', 'latin'],
  ['ca', 'cat', 'latin'], ['tl', 'tgl', 'latin'], ['sw', 'swh', 'latin'], ['ms', 'zlm', 'latin'],
  ['ru', 'rus', 'cyrillic'], ['uk', 'ukr', 'cyrillic'], ['bg', 'bul', 'cyrillic'], ['sr', 'srp', 'cyrillic'],
  ['kk', 'kaz', 'cyrillic'], ['ar', 'arb', 'arabic'], ['fa', 'pes', 'arabic'], ['ur', 'urd', 'arabic'],
  ['hi', 'hin', 'devanagari'], ['mr', 'mar', 'devanagari'], ['ne', 'npi', 'devanagari'],
  ['el', 'ell', 'greek'], ['he', 'heb', 'hebrew'], ['th', 'tha', 'thai'], ['ko', 'kor', 'hangul'],
  ['ja', 'jpn', 'kana'], ['zh', 'cmn', 'han'], ['bn', 'ben', 'bengali'],
];
export const SUPPORTED_LANGUAGES: readonly string[] = LANGS.map((l) => l[0]);
