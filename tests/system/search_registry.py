#!/usr/bin/env python3
"""A registry for test_search.sh that docker-registry cannot be: it serves
the v1 search API (descriptions, stars, official and automated flags, as
Docker Hub answers), and answers as a hostile registry would: control
characters in descriptions, names and tags that are none, tags lists
paginated through Link headers, a Link that loops, a page too large.
Usage: search_registry.py PORT LOG"""
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

PORT, LOG = int(sys.argv[1]), sys.argv[2]

V1 = [
    {"name": "library/alpine", "star_count": 9000, "is_official": True,
     "is_automated": False,
     "description": "A minimal Docker image based on Alpine Linux with a complete package index"},
    {"name": "user/auto-build", "star_count": 3, "is_official": False,
     "is_automated": True, "description": "short one"},
    {"name": "evil/escape", "star_count": 1, "is_official": False, "is_automated": False,
     "description": "red \u001b[31mtext\u009b2J and\na newline"},
    {"name": "Not A Name!", "star_count": 1, "description": "left out"},
    {"name": "evil/\u001b[2Jname", "star_count": 1, "description": "left out too"},
]

# tags of "paged": three pages of two, with names that are no tags between.
TAG_PAGES = [
    ["t1", "bad tag", "t2"],
    ["t3", "\u001b[31m", "t4"],
    ["t5", "-x", "t6"],
]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    wbufsize = 1 << 16  # headers and body in one write: no delayed-ACK stall

    def log_message(self, fmt, *args):
        with open(LOG, "a") as f:
            f.write(getattr(self, "path", "?") + "\n")

    def send_json(self, obj, status=200, link=None, raw=None):
        body = raw if raw is not None else json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        if link:
            self.send_header("Link", link)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        u = urlparse(self.path)
        q = parse_qs(u.query)
        if u.path == "/v2/":
            return self.send_json({})
        if u.path == "/v1/search":
            term = q.get("q", [""])[0]
            n = int(q.get("n", ["25"])[0])
            if term == "nov1":
                return self.send_json({"errors": []}, status=404)
            res = [r for r in V1 if term in r["name"] or term == "all"][:n]
            return self.send_json({"num_results": len(res), "query": term, "results": res})
        if u.path == "/v2/_catalog":
            return self.send_json({"repositories": ["nov1/one", "Bad Name", "nov1/two",
                                                   "\u001b[2J/nov1"]})
        if u.path == "/v2/paged/tags/list":
            page = int(q.get("page", ["0"])[0])
            link = None
            if page + 1 < len(TAG_PAGES):
                # Absolute on another host: only its path and query count.
                link = '<http://elsewhere.invalid/v2/paged/tags/list?page=%d>; rel="next"' % (page + 1)
            return self.send_json({"name": "paged", "tags": TAG_PAGES[page]}, link=link)
        if u.path == "/v2/loop/tags/list":
            return self.send_json({"name": "loop", "tags": []},
                                  link='</v2/loop/tags/list>; rel="next"')
        if u.path == "/v2/huge/tags/list":
            return self.send_json(None, raw=b'{"tags":["' + b"a" * (2 << 20) + b'"]}')
        return self.send_json({"errors": [{"code": "NAME_UNKNOWN",
                                           "message": "repository name not known to registry"}]},
                              status=404)


ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
