/** The AMQP 0-9-1 frame layout the adapter's encoder and decoder share (spec section 4.2.3). */

/** Frame types: a method, a content header, a content body. */
export const FRAME_METHOD = 1;
export const FRAME_HEADER = 2;
export const FRAME_BODY = 3;
/** The byte that ends every frame. */
export const FRAME_END = 0xce;
/** Type byte, channel (2) and payload size (4) before a frame's payload. */
export const FRAME_HEADER_BYTES = 7;
