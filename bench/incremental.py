"""Incremental answer transcription (VAD, pause and long-window commits) against transcribing each answer whole.

Answers are built from the test clips with silences between them and end right after the last
word (the candidate clicks "finish" as they stop speaking). Each is streamed in 20 ms chunks into
`scoring.incremental.IncrementalTranscriber` with the real Whisper base model, recognising each
window as soon as it is due (the recogniser is never behind: this measures the policy, not a
loaded server), on one CPU thread as each of the server's recognition workers (and numpy's BLAS on
one thread, as `intervox serve` sets it). For each answer it prints:

- WER of the incremental transcript and of the whole answer transcribed at once;
- recognitions made, seconds of audio sent against the answer's length and its speech (VAD);
- what is left when the answer ends: seconds sent by `finish()` and its wall time, against the
  wall time of transcribing the whole answer then;
- ASR CPU seconds per second of speech, incremental and whole.

Then the corpus WER of both, and the VAD's own cost. Nothing is asserted.

    .venv/bin/python bench/incremental.py [--cadence 2 --view 6 --commit-window 24 --right-context 8 --min-close 3]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before numpy, as signaling.cli does for the server
os.environ.setdefault("OMP_NUM_THREADS", "1")
import numpy as np  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "tests"), str(REPO / "tests" / "scoring")]

from accuracy import corpus_word_error_rate, word_error_rate  # noqa: E402
from speech_answers import CLIP_SILENCE, Answer, build_answer, stream_answer  # noqa: E402

from scoring.asr import SAMPLE_RATE, Quality, WhisperRecognizer  # noqa: E402
from scoring.incremental import IncrementalParams  # noqa: E402
from scoring.model import ensure_bundled_model  # noqa: E402
from scoring.vad import SpeechSegmenter, VadEventKind, measure_cost  # noqa: E402

ANSWERS = [
    (6.0, "q1_lead_deadline_strong.wav", 3.0, "q2_disagreement_weak.wav"),
    (2.0, "q2_disagreement_strong.wav", 4.0, "q3_outage_weak.wav"),
    (1.0, "q3_outage_strong.wav", 3.0, "q4_motivation_weak.wav"),
    (1.0, "q4_motivation_strong.wav", 5.0, "q1_lead_deadline_weak.wav", 2.0, "practice_mic_check.wav"),
    (6.0, "jfk.wav", 3.0, "librispeech_1995-1837-0001.wav"),
]


def speech_seconds(answer: Answer) -> float:
    segmenter = SpeechSegmenter()
    events = segmenter.push(answer.pcm) + segmenter.flush()
    starts = [e.sample for e in events if e.kind is VadEventKind.STARTED]
    ends = [e.sample for e in events if e.kind is VadEventKind.ENDED]
    return sum(end - start for start, end in zip(starts, ends, strict=True)) / SAMPLE_RATE


def run(recognizer: WhisperRecognizer, answer: Answer, params: IncrementalParams) -> dict:
    streamed = stream_answer(recognizer, answer.pcm, "en", params)
    audio = answer.pcm.astype(np.float32) / 32768.0
    wall, started = time.perf_counter(), time.process_time()
    whole = recognizer.recognize(audio, language="en", quality=Quality.FINAL)
    whole_wall, whole_cpu = time.perf_counter() - wall, time.process_time() - started
    return {"text": streamed.transcriber.result().text, "whole": whole.text, "stats": streamed.transcriber.stats,
            "cpu": streamed.cpu, "finish_wall": streamed.finish_wall, "whole_wall": whole_wall, "whole_cpu": whole_cpu}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    defaults = IncrementalParams()
    parser.add_argument("--cadence", type=float, default=defaults.cadence)
    parser.add_argument("--view", type=float, default=defaults.view)
    parser.add_argument("--commit-window", type=float, default=defaults.commit_window)
    parser.add_argument("--right-context", type=float, default=defaults.right_context)
    parser.add_argument("--min-close", type=float, default=defaults.min_close)
    args = parser.parse_args()
    params = IncrementalParams(cadence=args.cadence, view=args.view, commit_window=args.commit_window,
                               right_context=args.right_context, min_close=args.min_close)
    answers = [build_answer(*parts, trim_end=0.0 if parts[-1].startswith("libri") else CLIP_SILENCE)
               for parts in ANSWERS]
    with tempfile.TemporaryDirectory(prefix="intervox-bench-") as tmp:
        recognizer = WhisperRecognizer(ensure_bundled_model(Path(tmp)), threads=1)
        recognizer.recognize(np.zeros(SAMPLE_RATE, np.float32), language="en", quality=Quality.FINAL)  # warm up
        print(f"cadence {params.cadence} s, view {params.view} s, commit window {params.commit_window} s, "
              f"right context {params.right_context} s, min_close {params.min_close} s")
        print(f"\n{'answer':<44} {'audio':>6} {'speech':>6} {'WER inc':>7} {'whole':>6} {'calls':>5} {'sent':>6} "
              f"{'tail':>5} {'fin s':>6} {'whole s':>7} {'CPU/sp':>6} {'whole':>6}")
        results = []
        for parts, answer in zip(ANSWERS, answers, strict=True):
            result = run(recognizer, answer, params)
            results.append(result)
            speech = speech_seconds(answer)
            stats = result["stats"]
            name = "+".join(p.removesuffix(".wav")[:14] for p in parts if isinstance(p, str))
            print(f"{name:<44} {answer.seconds:>6.1f} {speech:>6.1f} "
                  f"{word_error_rate(answer.reference, result['text']):>7.3f} "
                  f"{word_error_rate(answer.reference, result['whole']):>6.3f} {stats.model_calls:>5} "
                  f"{stats.seconds_sent:>6.1f} {stats.finish_seconds_sent:>5.1f} {result['finish_wall']:>6.2f} "
                  f"{result['whole_wall']:>7.2f} {result['cpu'] / speech:>6.2f} {result['whole_cpu'] / speech:>6.2f}")
    references = [answer.reference for answer in answers]
    print(f"\ncorpus WER: incremental {corpus_word_error_rate(references, [r['text'] for r in results]):.3f}, "
          f"whole answers {corpus_word_error_rate(references, [r['whole'] for r in results]):.3f}")
    print("columns: seconds of answer audio and of VAD speech; audio seconds sent to the model in all; 'tail' = "
          "seconds sent by finish(); 'fin s' its wall time against 'whole s', transcribing the whole answer at the "
          "end; ASR CPU seconds per second of speech, incremental and whole")
    vad = measure_cost(np.concatenate([answer.pcm for answer in answers]))
    print(f"VAD: {vad * 1000:.2f} ms of CPU per second of audio (20 ms chunks)")


if __name__ == "__main__":
    main()
