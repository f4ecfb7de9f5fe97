"""Speech recognition and answer scoring.

`scoring` knows nothing of WebRTC or HTTP: it takes 16 kHz mono audio and question texts, and
returns transcripts and explained scores.
"""
