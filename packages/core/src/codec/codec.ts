import { isUtf8 } from 'node:buffer';
import { MessagingError } from '../errors.js';

/**
 * Turns bodies into bytes and back. The bus picks the codec for an outgoing body with `accepts`
 * and the codec for an incoming one by its content type.
 */
export interface Codec {
  /** The content type this codec writes, e.g. `application/json`. */
  readonly contentType: string;
  /** True when this codec should encode `body` (codecs are asked in order; the first that accepts wins). */
  accepts(body: unknown): boolean;
  /** Encodes `body`; throws (anything) when it cannot. */
  encode(body: unknown): Uint8Array;
  /** Decodes `bytes` written with this codec's content type; throws (anything) when it cannot. */
  decode(bytes: Uint8Array): unknown;
}

/**
 * Strict UTF-8 decoding: invalid byte sequences throw instead of turning into U+FFFD. Decoding replaces
 * every invalid sequence with U+FFFD, so the (costlier) validation runs only when the text has one —
 * valid UTF-8 may carry U+FFFD itself, which the validation then accepts.
 */
function decodeUtf8(bytes: Uint8Array): string {
  const buffer = Buffer.isBuffer(bytes)
    ? bytes
    : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // toString() without arguments goes straight to the UTF-8 slice (no encoding lookup).
  const text = buffer.toString();
  if (text.includes('\uFFFD') && !isUtf8(bytes)) throw new TypeError('the body is not valid UTF-8');
  return text;
}

/**
 * JSON: strings, numbers, booleans, null, arrays and plain objects. `undefined` is sent as an empty body
 * and an empty body decodes to `undefined`. BigInt and circular structures cannot be encoded.
 */
export const jsonCodec: Codec = {
  contentType: 'application/json',
  accepts: () => true,
  encode(body) {
    if (body === undefined) return new Uint8Array(0);
    const text = JSON.stringify(body);
    if (text === undefined) throw new TypeError(`a ${typeof body} cannot be encoded as JSON`);
    return Buffer.from(text, 'utf8');
  },
  decode(bytes) {
    if (bytes.length === 0) return undefined;
    return JSON.parse(decodeUtf8(bytes));
  },
};

/** Bytes pass through untouched: a `Uint8Array` (or Buffer) body is sent as is and arrives as a `Uint8Array`. */
export const bytesCodec: Codec = {
  contentType: 'application/octet-stream',
  accepts: (body) => body instanceof Uint8Array,
  encode: (body) => body as Uint8Array,
  decode: (bytes) => bytes,
};

/** Plain UTF-8 text, for raw producers that send `text/plain`. Strings are sent as JSON by default. */
export const textCodec: Codec = {
  contentType: 'text/plain',
  accepts: () => false,
  encode: (body) => Buffer.from(String(body), 'utf8'),
  decode: decodeUtf8,
};

/** The codecs a bus uses unless told otherwise: bytes for byte bodies, JSON for everything else. */
export const defaultCodecs: readonly Codec[] = [bytesCodec, jsonCodec, textCodec];

/** Chooses codecs for outgoing bodies and decodes incoming ones by content type. */
export class CodecSet {
  private readonly byType = new Map<string, Codec>();

  /** True when only the default codecs are in use, so the choice needs no search. */
  private readonly defaultsOnly: boolean;

  /** The codec for bodies without a content type header (JSON, the default). */
  private readonly jsonCodec: Codec | undefined;

  constructor(private readonly codecs: readonly Codec[]) {
    for (const codec of codecs)
      if (!this.byType.has(codec.contentType)) this.byType.set(codec.contentType, codec);
    this.jsonCodec = this.byType.get('application/json');
    this.defaultsOnly =
      codecs.length === defaultCodecs.length && codecs.every((codec, i) => codec === defaultCodecs[i]);
  }

  /** The codec that encodes `body`; throws INVALID_ARGUMENT when none accepts it. */
  codecFor(body: unknown): Codec {
    if (this.defaultsOnly) return body instanceof Uint8Array ? bytesCodec : jsonCodec;
    for (const codec of this.codecs) if (codec.accepts(body)) return codec;
    throw new MessagingError('INVALID_ARGUMENT', 'no codec accepts this body', { component: 'bus' });
  }

  /** Encodes `body`; throws INVALID_ARGUMENT naming what could not be encoded. */
  encode(body: unknown): { bytes: Uint8Array; contentType: string } {
    const codec = this.codecFor(body);
    return { bytes: this.encodeWith(codec, body), contentType: codec.contentType };
  }

  /**
   * Encodes `body` with `codec` (as chosen by {@link codecFor}); throws INVALID_ARGUMENT naming what could
   * not be encoded. The send path's form of {@link encode}: no result object per message.
   */
  encodeWith(codec: Codec, body: unknown): Uint8Array {
    try {
      return codec.encode(body);
    } catch (error) {
      throw new MessagingError(
        'INVALID_ARGUMENT',
        `the body cannot be encoded as ${codec.contentType}: ${error instanceof Error ? error.message : String(error)} — send plain data (no BigInt, functions or circular references) or bytes`,
        { component: 'bus', cause: error },
      );
    }
  }

  /** Decodes `bytes` by content type (JSON when absent); throws DECODE_FAILED. */
  decode(bytes: Uint8Array, contentType: string | undefined): unknown {
    const type = contentType ?? 'application/json';
    const codec =
      contentType === undefined
        ? this.jsonCodec
        : (this.byType.get(type) ?? this.byType.get(type.split(';')[0]!.trim()));
    if (!codec) {
      throw new MessagingError(
        'DECODE_FAILED',
        `no codec for content type "${type}" — register one with createBus({ codecs })`,
        {
          component: 'bus',
        },
      );
    }
    try {
      return codec.decode(bytes);
    } catch (error) {
      throw new MessagingError(
        'DECODE_FAILED',
        `the body is not valid ${type}: ${error instanceof Error ? error.message : String(error)}`,
        { component: 'bus', cause: error },
      );
    }
  }
}
