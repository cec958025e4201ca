/**
 * Text ↔ token ids: {@link dev.hovle.model.tokenizer.HoVLETokenizer} with the InternLM2 SentencePiece tokenizer and
 * the byte fixture tokenizer of the golden cases, the {@link dev.hovle.model.tokenizer.StreamingDetokenizer} for
 * streamed answers, and {@link dev.hovle.model.tokenizer.TokenizerFiles} for the tokenizer files of new snapshots.
 */
package dev.hovle.model.tokenizer;
