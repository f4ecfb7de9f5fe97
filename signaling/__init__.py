"""The Intervox server: configuration, HTTP API, WebSocket signaling, store and wiring.

`signaling` is the only package that knows about the others: it wires `media` (WebRTC) and
`scoring` (transcription and scoring) together through their small public interfaces.
"""
