#!/usr/bin/env python3
"""Runs the public peers over the quality corpus: better-profanity (word list with leetspeak variants)
and alt-profanity-check (a linear model). Prints JSON: {peer: {"classes": {class: [caught, total]},
"messages_per_second": rate}}. Usage: peers.py --corpus corpus.jsonl
"""
import argparse
import json
import time


def run(name, flag_batch, rows):
    classes = {}
    started = time.perf_counter()
    flags = flag_batch([r["text"] for r in rows])
    seconds = time.perf_counter() - started
    for row, flagged in zip(rows, flags):
        caught, total = classes.get(row["class"], [0, 0])
        classes[row["class"]] = [caught + int(bool(flagged)), total + 1]
    return name, {"classes": classes, "messages_per_second": len(rows) / max(seconds, 1e-9)}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpus", required=True)
    args = parser.parse_args()
    rows = [json.loads(line) for line in open(args.corpus, encoding="utf-8")]
    out = {}

    from better_profanity import profanity
    profanity.load_censor_words()
    name, result = run("better-profanity", lambda texts: [profanity.contains_profanity(t) for t in texts], rows)
    out[name] = result

    from profanity_check import predict
    name, result = run("alt-profanity-check", lambda texts: list(predict(texts)), rows)
    out[name] = result
    print(json.dumps(out))


if __name__ == "__main__":
    main()
