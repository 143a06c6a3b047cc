#!/usr/bin/env python3
"""Builds tiny Whisper-shaped ONNX models for the WhisperRecognizer tests (Debian's python3-onnx + python3-numpy).

The files have the exact input/output names, element types and ranks of a Hugging Face Optimum export
(encoder_model.onnx + decoder_model_merged.onnx with use_cache_branch), but hand-set "weights" that make
the decoder spell out a known token sequence, and only if the caller drives the KV cache correctly:

encoder_model.onnx
  input_features float [batch, n_mels, 3000] -> last_hidden_state float [batch, 1500, d_model]
  Every output value is the mean of the features over all mels and the first 1000 frames (the first 10 s):
  about -1.5 for silence, about 0.1 for jfk.wav (so the layout [mel, frame] and the padding matter).

decoder_model_merged.onnx
  inputs  input_ids int64 [batch, seq], encoder_hidden_states float [batch, 1500, d_model],
          past_key_values.{i}.decoder.key/value and past_key_values.{i}.encoder.key/value
          float [batch, heads, past, head_dim], use_cache_branch bool [1]
  outputs logits float [batch, seq, vocab], present.{i}.decoder.key/value, present.{i}.encoder.key/value
  An If node on use_cache_branch, like Optimum's merged decoder:
  * false (no cache): past inputs are ignored; positions start at 0; the cross-attention "keys/values" are
    computed from encoder_hidden_states (layer i key = (i+1)*m, value = -(i+1)*m, m the frame mean).
  * true (cache): positions start at the past length (the sequence dimension of
    past_key_values.0.decoder.key, read with Shape/Gather); cross-attention keys/values are read from the
    past_key_values.{i}.encoder.* inputs; the present.{i}.encoder.* outputs are empty dummies (an engine
    that feeds them back instead of keeping the first step's loses the audio and fails).
  Self-attention "keys" of layer i hold (i+1)*token id, "values" (i+1)*token id + 1, appended to the past.
  At every position the decoder checks, for every layer, that the running sums (CumSum) of the token ids in
  its key and value caches equal the expected sequence's; and that every layer's cross-attention cache is
  1500 long and consistent. The audio class (speech when the mean > -0.7, else silence) picks the expected
  sequence. If all checks hold, the logits put 20 (speech) or 4 (silence, i.e. a low-confidence
  hallucination) on the next expected token; otherwise 20 on the "wrong" token. So an empty, stale or
  unchanged cache, a wrong branch flag, swapped layers or keys/values, or feeding a token other than the
  one chosen all change the output. At the start-of-transcript position silence also puts 15 on
  <|nospeech|> (no-speech probability ~0.98). "Trap" tokens get logit 30 at chosen positions: they must be
  suppressed by the engine (suppress_tokens, begin_suppress_tokens, special and timestamp tokens).

Usage: build_test_models.py <spec.json> <output folder>
spec.json: {"vocab_size": 51864, "eot": 50256, "nospeech": 50361, "wrong": 2642,
            "layers": 2, "heads": 2, "head_dim": 4, "n_mels": 80, "max_positions": 448,
            "variants": [{"name": "ok", "prefix": [prompt ids, ending with <|notimestamps|>], "sot_index": 0,
                          "speech": [text ids], "silence": [text ids], "traps": [[position, token], ...],
                          "omit_input": null or an input name to turn into a constant,
                          "encoder_mels": null or a different n_mels for the encoder's declared input}]}
Each variant becomes <output folder>/<name>/{encoder_model.onnx, decoder_model_merged.onnx}; the caller
adds the config and tokenizer files.
"""
import json
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 17
ENCODER_FRAMES = 1500
FEATURE_FRAMES = 3000
SPEECH_THRESHOLD = -0.7
HI_SPEECH = 20.0
HI_SILENCE = 4.0
HI_WRONG = 20.0
NOSPEECH_SILENCE = 15.0
TRAP = 30.0


class Graph:
    """Accumulates nodes with unique output names."""

    def __init__(self, prefix):
        self.prefix = prefix
        self.nodes = []
        self.counter = 0

    def op(self, op_type, inputs, **attrs):
        self.counter += 1
        out = f"{self.prefix}_{op_type.lower()}_{self.counter}"
        self.nodes.append(helper.make_node(op_type, inputs, [out], **attrs))
        return out

    def const(self, array):
        self.counter += 1
        name = f"{self.prefix}_const_{self.counter}"
        self.nodes.append(helper.make_node("Constant", [], [name], value=numpy_helper.from_array(np.asarray(array), name)))
        return name

    def rename(self, value, name):
        self.nodes.append(helper.make_node("Identity", [value], [name]))
        return name


def build_encoder(path, n_mels, d_model):
    g = Graph("enc")
    first = g.op("Slice", ["input_features", g.const(np.array([0], np.int64)), g.const(np.array([1000], np.int64)),
                           g.const(np.array([2], np.int64))])
    mean = g.op("ReduceMean", [first], axes=[1, 2], keepdims=1)  # [B, 1, 1]
    ones = g.const(np.ones((1, ENCODER_FRAMES, d_model), np.float32))
    g.rename(g.op("Mul", [mean, ones]), "last_hidden_state")
    graph = helper.make_graph(
        g.nodes, "whisper_test_encoder",
        [helper.make_tensor_value_info("input_features", TensorProto.FLOAT, ["batch_size", n_mels, FEATURE_FRAMES])],
        [helper.make_tensor_value_info("last_hidden_state", TensorProto.FLOAT, ["batch_size", ENCODER_FRAMES, d_model])])
    save(graph, path)


def tables(spec, variant):
    """Per class (0 speech, 1 silence): expected next token, cumulative id sums, no-speech logit per position."""
    n = spec["max_positions"]
    eot = spec["eot"]
    prefix = variant["prefix"]
    targets = np.full((2, n), eot, np.int64)
    cums = np.zeros((2, n), np.float32)
    nospeech = np.zeros((2, n), np.float32)
    for c, key in enumerate(["speech", "silence"]):
        seq = prefix + variant[key] + [eot]
        seq = seq + [eot] * (n + 1 - len(seq))
        targets[c] = np.array(seq[1:n + 1], np.int64)
        cums[c] = np.cumsum(np.array(seq[:n], np.float64)).astype(np.float32)
    nospeech[1, variant["sot_index"]] = NOSPEECH_SILENCE
    trap_tokens = np.zeros(n, np.int64)
    trap_values = np.zeros(n, np.float32)
    for position, token in variant.get("traps", []):
        trap_tokens[position] = token
        trap_values[position] = TRAP
    return targets, cums, nospeech, trap_tokens, trap_values


def build_branch(spec, use_cache):
    layers, heads, head_dim, vocab = spec["layers"], spec["heads"], spec["head_dim"], spec["vocab_size"]
    g = Graph("then" if use_cache else "else")
    i64 = lambda *v: g.const(np.array(v, np.int64))
    f32 = lambda v: g.const(np.array(v, np.float32))
    ones_heads = g.const(np.ones((1, heads, 1, head_dim), np.float32))

    ids_f = g.op("Cast", ["input_ids"], to=TensorProto.FLOAT)  # [B, S]
    ids_4d = g.op("Unsqueeze", [ids_f, i64(1, 3)])  # [B, 1, S, 1]
    seq_len = g.op("Shape", ["input_ids"], start=1, end=2)  # [1]
    if use_cache:
        past_len = g.op("Shape", ["past_key_values.0.decoder.key"], start=2, end=3)  # [1]
    else:
        past_len = i64(0)
    total = g.op("Add", [past_len, seq_len])  # [1]

    frame_mean = None
    if not use_cache:
        m = g.op("ReduceMean", ["encoder_hidden_states"], axes=[2], keepdims=1)  # [B, 1500, 1]
        frame_mean = g.op("Unsqueeze", [m, i64(1)])  # [B, 1, 1500, 1]

    outputs = {}
    self_keys, self_values, cross_keys, cross_values = [], [], [], []
    for i in range(layers):
        scale = f32(float(i + 1))
        new_k = g.op("Mul", [g.op("Mul", [ids_4d, scale]), ones_heads])  # [B, H, S, Dh]
        new_v = g.op("Add", [new_k, f32(1.0)])
        if use_cache:
            dk = g.op("Concat", [f"past_key_values.{i}.decoder.key", new_k], axis=2)
            dv = g.op("Concat", [f"past_key_values.{i}.decoder.value", new_v], axis=2)
            ek = g.op("Identity", [f"past_key_values.{i}.encoder.key"])
            ev = g.op("Identity", [f"past_key_values.{i}.encoder.value"])
            zero, none = i64(0), i64(0)
            dummy_k = g.op("Slice", [f"past_key_values.{i}.encoder.key", zero, none, i64(2)])
            dummy_v = g.op("Slice", [f"past_key_values.{i}.encoder.value", zero, none, i64(2)])
            outputs[f"present.{i}.encoder.key"] = dummy_k
            outputs[f"present.{i}.encoder.value"] = dummy_v
        else:
            dk, dv = new_k, new_v
            ek = g.op("Mul", [g.op("Mul", [frame_mean, scale]), ones_heads])  # [B, H, 1500, Dh]
            ev = g.op("Neg", [ek])
            outputs[f"present.{i}.encoder.key"] = ek
            outputs[f"present.{i}.encoder.value"] = ev
        outputs[f"present.{i}.decoder.key"] = dk
        outputs[f"present.{i}.decoder.value"] = dv
        self_keys.append(dk)
        self_values.append(dv)
        cross_keys.append(ek)
        cross_values.append(ev)

    # Audio class from the cross-attention cache, and its consistency across layers.
    s = g.op("ReduceMean", [cross_keys[0]], axes=[1, 2, 3], keepdims=0)  # [B]
    enc_len = g.op("Shape", [cross_keys[0]], start=2, end=3)  # [1]
    ok_enc = g.op("Equal", [enc_len, i64(ENCODER_FRAMES)])  # [1]
    tolerance = f32(1e-3)
    for i in range(layers):
        scale = f32(float(i + 1))
        sk = g.op("Div", [g.op("ReduceMean", [cross_keys[i]], axes=[1, 2, 3], keepdims=0), scale])
        sv = g.op("Div", [g.op("Neg", [g.op("ReduceMean", [cross_values[i]], axes=[1, 2, 3], keepdims=0)]), scale])
        for x in (sk, sv):
            ok_enc = g.op("And", [ok_enc, g.op("Less", [g.op("Abs", [g.op("Sub", [x, s])]), tolerance])])  # [B]
    speech = g.op("Greater", [s, f32(SPEECH_THRESHOLD)])  # [B]
    cls = g.op("Where", [speech, i64(0), i64(1)])  # [B]

    # Expected running sums for positions 0 .. total-1 of the row's class.
    cum_expected = g.op("Slice", [g.op("Gather", ["table_cum", cls], axis=0), i64(0), total, i64(1)])  # [B, T]
    ok_all = None
    half = f32(0.5)
    for i in range(layers):
        scale = f32(float(i + 1))
        tk = g.op("Div", [g.op("ReduceMean", [self_keys[i]], axes=[1, 3], keepdims=0), scale])  # [B, T]
        tv = g.op("Div", [g.op("Sub", [g.op("ReduceMean", [self_values[i]], axes=[1, 3], keepdims=0), f32(1.0)]), scale])
        for t in (tk, tv):
            cum = g.op("CumSum", [t, g.const(np.array(1, np.int64))])
            good = g.op("Less", [g.op("Abs", [g.op("Sub", [cum, cum_expected])]), half])
            ok_all = good if ok_all is None else g.op("And", [ok_all, good])
    ok = g.op("Slice", [ok_all, past_len, total, i64(1)])  # [B, S]
    ok = g.op("And", [ok, g.op("Unsqueeze", [ok_enc, i64(1)])])

    def per_position(table):  # [2, N] table -> [B, S] for this step's positions
        return g.op("Slice", [g.op("Gather", [table, cls], axis=0), past_len, total, i64(1)])

    target = g.op("Where", [ok, per_position("table_target"), i64(spec["wrong"])])
    hi_class = g.op("Unsqueeze", [g.op("Where", [speech, f32(HI_SPEECH), f32(HI_SILENCE)]), i64(1)])  # [B, 1]
    hi = g.op("Where", [ok, hi_class, f32(HI_WRONG)])
    depth = i64(vocab)
    off_on = f32([0.0, 1.0])
    logits = g.op("Mul", [g.op("OneHot", [target, depth, off_on], axis=-1), g.op("Unsqueeze", [hi, i64(2)])])
    trap_tok = g.op("Slice", ["table_trap_token", past_len, total, i64(0)])  # [S]
    trap_val = g.op("Slice", ["table_trap_value", past_len, total, i64(0)])
    traps = g.op("Mul", [g.op("OneHot", [trap_tok, depth, off_on], axis=-1), g.op("Unsqueeze", [trap_val, i64(1)])])  # [S, V]
    logits = g.op("Add", [logits, traps])
    ns_val = per_position("table_nospeech")  # [B, S]
    ns_row = g.const(np.eye(1, vocab, spec["nospeech"], dtype=np.float32).reshape(1, 1, vocab))
    logits = g.op("Add", [logits, g.op("Mul", [ns_row, g.op("Unsqueeze", [ns_val, i64(2)])])])
    outputs["logits"] = logits

    names = output_names(layers)
    for name in names:
        g.rename(outputs[name], f"{g.prefix}_{name}")
    return helper.make_graph(
        g.nodes, f"{g.prefix}_branch", [],
        [helper.make_tensor_value_info(f"{g.prefix}_{name}", TensorProto.FLOAT, None) for name in names])


def output_names(layers):
    names = ["logits"]
    for i in range(layers):
        names += [f"present.{i}.decoder.key", f"present.{i}.decoder.value",
                  f"present.{i}.encoder.key", f"present.{i}.encoder.value"]
    return names


def build_decoder(path, spec, variant):
    layers, heads, head_dim, vocab = spec["layers"], spec["heads"], spec["head_dim"], spec["vocab_size"]
    d_model = heads * head_dim
    targets, cums, nospeech, trap_tokens, trap_values = tables(spec, variant)
    initializers = [
        numpy_helper.from_array(targets, "table_target"),
        numpy_helper.from_array(cums, "table_cum"),
        numpy_helper.from_array(nospeech, "table_nospeech"),
        numpy_helper.from_array(trap_tokens, "table_trap_token"),
        numpy_helper.from_array(trap_values, "table_trap_value"),
    ]
    inputs = [
        helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch_size", "decoder_sequence_length"]),
        helper.make_tensor_value_info("encoder_hidden_states", TensorProto.FLOAT,
                                      ["batch_size", "encoder_sequence_length / 2", d_model]),
    ]
    for i in range(layers):
        for side, length in (("decoder", "past_decoder_sequence_length"), ("encoder", "encoder_sequence_length_out")):
            for kind in ("key", "value"):
                name = f"past_key_values.{i}.{side}.{kind}"
                if name == variant.get("omit_input"):
                    initializers.append(numpy_helper.from_array(np.zeros((1, heads, 0, head_dim), np.float32), name))
                else:
                    inputs.append(helper.make_tensor_value_info(name, TensorProto.FLOAT,
                                                                ["batch_size", heads, length, head_dim]))
    inputs.append(helper.make_tensor_value_info("use_cache_branch", TensorProto.BOOL, [1]))

    names = output_names(layers)
    node = helper.make_node("If", ["use_cache_branch"], names, name="optimum::if",
                            then_branch=build_branch(spec, True), else_branch=build_branch(spec, False))
    outputs = [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch_size", "decoder_sequence_length", vocab])]
    for name in names[1:]:
        length = "present_length" if ".decoder." in name else "encoder_length_out"
        outputs.append(helper.make_tensor_value_info(name, TensorProto.FLOAT, ["batch_size", heads, length, head_dim]))
    graph = helper.make_graph([node], "whisper_test_decoder_merged", inputs, outputs, initializers)
    save(graph, path)


def save(graph, path):
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="audioflow-tests")
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, path)


def main():
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    with open(sys.argv[1], encoding="utf-8") as f:
        spec = json.load(f)
    root = sys.argv[2]
    for variant in spec["variants"]:
        folder = os.path.join(root, variant["name"])
        os.makedirs(folder, exist_ok=True)
        build_encoder(os.path.join(folder, "encoder_model.onnx"), variant.get("encoder_mels") or spec["n_mels"],
                      spec["heads"] * spec["head_dim"])
        build_decoder(os.path.join(folder, "decoder_model_merged.onnx"), spec, variant)
        print(f"built {folder}")


if __name__ == "__main__":
    main()
