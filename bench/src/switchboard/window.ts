/**
 * The adapters' Switchboard measurements send through the same lean window loop as the memory one (one `.then`
 * per send, no closure per message), so the sender's own cost stays out of what is compared with the raw client.
 */
export { sendWindowed } from '../harness/send-window.js';
