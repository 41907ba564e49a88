#!/usr/bin/env python3
"""An example client of the Anju office's read API (安居验收 数据接口), Python 3 standard
library only.

It pages through the three feeds (households, acceptances, findings) from where its last
run stopped, writes each record it reads as one JSON line to FEED.jsonl in the output
folder, and saves the cursors to a file after every page, so the next run continues and
a run that is cut off loses nothing (a page read twice is written twice: take the latest
line of each id, by its `seq`).

    ANJU_READ_TOKEN=anju_rt_… python3 docs/read-api-client.py \
        --url https://office.example:8080 --cacert DIR/tls/office.crt --out ./anju-feeds

A record comes again whenever it changes (a finding closed, an acceptance approved or
returned, a household moved in): the latest line of an id is its state now. Records the
office cannot read are listed under `damaged` with their id: they are reported on
standard error and skipped; the office's administrator sees them with `anju-office damaged
list`.
"""

import argparse
import json
import os
import ssl
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

FEEDS = ("households", "acceptances", "findings")


def load_cursors(path):
    """The cursors saved by the last run, or 0 for every feed."""
    try:
        with open(path, encoding="utf-8") as f:
            saved = json.load(f)
    except FileNotFoundError:
        saved = {}
    return {feed: int(saved.get(feed, 0)) for feed in FEEDS}


def save_cursors(path, cursors):
    """Write the cursors to a temporary file, then rename it: a crash never leaves half."""
    temporary = path + ".tmp"
    with open(temporary, "w", encoding="utf-8") as f:
        json.dump(cursors, f, indent=2)
        f.flush()
        os.fsync(f.fileno())
    os.replace(temporary, path)


def get_page(base, token, feed, cursor, limit, context, tries=5):
    """One page of a feed; retries a network failure or a 5xx with a growing pause."""
    query = urllib.parse.urlencode({"cursor": cursor, "limit": limit})
    request = urllib.request.Request(
        f"{base}/api/read/v1/{feed}?{query}",
        headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
    )
    for attempt in range(1, tries + 1):
        try:
            with urllib.request.urlopen(request, timeout=60, context=context) as response:
                return json.load(response)
        except urllib.error.HTTPError as error:
            body = error.read().decode("utf-8", "replace")
            if error.code < 500 or attempt == tries:
                # 400 (a bad cursor or limit), 401 (no token, or revoked), 403 (a person's
                # sign-in token): the message says what, in Chinese and English.
                raise SystemExit(f"{feed}: HTTP {error.code}: {body}")
        except urllib.error.URLError as error:
            if attempt == tries:
                raise SystemExit(f"{feed}: cannot reach the office: {error.reason}")
        time.sleep(2**attempt)
    raise SystemExit(f"{feed}: no answer")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", required=True, help="the office, e.g. https://office.example:8080")
    parser.add_argument("--token", default=os.environ.get("ANJU_READ_TOKEN"),
                        help="the integration token (default: $ANJU_READ_TOKEN)")
    parser.add_argument("--cacert", help="the office's certificate, for a self-signed one")
    parser.add_argument("--out", default="anju-feeds", help="folder for FEED.jsonl and cursors.json")
    parser.add_argument("--limit", type=int, default=500, help="records per page, 1-5000")
    args = parser.parse_args()
    if not args.token:
        raise SystemExit("give the integration token with --token or ANJU_READ_TOKEN")
    if not 1 <= args.limit <= 5000:
        raise SystemExit("--limit must be from 1 to 5000")
    context = ssl.create_default_context(cafile=args.cacert) if args.url.startswith("https") else None
    os.makedirs(args.out, exist_ok=True)
    cursors_path = os.path.join(args.out, "cursors.json")
    cursors = load_cursors(cursors_path)
    base = args.url.rstrip("/")
    for feed in FEEDS:
        read = 0
        with open(os.path.join(args.out, f"{feed}.jsonl"), "a", encoding="utf-8") as out:
            while True:
                page = get_page(base, args.token, feed, cursors[feed], args.limit, context)
                for item in page["items"]:
                    out.write(json.dumps(item, ensure_ascii=False) + "\n")
                for damaged in page["damaged"]:
                    print(f"{feed}: record {damaged['id']} cannot be read at the office: "
                          f"{damaged['reason']}", file=sys.stderr)
                read += len(page["items"])
                # The records first, then the cursor: a crash between them reads the page again.
                out.flush()
                os.fsync(out.fileno())
                cursors[feed] = page["next_cursor"]
                save_cursors(cursors_path, cursors)
                if not page["has_more"]:
                    break
        print(f"{feed}: {read} record(s) read, cursor {cursors[feed]}")


if __name__ == "__main__":
    main()
