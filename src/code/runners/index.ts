// The language runner table.
import type { Language } from '../types.js';
import { cpp } from './cpp.js';
import { javascript, typescript } from './js.js';
import { python } from './python.js';
import type { LanguageRunner } from './types.js';

export const RUNNERS: Record<Language, LanguageRunner> = { python, cpp, javascript, typescript };
