// tokenizer.json + tokenizer_config.json read offline with @huggingface/tokenizers, plus the chat
// template (Jinja, rendered with @huggingface/jinja) and the BOS rule of DeepSeek's tokenizer config.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import { Template } from '@huggingface/jinja';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

function tokenText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object' && typeof (v as { content?: unknown }).content === 'string') return (v as { content: string }).content;
  return undefined;
}

export class TextTokenizer {
  private tok: Tokenizer;
  readonly bosToken: string | undefined;
  readonly eosToken: string | undefined;
  readonly bosId: number | undefined;
  readonly eosId: number | undefined;
  /** Prepend BOS when encoding a prompt (tokenizer_config add_bos_token; DeepSeek's default is true). */
  readonly addBos: boolean;
  readonly chatTemplate: string | undefined;
  readonly vocabSize: number;

  constructor(json: Record<string, unknown>, config: Record<string, unknown> = {}) {
    this.tok = new Tokenizer(json, config);
    this.bosToken = tokenText(config.bos_token);
    this.eosToken = tokenText(config.eos_token);
    this.bosId = this.bosToken === undefined ? undefined : this.tok.token_to_id(this.bosToken);
    this.eosId = this.eosToken === undefined ? undefined : this.tok.token_to_id(this.eosToken);
    this.addBos = config.add_bos_token === undefined ? this.bosId !== undefined : config.add_bos_token === true;
    const tpl = config.chat_template;
    this.chatTemplate = typeof tpl === 'string' ? tpl : Array.isArray(tpl) ? (tpl as { name?: string; template?: string }[]).find((t) => t.name === 'default')?.template : undefined;
    this.vocabSize = this.tok.get_vocab(true).size;
  }

  /** Load tokenizer.json (required) and tokenizer_config.json (optional) from a model directory. */
  static fromDir(dir: string): TextTokenizer {
    const tj = join(dir, 'tokenizer.json');
    if (!existsSync(tj)) throw new Error(`${dir}: no tokenizer.json`);
    const json = JSON.parse(readFileSync(tj, 'utf8')) as Record<string, unknown>;
    const cj = join(dir, 'tokenizer_config.json');
    const config = existsSync(cj) ? (JSON.parse(readFileSync(cj, 'utf8')) as Record<string, unknown>) : {};
    return new TextTokenizer(json, config);
  }

  /** Text -> ids, no special tokens added (special-token text in the input is still recognised). */
  encode(text: string): number[] {
    return this.tok.encode(text, { add_special_tokens: false }).ids;
  }

  /** A prompt's ids: BOS (when the config asks for it and the text does not start with it) + encode(text). */
  encodePrompt(text: string): number[] {
    const ids = this.encode(text);
    if (this.addBos && this.bosId !== undefined && ids[0] !== this.bosId) ids.unshift(this.bosId);
    return ids;
  }

  decode(ids: number[], skipSpecial = true): string {
    if (ids.length === 0) return ''; // the library rejects an empty list
    return this.tok.decode(ids, { skip_special_tokens: skipSpecial, clean_up_tokenization_spaces: false });
  }

  idToToken(id: number): string | undefined {
    return this.tok.id_to_token(id);
  }

  /** Render the chat template with add_generation_prompt; throws when the config has no template. */
  applyChatTemplate(messages: ChatMessage[]): string {
    if (!this.chatTemplate) throw new Error('tokenizer_config.json has no chat_template');
    return new Template(this.chatTemplate).render({
      messages,
      add_generation_prompt: true,
      bos_token: this.bosToken ?? '',
      eos_token: this.eosToken ?? '',
    });
  }
}
