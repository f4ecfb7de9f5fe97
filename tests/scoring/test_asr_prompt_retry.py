"""A prompted window that decodes as a repetition loop is recognised again without the prompt
(the faster-whisper model is replaced by a scripted one: the loop cannot be provoked on demand)."""

from types import SimpleNamespace

import numpy as np

from scoring.asr import Quality, WhisperRecognizer


class LoopingModel:
    """Loops ("the the the …", gzip ratio 3.1) whenever it is prompted; otherwise hears the words."""

    def __init__(self) -> None:
        self.prompts: list[str | None] = []

    def transcribe(self, audio, **options):  # noqa: ANN001, ANN003, ANN201
        prompt = options["initial_prompt"]
        self.prompts.append(prompt)
        word = SimpleNamespace(word=" hello", start=0.1, end=0.5, probability=0.9)
        if prompt:
            segment = SimpleNamespace(text=" the" * 40, no_speech_prob=0.0, avg_logprob=-0.1, compression_ratio=3.1,
                                      words=[word] * 40)
        else:
            segment = SimpleNamespace(text=" hello", no_speech_prob=0.0, avg_logprob=-0.1, compression_ratio=1.0,
                                      words=[word])
        return iter([segment]), None


def recognizer(model: LoopingModel) -> WhisperRecognizer:
    engine = object.__new__(WhisperRecognizer)
    engine._model = model
    return engine


def test_a_looping_prompted_window_is_recognised_again_without_the_prompt():
    model = LoopingModel()
    result = recognizer(model).recognize(np.zeros(16000, np.float32), language="en", quality=Quality.COMMIT,
                                         prompt="what was said before")
    assert result.text == "hello" and len(result.words) == 1
    assert model.prompts == ["what was said before", None]


def test_an_unprompted_window_is_recognised_once():
    model = LoopingModel()
    result = recognizer(model).recognize(np.zeros(16000, np.float32), language="en", quality=Quality.CAPTION)
    assert result.text == "hello" and model.prompts == [None]
