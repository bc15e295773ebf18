"""Generate the demo company's recorded calls once (needs espeak-ng; run by a maintainer, not at run time).

    apt-get install -y espeak-ng && .venv/bin/python demo/make_calls.py

Each call is a two-voice dialogue: the rep on the left channel, the customer on the right, written as
Ogg/Opus (tens of KB) into demo/calls/, with demo/calls/calls.yaml holding the
manifest and the script with each line's start and end (used as the transcript when the scripted
transcriber is configured). Each script plants objections, a competitor and a dated next step.
"""

from __future__ import annotations

import subprocess
import tempfile
import wave
from pathlib import Path
from typing import Any

import av
import numpy as np
import yaml

OUT = Path(__file__).resolve().parent / "calls"
SR = 16000
REP_VOICE, CUSTOMER_VOICE = "en-us+m3", "en-gb+f3"
GAP = 0.45

CALLS: list[dict[str, Any]] = [
    {
        "id": "brightwell-discovery", "account": "Brightwell Health", "contact": "Dana Whitfield",
        "title": "Brightwell Health discovery call", "days_before": 9,
        "plants": {"objections": ["security"], "competitor": "Vantage IQ", "next_step": "technical demo",
                   "when": "next Tuesday"},
        "lines": [
            ("rep", "Thanks for making time today, Dana. What prompted you to look at data observability now?"),
            ("customer", "Our clinical dashboards break every week. When a pipeline fails, nurses see stale "
                         "numbers and we lose hours finding the cause."),
            ("rep", "How much time does your team spend on those incidents each month?"),
            ("customer", "About forty hours a month, and it delays our quality reporting."),
            ("customer", "My concern is security. Anything touching patient data must pass our HIPAA "
                         "security review before we can sign."),
            ("rep", "Understood. We sign a business associate agreement and we can share our security "
                    "review package this week."),
            ("customer", "We are also looking at Vantage IQ, because they are cheaper."),
            ("rep", "Vantage IQ is cheaper, but it is weak on lineage and governance, which your auditors "
                    "will ask about."),
            ("rep", "As a next step, can we schedule a technical demo for your data engineers next Tuesday?"),
            ("customer", "Yes, let's do the technical demo next Tuesday."),
        ],
    },
    {
        "id": "kestrel-negotiation", "account": "Kestrel Manufacturing", "contact": "Marco Ruiz",
        "title": "Kestrel Manufacturing pricing call", "days_before": 6,
        "plants": {"objections": ["pricing"], "competitor": "OpsHawk", "next_step": "revised proposal",
                   "when": "by Friday"},
        "lines": [
            ("rep", "Marco, thanks for reviewing the Enterprise Suite proposal. Where do things stand?"),
            ("customer", "Honestly, the price is too high. One hundred and twenty thousand is above our budget "
                         "for this year."),
            ("customer", "We need a discount of at least fifteen percent to get this approved."),
            ("rep", "I hear you. What would the budget need to look like for approval?"),
            ("customer", "Closer to one hundred thousand. And OpsHawk is free to start, since it is open "
                         "source."),
            ("rep", "OpsHawk is open source, but you host and operate it yourselves, which costs engineers. "
                    "Our total cost is lower."),
            ("customer", "Fair point. Send me something I can take to our finance committee."),
            ("rep", "I will send a revised proposal with a multi year option by Friday."),
            ("customer", "Good. Send the revised proposal by Friday and I will review it with finance."),
        ],
    },
    {
        "id": "alder-renewal", "account": "Alder Financial", "contact": "Priya Natarajan",
        "title": "Alder Financial renewal check-in", "days_before": 12,
        "plants": {"objections": ["adoption"], "competitor": "ClearSignal", "next_step": "adoption review",
                   "when": "next Thursday"},
        "lines": [
            ("rep", "Priya, your renewal is coming up. How is the team using Skylark today?"),
            ("customer", "Frankly, adoption is low. Only two of our six data teams use it every week."),
            ("customer", "Leadership is asking whether we should renew at all."),
            ("rep", "What is stopping the other four teams from using it?"),
            ("customer", "They never got proper onboarding, and the alerts were too noisy for them."),
            ("customer", "ClearSignal has also been pitching our CIO a bundled platform deal."),
            ("rep", "ClearSignal is expensive and slow to roll out. We can run targeted training for the "
                    "other teams and tune the alerts."),
            ("rep", "Let's hold an adoption review with your team leads next Thursday, and I will bring a "
                    "training plan."),
            ("customer", "Okay, an adoption review next Thursday works."),
        ],
    },
    {
        "id": "nimbus-demo-followup", "account": "Nimbus Retail", "contact": "Owen Gallagher",
        "title": "Nimbus Retail demo follow-up", "days_before": 4,
        "plants": {"objections": ["integration"], "competitor": "Vantage IQ", "next_step": "pilot kickoff",
                   "when": "next Wednesday"},
        "lines": [
            ("rep", "Owen, what did your team think of last week's demo of Skylark Pipelines?"),
            ("customer", "The demo looked great. My worry is the integration effort with our legacy point "
                         "of sale systems."),
            ("customer", "We do not have engineers to spare for a long integration project."),
            ("rep", "We have connectors for your warehouse and our team does the setup during the pilot."),
            ("customer", "We also saw Vantage IQ, but their connectors looked limited."),
            ("rep", "Would a four week pilot on two stores help prove the integration effort is small?"),
            ("customer", "Yes. Let's kick off the pilot next Wednesday."),
            ("rep", "Great, I will send the pilot plan and schedule the pilot kickoff for next Wednesday."),
        ],
    },
]


def synth(text: str, voice: str, path: Path) -> np.ndarray:
    subprocess.run(["espeak-ng", "-v", voice, "-s", "165", "-w", str(path), text], check=True)
    with wave.open(str(path)) as w:
        rate = w.getframerate()
        data = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16).astype(np.float32) / 32768
    if rate != SR:
        idx = np.arange(0, len(data), rate / SR)
        data = np.interp(idx, np.arange(len(data)), data).astype(np.float32)
    return data


def write_opus(stereo: np.ndarray, path: Path, bitrate: int = 32000) -> None:
    container = av.open(str(path), "w", format="ogg")
    stream = container.add_stream("libopus", rate=48000, layout="stereo")
    stream.bit_rate = bitrate
    # discrete channels (mapping family 255): two uncoupled mono streams, so low bitrates keep the
    # rep and the customer apart instead of folding them into one mono signal
    stream.options = {"mapping_family": "255", "application": "voip", "dtx": "1"}
    up = np.stack([np.interp(np.arange(0, stereo.shape[1], SR / 48000), np.arange(stereo.shape[1]), ch)
                   for ch in stereo]).astype(np.float32)
    frame = av.AudioFrame.from_ndarray(up, format="fltp", layout="stereo")
    frame.sample_rate = 48000
    for packet in stream.encode(frame):
        container.mux(packet)
    for packet in stream.encode(None):
        container.mux(packet)
    container.close()


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    manifest = []
    with tempfile.TemporaryDirectory() as tmp:
        for call in CALLS:
            left, right, script, t = [], [], [], 0.5
            pad = np.zeros(int(t * SR), dtype=np.float32)
            left.append(pad)
            right.append(pad)
            for role, text in call["lines"]:
                voice = REP_VOICE if role == "rep" else CUSTOMER_VOICE
                wav = synth(text, voice, Path(tmp) / "line.wav")
                silent = np.zeros_like(wav)
                (left if role == "rep" else right).append(wav)
                (right if role == "rep" else left).append(silent)
                script.append({"role": role, "start": round(t, 2), "end": round(t + len(wav) / SR, 2), "text": text})
                t += len(wav) / SR + GAP
                gap = np.zeros(int(GAP * SR), dtype=np.float32)
                left.append(gap)
                right.append(gap)
            stereo = np.stack([np.concatenate(left), np.concatenate(right)]) * 0.8
            audio = f"{call['id']}.ogg"
            write_opus(stereo, OUT / audio)
            manifest.append({k: call[k] for k in ("id", "account", "contact", "title", "days_before", "plants")}
                            | {"audio": audio, "channels": {"left": "rep", "right": "customer"},
                               "duration": round(t, 2), "script": script})
            print(f"{audio}: {t:.1f} s, {(OUT / audio).stat().st_size // 1024} KB")
    header = "# Generated by demo/make_calls.py (espeak-ng); the audio files beside this are its output.\n"
    (OUT / "calls.yaml").write_text(header + yaml.safe_dump({"calls": manifest}, sort_keys=False, width=110))


if __name__ == "__main__":
    main()
