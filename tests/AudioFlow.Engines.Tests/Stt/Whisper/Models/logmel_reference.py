#!/usr/bin/env python3
"""Independent reference for Whisper's log-mel front end (numpy only; Debian's python3-numpy).

Follows OpenAI Whisper's audio.log_mel_spectrogram step by step, written from its documented
parameters rather than from the C# code under test:
  16 kHz mono PCM16 -> float32 / 32768, zero-pad or trim to 30 s (480000 samples),
  STFT with n_fft 400, hop 160, periodic Hann window, center=True with reflect padding (n_fft // 2),
  |X|^2, the last frame dropped (3000 frames), mel filters from mel_filters.npz (mel_<n>),
  log10(max(x, 1e-10)), floored at (global max - 8), then (x + 4) / 4.

Usage: logmel_reference.py <pcm16 mono wav> <mel_filters.npz> <n_mels> <output .f32>
The output is float32 little-endian, C order [n_mels, 3000]. Prints the elapsed time on stdout.
"""
import sys
import time
import wave

import numpy as np

SAMPLE_RATE = 16000
N_FFT = 400
HOP = 160
N_SAMPLES = 30 * SAMPLE_RATE


def read_wav(path):
    with wave.open(path, "rb") as w:
        if w.getsampwidth() != 2:
            raise SystemExit(f"{path}: not 16-bit PCM")
        if w.getframerate() != SAMPLE_RATE:
            raise SystemExit(f"{path}: {w.getframerate()} Hz, expected {SAMPLE_RATE}")
        data = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
        data = data.reshape(-1, w.getnchannels())[:, 0]
    return data.astype(np.float32) / 32768.0


def log_mel(audio, filters):
    audio = audio[:N_SAMPLES]
    audio = np.concatenate([audio, np.zeros(N_SAMPLES - len(audio), dtype=np.float32)])
    padded = np.pad(audio.astype(np.float64), N_FFT // 2, mode="reflect")
    window = 0.5 - 0.5 * np.cos(2.0 * np.pi * np.arange(N_FFT) / N_FFT)  # periodic Hann
    n_frames = 1 + (len(padded) - N_FFT) // HOP  # 3001
    index = np.arange(N_FFT)[None, :] + HOP * np.arange(n_frames)[:, None]
    spectrum = np.fft.rfft(padded[index] * window[None, :], axis=1)  # [3001, 201]
    power = np.abs(spectrum[:-1]) ** 2  # drop the last frame -> [3000, 201]
    mel = filters.astype(np.float64) @ power.T  # [n_mels, 3000]
    log_spec = np.log10(np.maximum(mel, 1e-10))
    log_spec = np.maximum(log_spec, log_spec.max() - 8.0)
    return (log_spec + 4.0) / 4.0


def main():
    if len(sys.argv) != 5:
        raise SystemExit(__doc__)
    wav_path, npz_path, n_mels, out_path = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    filters = np.load(npz_path)[f"mel_{n_mels}"]
    audio = read_wav(wav_path)
    start = time.perf_counter()
    features = log_mel(audio, filters)
    elapsed = time.perf_counter() - start
    features.astype("<f4").tofile(out_path)
    print(f"shape={features.shape[0]}x{features.shape[1]} seconds={elapsed:.4f} "
          f"mean_first_1000={features[:, :1000].mean():.4f} mean={features.mean():.4f}")


if __name__ == "__main__":
    main()
